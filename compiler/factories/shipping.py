"""Every log group the app creates is archived: a CloudWatch Logs subscription filter on each
feeds the app's one Firehose delivery stream in the region, which writes to the archive bucket.

One stream per app and region, whatever the number of functions: Firehose's per-region stream
quota and per-stream buffers do not grow with the spec. Firehose decompresses the CloudWatch Logs
envelopes (keeping logGroup, logStream and event ids, so each line stays attributable), then
dynamic partitioning reads the envelope's `logGroup` with a JQ query (`partition_query`) and
writes newline-delimited JSON, gzip-compressed, under `logs/<kind>/<name>/year=YYYY/month=MM/
day=DD/` (`logs/lambda/<function>/`, `logs/apigateway/access/`, `logs/apigateway/execution/`).
Records Firehose cannot process go under `errors/`. Firehose's own delivery errors go to a
separate log group that is not shipped (it would feed the stream it watches).

Batching, retries and compression come from AWS, never from request code.
"""
from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..context import BuildContext
from ..naming import Naming
from .base import Component, assume_role_policy, policy_document, statement

BUFFER_MB = 64          # the minimum with dynamic partitioning; fewer, larger objects
BUFFER_SECONDS = 300    # at most five minutes from log line to archive (per partition)
DATE_PREFIX = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
LOGS_PREFIX = "logs/!{partitionKeyFromQuery:kind}/!{partitionKeyFromQuery:name}/" + DATE_PREFIX
ERRORS_PREFIX = "errors/!{firehose:error-output-type}/" + DATE_PREFIX
S3_WRITE_ACTIONS = ("s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket",
                    "s3:ListBucketMultipartUploads", "s3:PutObject")
# Firehose limits a processor parameter value to 5120 characters: the query must not list every
# function, only the few whose physical name had to be shortened.
PROCESSOR_PARAMETER_MAX = 5120


def _jq_string(text: str) -> str:
    return json.dumps(text)


def partition_query(naming: Naming, function_keys: list[str], waf: bool = False) -> str:
    """The JQ query (Firehose's JQ-1.6) from a decompressed envelope to its partition keys
    {kind, name}: a function's log group -> lambda/<function>; the access log -> apigateway/access;
    the execution log -> apigateway/execution; anything else (e.g. CloudWatch Logs' CONTROL_MESSAGE
    with an empty logGroup) -> other/unknown, never a failure."""
    lambda_prefix = f"/aws/lambda/{naming.prefix}-"
    shortened = {naming.function_log_group(key): key for key in sorted(function_keys)
                 if naming.function(key) != f"{naming.prefix}-{key}"}
    rules = [f"$g == {_jq_string(group)} then {{kind: \"lambda\", name: {_jq_string(key)}}}" for group, key in shortened.items()]
    rules += [
        f"($g | startswith({_jq_string(lambda_prefix)})) then {{kind: \"lambda\", name: ($g | ltrimstr({_jq_string(lambda_prefix)}))}}",
        f"$g == {_jq_string(naming.api_access_log_group())} then {{kind: \"apigateway\", name: \"access\"}}",
        "($g | startswith(\"API-Gateway-Execution-Logs_\")) then {kind: \"apigateway\", name: \"execution\"}",
    ]
    if waf:
        rules.append(f"$g == {_jq_string(naming.waf_log_group())} then {{kind: \"waf\", name: \"acl\"}}")
    query = "(.logGroup // \"\") as $g | if " + " elif ".join(rules) + " else {kind: \"other\", name: \"unknown\"} end"
    if len(query) > PROCESSOR_PARAMETER_MAX:
        raise ValueError(f"the archive's partition query has {len(query)} characters, over Firehose's {PROCESSOR_PARAMETER_MAX}")
    return query


class LogShipping(Component):
    kind = "LogShipping"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource):
        super().__init__("shipping", ctx, parent)
        naming, sources = ctx.naming, ctx.shipped_log_groups
        bucket_arn = ctx.archive_bucket.arn
        delivery_logs = aws.cloudwatch.LogGroup(
            self.child("delivery-errors"), name=naming.firehose_log_group(),
            retention_in_days=ctx.app.logs.retention_days, kms_key_id=ctx.key.arn, opts=self.opts())
        log_stream = aws.cloudwatch.LogStream(self.child("delivery-errors-s3"), name="S3Delivery",
                                              log_group_name=delivery_logs.name, opts=self.opts())

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
        self.stream = self._stream(firehose_role, delivery_logs, log_stream,
                                   depends_on=[firehose_policy, *ctx.archive_ready])

        logs_role = aws.iam.Role(
            self.child("subscription-role"), name=naming.role("log-archive-subscriptions"),
            description="CloudWatch Logs puts subscribed log events into this app's archive stream only",
            assume_role_policy=assume_role_policy(f"logs.{ctx.region}.amazonaws.com", {"ArnLike": {"aws:SourceArn": ctx.arn("logs", "*")}}),
            opts=self.opts())
        logs_policy = aws.iam.RolePolicy(
            self.child("subscription-policy"), role=logs_role.id,
            policy=policy_document(statement("PutIntoArchiveStream", ["firehose:PutRecord", "firehose:PutRecordBatch"],
                                             [self.stream.arn])),
            opts=self.opts())
        for shipped in sources:
            aws.cloudwatch.LogSubscriptionFilter(
                self.child(f"subscription-{shipped.source.replace('/', '-')}"),
                name="archive-to-s3",
                log_group=shipped.log_group.name,
                filter_pattern="",  # everything
                destination_arn=self.stream.arn,
                role_arn=logs_role.arn,
                # CloudWatch Logs test-delivers on creation: the role must already be allowed to.
                # A new destination replaces the filter, and PutSubscriptionFilter under the same
                # name overwrites: create-then-delete would delete the new filter. Delete first.
                opts=self.opts(depends_on=[logs_policy], delete_before_replace=True))
        self.register_outputs({"stream": self.stream.name})

    def _stream(self, role: aws.iam.Role, delivery_logs: aws.cloudwatch.LogGroup, log_stream: aws.cloudwatch.LogStream,
                depends_on: list) -> aws.kinesis.FirehoseDeliveryStream:
        ctx = self.ctx
        processor = aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessorArgs
        parameter = aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessorParameterArgs
        query = partition_query(ctx.naming, [fn.key for fn in ctx.app.functions], waf=ctx.waf_name is not None)
        return aws.kinesis.FirehoseDeliveryStream(
            self.child("stream"),
            name=ctx.naming.physical("log-archive"),
            destination="extended_s3",
            server_side_encryption=aws.kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs(
                enabled=True, key_type="CUSTOMER_MANAGED_CMK", key_arn=ctx.key.arn),
            extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
                bucket_arn=ctx.archive_bucket.arn,
                role_arn=role.arn,
                prefix=LOGS_PREFIX,
                error_output_prefix=ERRORS_PREFIX,
                buffering_size=BUFFER_MB,
                buffering_interval=BUFFER_SECONDS,
                compression_format="GZIP",
                file_extension=".json.gz",
                kms_key_arn=ctx.key.arn,
                dynamic_partitioning_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationDynamicPartitioningConfigurationArgs(
                    enabled=True),
                processing_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationArgs(
                    enabled=True,
                    processors=[
                        # The whole envelope is kept (no CloudWatchLogProcessing message extraction),
                        # so the query can read logGroup and every line stays attributable.
                        processor(type="Decompression", parameters=[parameter(parameter_name="CompressionFormat", parameter_value="GZIP")]),
                        processor(type="MetadataExtraction", parameters=[
                            parameter(parameter_name="JsonParsingEngine", parameter_value="JQ-1.6"),
                            parameter(parameter_name="MetadataExtractionQuery", parameter_value=query)]),
                        processor(type="AppendDelimiterToRecord"),
                    ]),
                cloudwatch_logging_options=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptionsArgs(
                    enabled=True, log_group_name=delivery_logs.name, log_stream_name=log_stream.name),
            ),
            opts=self.opts(depends_on=depends_on),
        )


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    LogShipping(ctx, parent)
