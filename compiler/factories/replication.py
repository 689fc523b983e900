"""Archive replication (`logs.archive.replicate_to`): every other region's archive is replicated
into the named region's archive.

Per source region: a least-privilege role S3 assumes, and a replication configuration that
selects KMS-encrypted objects, re-encrypts them with the destination region's key and does not
replicate delete markers (a delete in one region must not erase the other copy). Versioning on
both buckets is a dependency: S3 refuses replication on an unversioned bucket. With one region the
destination archive (key and bucket, retained like any archive) is created in `replicate_to`.

AWS references: S3 User Guide, "Replicating objects created with server-side encryption (SSE-KMS)"
(the role's kms:Decrypt on the source key and kms:Encrypt on the destination key, each scoped by
kms:ViaService and the aws:s3:arn encryption context) and "Setting up permissions for live
replication".
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import BuildContext, Fleet
from . import archive, security
from .base import Component, assume_role_policy, policy_document, statement

SOURCE_BUCKET_ACTIONS = ("s3:GetReplicationConfiguration", "s3:ListBucket")
SOURCE_OBJECT_ACTIONS = ("s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging")
# No s3:ReplicateDelete: delete markers are not replicated.
DESTINATION_OBJECT_ACTIONS = ("s3:ObjectOwnerOverrideToBucketOwner", "s3:ReplicateObject", "s3:ReplicateTags")


class ArchiveReplication(Component):
    kind = "ArchiveReplication"

    def __init__(self, source: BuildContext, destination: BuildContext):
        super().__init__("archive-replication", source, source.root)
        src_bucket, dst_bucket = source.archive_bucket, destination.archive_bucket
        role = aws.iam.Role(
            self.child("role"), name=source.naming.role("archive-replication"),
            description=f"S3 replicates {source.naming.prefix}'s archive from {source.region} to {destination.region}",
            assume_role_policy=assume_role_policy("s3.amazonaws.com", {"StringEquals": {"aws:SourceAccount": source.account_id}}),
            opts=self.opts())
        policy = aws.iam.RolePolicy(self.child("policy"), role=role.id, policy=policy_document(
            statement("ReadSourceBucket", SOURCE_BUCKET_ACTIONS, src_bucket.arn),
            statement("ReadSourceVersions", SOURCE_OBJECT_ACTIONS, src_bucket.arn.apply(lambda a: f"{a}/*")),
            statement("WriteReplicas", DESTINATION_OBJECT_ACTIONS, dst_bucket.arn.apply(lambda a: f"{a}/*")),
            statement("DecryptSourceObjects", ["kms:Decrypt"], source.key.arn, condition={"StringEquals": {
                "kms:ViaService": f"s3.{source.region}.amazonaws.com"},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": src_bucket.arn.apply(lambda a: f"{a}/*")}}),
            statement("EncryptReplicas", ["kms:Encrypt", "kms:GenerateDataKey"], destination.key.arn, condition={"StringEquals": {
                "kms:ViaService": f"s3.{destination.region}.amazonaws.com"},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": dst_bucket.arn.apply(lambda a: f"{a}/*")}})),
            opts=self.opts())
        aws.s3.BucketReplicationConfig(
            self.child("config"),
            bucket=src_bucket.id,
            role=role.arn,
            rules=[aws.s3.BucketReplicationConfigRuleArgs(
                id=f"archive-to-{destination.region}",
                status="Enabled",
                filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(status="Disabled"),
                source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                    sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                        status="Enabled")),
                destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                    bucket=dst_bucket.arn,
                    encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                        replica_kms_key_id=destination.key.arn)))],
            opts=self.opts(depends_on=[source.archive_versioning, destination.archive_versioning, policy]))
        self.register_outputs({})


def _destination(fleet: Fleet, region: str) -> BuildContext:
    """The destination region's context: one of the app's regions, or (one-region apps) a context
    holding only a key and an archive there."""
    if region in fleet.regions:
        return fleet.regions[region]
    from ..build import build_region

    primary = fleet.regions[fleet.app.region]
    return build_region(fleet.app, region, primary.project_root, fleet, offline=primary.offline,
                        factories=(("security", security.build), ("archive", archive.build)))


def build(fleet: Fleet) -> None:
    target = fleet.app.logs.archive.replicate_to
    if target is None:
        return
    destination = _destination(fleet, target)
    for region, source in fleet.regions.items():
        if region != target:
            ArchiveReplication(source, destination)
