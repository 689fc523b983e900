"""BuildContext: what every factory needs for one region, passed explicitly (no globals).

One context per region, so the same app can later be built in several regions side by side:
each has its own explicit provider, KMS key, archive and topic. Factories add what later
factories consume (the key, the log groups to ship, the functions and API to watch).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pulumi
import pulumi_aws as aws

from .model import App
from .naming import Naming

PACKAGE = "serverless"


@dataclass(frozen=True)
class ShippedLogGroup:
    """A log group whose events are archived: `source` names its folder in the archive."""

    source: str
    log_group: aws.cloudwatch.LogGroup


@dataclass
class BuildContext:
    app: App
    region: str
    provider: aws.Provider
    naming: Naming
    account_id: pulumi.Output[str]
    project_root: Path
    partition: str = "aws"
    key: Optional[aws.kms.Key] = None
    archive_bucket: Optional[aws.s3.Bucket] = None
    archive_ready: list[pulumi.Resource] = field(default_factory=list)
    topic: Optional[aws.sns.Topic] = None
    alarms: list[aws.cloudwatch.MetricAlarm] = field(default_factory=list)
    functions: dict[str, aws.lambda_.Function] = field(default_factory=dict)
    tables: dict[str, aws.dynamodb.Table] = field(default_factory=dict)
    layers: dict[str, aws.lambda_.LayerVersion] = field(default_factory=dict)  # by content hash
    waf_name: Optional[str] = None  # the web ACL created here (its metrics on the dashboard)
    # Offline (plan): nothing that needs the network or writes build output runs (layer builds).
    offline: bool = False
    root: Optional[pulumi.Resource] = None
    rest_api: Optional[aws.apigateway.RestApi] = None
    stage: Optional[aws.apigateway.Stage] = None
    shipped_log_groups: list[ShippedLogGroup] = field(default_factory=list)
    outputs: dict[str, pulumi.Input] = field(default_factory=dict)

    @property
    def dashboard_name(self) -> str:
        return self.naming.dashboard()

    @property
    def dashboard_url(self) -> str:
        return (f"https://{self.region}.console.aws.amazon.com/cloudwatch/home?region={self.region}"
                f"#dashboards/dashboard/{self.dashboard_name}")

    def opts(self, parent: pulumi.Resource, **extra) -> pulumi.ResourceOptions:
        """Options for every AWS resource: the explicit regional provider, never the default one."""
        return pulumi.ResourceOptions(parent=parent, provider=self.provider, **extra)

    def holds_data(self) -> dict:
        """Options for what holds data (the archive's key and bucket): kept when the stack is
        destroyed, and on a protected stage `protect`ed so destroy refuses to run at all."""
        return {"retain_on_delete": True, "protect": self.app.protect}

    def arn(self, service: str, resource: str, *, region: bool = True) -> pulumi.Output[str]:
        """An ARN in this partition, region and account, e.g. arn('logs', 'log-group:/aws/x:*')."""
        where = self.region if region else ""
        return self.account_id.apply(lambda account: f"arn:{self.partition}:{service}:{where}:{account}:{resource}")


def default_tags(app: App) -> dict[str, str]:
    """The operator's tags plus ours; ours win (the schema forbids overriding them)."""
    return {**dict(app.tags), "app": app.name, "stage": app.stage, "managed-by": "serverless-spec-compiler"}


def new_context(app: App, region: str, project_root: Path, root: pulumi.Resource, offline: bool = False) -> BuildContext:
    """The context for `region`: an explicit provider pinned to it with the app's default tags,
    under the app's root component like everything else."""
    provider = aws.Provider(f"aws-{region}", region=region, default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(app)),
                            opts=pulumi.ResourceOptions(parent=root))
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider))
    return BuildContext(app=app, region=region, provider=provider, naming=Naming(app.name, app.stage, region),
                        account_id=identity.account_id, project_root=project_root, offline=offline, root=root)
