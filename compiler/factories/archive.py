"""The log archive: one versioned, KMS-encrypted, private, TLS-only S3 bucket per app and region.

Its name is `<app>-<stage>-logs-<account id>-<region>`: S3 names are global, and account id plus
region make it distinct without randomness (shortened with a stable hash past 63 characters).

The archive outlives the stack: the bucket and every configuration resource are retained on
destroy (removed from the stack, left in AWS as they are), like the key that encrypts them; on a
protected stage the bucket is also `protect`ed. A configuration resource that was deleted would
reset its setting (deleting BucketPublicAccessBlock opens the bucket to public policies, deleting
BucketPolicy drops TLS-only, deleting the lifecycle keeps logs forever), so all are kept.
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import BuildContext
from .base import Component, policy_document, statement


class Archive(Component):
    kind = "LogArchive"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource):
        super().__init__("archive", ctx, parent)
        archive = ctx.app.logs.archive
        self.bucket = aws.s3.Bucket(
            self.child("bucket"),
            bucket=ctx.account_id.apply(ctx.naming.archive_bucket),
            # Archived logs are evidence: a stack destroy must not silently take them with it.
            force_destroy=False,
            # Depends on the key explicitly (the bucket's own inputs do not name it): Pulumi
            # deletes dependents first, so the key can never go while the bucket stays.
            opts=self.opts(depends_on=[ctx.key], **ctx.holds_data()),
        )
        bucket_id = self.bucket.id
        ownership = aws.s3.BucketOwnershipControls(
            self.child("ownership"), bucket=bucket_id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"), opts=self._kept())
        public_access = aws.s3.BucketPublicAccessBlock(
            self.child("public-access"), bucket=bucket_id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=self._kept())
        versioning = aws.s3.BucketVersioning(
            self.child("versioning"), bucket=bucket_id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"), opts=self._kept())
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            self.child("encryption"), bucket=bucket_id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=ctx.key.arn),
                # Bucket keys cut KMS requests (and cost) by orders of magnitude for many small objects.
                bucket_key_enabled=True)],
            opts=self._kept())
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            self.child("lifecycle"), bucket=bucket_id,
            rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-archived-logs", status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=archive.expire_after_days),
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=archive.noncurrent_expire_after_days),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=7)),
                # Expiring a current version of a versioned object leaves a delete marker; once its
                # noncurrent versions expire too it is alone and would stay forever (listing cost,
                # clutter). S3 refuses ExpiredObjectDeleteMarker beside Days in one Expiration, so
                # it is a rule of its own.
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="remove-expired-delete-markers", status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True))],
            # Lifecycle rules on a versioned bucket need versioning in place first.
            opts=self._kept(depends_on=[versioning]))
        everything = [self.bucket.arn, self.bucket.arn.apply(lambda arn: f"{arn}/*")]
        self.policy = aws.s3.BucketPolicy(
            self.child("policy"), bucket=bucket_id,
            policy=policy_document(statement(
                "DenyInsecureTransport", ["s3:*"], everything, effect="Deny", principal={"AWS": "*"},
                condition={"Bool": {"aws:SecureTransport": "false"}})),
            # Applied after the public access block so the policy is never evaluated on an open bucket.
            opts=self._kept(depends_on=[public_access, ownership]))
        ctx.archive_bucket = self.bucket
        ctx.archive_ready = [versioning, encryption, self.policy]
        ctx.archive_versioning = versioning
        ctx.outputs["archive_bucket"] = self.bucket.bucket
        self.register_outputs({"bucket": self.bucket.bucket})


    def _kept(self, **extra) -> pulumi.ResourceOptions:
        """The bucket's configuration resources: retained with the bucket (see the module docstring)."""
        return self.opts(retain_on_delete=True, **extra)


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    Archive(ctx, parent)
