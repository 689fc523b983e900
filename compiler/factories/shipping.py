"""Every log group the app creates is archived: a CloudWatch Logs subscription filter feeds a
Firehose delivery stream per source, which writes to the archive bucket.

Batching, retries and compression come from AWS, never from request code. Firehose decompresses
the CloudWatch Logs envelopes (keeping logGroup, logStream and event ids, so each line stays
attributable) and writes newline-delimited JSON, gzip-compressed, under
`logs/<source>/year=YYYY/month=MM/day=DD/`. Firehose's own delivery errors go to a separate log
group that is not shipped (it would feed the stream it watches).
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import BuildContext, ShippedLogGroup
from .base import Component, assume_role_policy, policy_document, statement

BUFFER_MB = 64          # >= 5 MB: fewer, larger objects
BUFFER_SECONDS = 300    # >= 300 s: at most five minutes from log line to archive
DATE_PREFIX = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
S3_WRITE_ACTIONS = ("s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket",
                    "s3:ListBucketMultipartUploads", "s3:PutObject")


def stream_part(source: str) -> str:
    """`lambda/items` -> `items-logs` style suffix for physical names (no '/')."""
    return source.replace("/", "-")


class LogShipping(Component):
    kind = "LogShipping"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource):
        super().__init__("shipping", ctx, parent)
        naming, sources = ctx.naming, ctx.shipped_log_groups
        bucket_arn = ctx.archive_bucket.arn
        stream_names = {s.source: naming.physical(f"ship-{stream_part(s.source)}") for s in sources}
        delivery_logs = aws.cloudwatch.LogGroup(
            self.child("delivery-errors"), name=naming.firehose_log_group(),
            retention_in_days=ctx.app.logs.retention_days, kms_key_id=ctx.key.arn, opts=self.opts())

        firehose_role = aws.iam.Role(
            self.child("firehose-role"), name=naming.role("log-archive-firehose"),
            description="Firehose writes archived logs to the archive bucket only",
            assume_role_policy=assume_role_policy("firehose.amazonaws.com", {"StringEquals": {"sts:ExternalId": ctx.account_id}}),
            opts=self.opts())
        firehose_policy = aws.iam.RolePolicy(
            self.child("firehose-policy"), role=firehose_role.id,
            policy=policy_document(
                statement("WriteArchiveBucket", S3_WRITE_ACTIONS, [bucket_arn, bucket_arn.apply(lambda a: f"{a}/*")]),
                statement("EncryptArchiveObjects", ["kms:Decrypt", "kms:GenerateDataKey"], ctx.key.arn, condition={
                    "StringEquals": {"kms:ViaService": f"s3.{ctx.region}.amazonaws.com"},
                    # With an S3 bucket key the context is the bucket ARN, without one the object ARN.
                    "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, bucket_arn.apply(lambda a: f"{a}/*")]}}),
                statement("ReportDeliveryErrors", ["logs:PutLogEvents"], delivery_logs.arn.apply(lambda a: f"{a}:log-stream:*"))),
            opts=self.opts())

        self.streams: dict[str, aws.kinesis.FirehoseDeliveryStream] = {}
        for shipped in sources:
            self.streams[shipped.source] = self._stream(shipped, stream_names[shipped.source], firehose_role, delivery_logs,
                                                        depends_on=[firehose_policy, *ctx.archive_ready])

        logs_role = aws.iam.Role(
            self.child("subscription-role"), name=naming.role("log-archive-subscriptions"),
            description="CloudWatch Logs puts subscribed log events into this app's archive streams only",
            assume_role_policy=assume_role_policy(f"logs.{ctx.region}.amazonaws.com", {"ArnLike": {"aws:SourceArn": ctx.arn("logs", "*")}}),
            opts=self.opts())
        logs_policy = aws.iam.RolePolicy(
            self.child("subscription-policy"), role=logs_role.id,
            policy=policy_document(statement("PutIntoArchiveStreams", ["firehose:PutRecord", "firehose:PutRecordBatch"],
                                             [stream.arn for stream in self.streams.values()])),
            opts=self.opts())
        for shipped in sources:
            aws.cloudwatch.LogSubscriptionFilter(
                self.child(f"subscription-{stream_part(shipped.source)}"),
                name="archive-to-s3",
                log_group=shipped.log_group.name,
                filter_pattern="",  # everything
                destination_arn=self.streams[shipped.source].arn,
                role_arn=logs_role.arn,
                # CloudWatch Logs test-delivers on creation: the role must already be allowed to.
                opts=self.opts(depends_on=[logs_policy]))
        self.register_outputs({"streams": {source: stream.name for source, stream in self.streams.items()}})

    def _stream(self, shipped: ShippedLogGroup, name: str, role: aws.iam.Role, delivery_logs: aws.cloudwatch.LogGroup,
                depends_on: list) -> aws.kinesis.FirehoseDeliveryStream:
        ctx = self.ctx
        part = stream_part(shipped.source)
        log_stream = aws.cloudwatch.LogStream(self.child(f"delivery-errors-{part}"), name=f"{part}-S3Delivery",
                                              log_group_name=delivery_logs.name, opts=self.opts())
        processor = aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessorArgs
        parameter = aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessorParameterArgs
        return aws.kinesis.FirehoseDeliveryStream(
            self.child(f"stream-{part}"),
            name=name,
            destination="extended_s3",
            server_side_encryption=aws.kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs(
                enabled=True, key_type="CUSTOMER_MANAGED_CMK", key_arn=ctx.key.arn),
            extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
                bucket_arn=ctx.archive_bucket.arn,
                role_arn=role.arn,
                prefix=f"logs/{shipped.source}/{DATE_PREFIX}",
                error_output_prefix=f"errors/{shipped.source}/!{{firehose:error-output-type}}/{DATE_PREFIX}",
                buffering_size=BUFFER_MB,
                buffering_interval=BUFFER_SECONDS,
                compression_format="GZIP",
                file_extension=".json.gz",
                kms_key_arn=ctx.key.arn,
                processing_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationArgs(
                    enabled=True,
                    processors=[
                        processor(type="Decompression", parameters=[parameter(parameter_name="CompressionFormat", parameter_value="GZIP")]),
                        processor(type="AppendDelimiterToRecord"),
                    ]),
                cloudwatch_logging_options=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptionsArgs(
                    enabled=True, log_group_name=delivery_logs.name, log_stream_name=log_stream.name),
            ),
            opts=self.opts(depends_on=depends_on),
        )


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    LogShipping(ctx, parent)
