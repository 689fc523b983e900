"""Shared pieces for factories: the component base class and IAM policy documents."""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import pulumi

from ..context import PACKAGE, BuildContext


class Component(pulumi.ComponentResource):
    """A ComponentResource of type `serverless:index:<kind>` under the app's root component."""

    kind = "Component"

    def __init__(self, name: str, ctx: BuildContext, parent: Optional[pulumi.Resource] = None):
        # The region is part of every logical name (see Naming.logical); children inherit it.
        name = ctx.naming.logical(name)
        super().__init__(f"{PACKAGE}:index:{self.kind}", name, None, pulumi.ResourceOptions(parent=parent))
        self.ctx = ctx
        self.component_name = name

    def child(self, suffix: str) -> str:
        return f"{self.component_name}-{suffix}"

    def opts(self, **extra) -> pulumi.ResourceOptions:
        return self.ctx.opts(self, **extra)


def statement(sid: str, actions: Sequence[str], resources: Any = None, *, effect: str = "Allow",
              principal: Optional[Mapping[str, Any]] = None, condition: Optional[Mapping[str, Any]] = None) -> dict:
    """One IAM statement; `actions` are always explicit names (never `*` or `service:*`).
    Trust policies have no `resources`."""
    body: dict[str, Any] = {"Sid": sid, "Effect": effect}
    if principal is not None:
        body["Principal"] = principal
    body["Action"] = sorted(actions)
    if resources is not None:
        body["Resource"] = resources
    if condition:
        body["Condition"] = condition
    return body


def policy_document(*statements: dict) -> pulumi.Output[str]:
    """A policy document as the JSON string AWS takes; Outputs inside are resolved first."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def assume_role_policy(service: str, condition: Optional[Mapping[str, Any]] = None) -> pulumi.Output[str]:
    """Trust `service`, with the confused-deputy condition that service documents (when it has one):
    Lambda and API Gateway trust policies take none; Firehose takes `sts:ExternalId` = account,
    CloudWatch Logs `aws:SourceArn`."""
    return policy_document(statement("TrustService", ["sts:AssumeRole"], principal={"Service": service}, condition=condition))
