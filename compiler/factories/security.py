"""One customer-managed KMS key per app and region, with rotation, for logs, Lambda environment,
the archive bucket, Firehose and the alarm topic.

The key policy is inline (no window with AWS's default policy) and needs no resource created
later: log groups are matched by the app's name prefixes and the topic by its deterministic ARN,
so nothing here depends on what depends on the key.
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import BuildContext
from .base import Component, policy_document, statement

# The account administers the key and may delegate its use through IAM policies (each role in
# this app gets a scoped kms statement). Listed one by one: no `kms:*`.
ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:Decrypt", "kms:DeleteAlias",
    "kms:DescribeKey", "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
    "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListKeyRotations",
    "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant",
    "kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource",
    "kms:UpdateAlias", "kms:UpdateKeyDescription",
)
LOGS_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo")
ALARM_PUBLISH_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


class Encryption(Component):
    kind = "Encryption"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource):
        super().__init__("encryption", ctx, parent)
        naming = ctx.naming
        log_group_arns = [ctx.arn("logs", f"log-group:{pattern}") for pattern in naming.log_group_arn_prefixes()]
        policy = policy_document(
            statement("AccountAdministersAndDelegates", ADMIN_ACTIONS, "*",
                      principal={"AWS": ctx.account_id.apply(lambda a: f"arn:{ctx.partition}:iam::{a}:root")}),
            statement("CloudWatchLogsForThisAppsLogGroups", LOGS_ACTIONS, "*",
                      principal={"Service": f"logs.{ctx.region}.amazonaws.com"},
                      condition={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_group_arns}}),
            statement("CloudWatchAlarmsPublishToThisAppsTopic", ALARM_PUBLISH_ACTIONS, "*",
                      principal={"Service": "cloudwatch.amazonaws.com"},
                      condition={"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": ctx.arn("sns", naming.physical("alarms", 256))}}),
        )
        self.key = aws.kms.Key(
            self.child("key"),
            description=f"{naming.prefix}: logs, archive, Lambda environment and alarm topic",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=30,
            policy=policy,
            # The archive is encrypted with this key: deleting it (even scheduled) makes every
            # archived log unreadable, so it outlives the stack like the bucket (see archive.py).
            opts=self.opts(**ctx.holds_data()),
        )
        self.alias = aws.kms.Alias(self.child("key-alias"), name=f"alias/{naming.prefix}", target_key_id=self.key.key_id,
                                   opts=self.opts(retain_on_delete=True))
        ctx.key = self.key
        self.register_outputs({"key_arn": self.key.arn})


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    Encryption(ctx, parent)
