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


@dataclass(frozen=True)
class TableRef:
    """A table as one region's functions and alarms see it: the primary table, or its replica."""

    name: pulumi.Input[str]
    arn: pulumi.Output[str]


@dataclass
class Fleet:
    """What the regions of one app share, and the global part built once per app.

    `global_ctx` is a context like a region's, pinned to us-east-1 (Route 53 publishes health-check
    metrics only there) and named `global` (its logical and account-wide names never meet a
    region's); it exists only when the app has a domain or several regions.
    """

    app: App
    global_ctx: Optional["BuildContext"] = None
    api_key_values: dict[str, pulumi.Output[str]] = field(default_factory=dict)
    primary_tables: dict[str, aws.dynamodb.Table] = field(default_factory=dict)
    validation_records: dict[str, pulumi.Resource] = field(default_factory=dict)
    regions: dict[str, "BuildContext"] = field(default_factory=dict)


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
    tables: dict[str, aws.dynamodb.Table | TableRef] = field(default_factory=dict)
    layers: dict[str, aws.lambda_.LayerVersion] = field(default_factory=dict)  # by content hash
    waf_name: Optional[str] = None  # the web ACL created here (its metrics on the dashboard)
    # Offline (plan): nothing that needs the network or writes build output runs (layer builds).
    offline: bool = False
    root: Optional[pulumi.Resource] = None
    rest_api: Optional[aws.apigateway.RestApi] = None
    stage: Optional[aws.apigateway.Stage] = None
    fleet: Optional[Fleet] = None
    archive_versioning: Optional[pulumi.Resource] = None
    # Functions with provisioned concurrency: the API invokes their alias `live`, not $LATEST.
    aliases: dict[str, aws.lambda_.Alias] = field(default_factory=dict)
    domain_name: Optional[aws.apigateway.DomainName] = None
    health_check: Optional[pulumi.CustomResource] = None  # Route 53's check of this region (global part)
    shipped_log_groups: list[ShippedLogGroup] = field(default_factory=list)
    outputs: dict[str, pulumi.Input] = field(default_factory=dict)

    @property
    def primary(self) -> bool:
        """Whether this is the app's primary region (`region`), which holds each table's primary copy."""
        return self.region == self.app.region

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


GLOBAL_REGION = "us-east-1"
GLOBAL_LABEL = "global"


def new_context(app: App, region: str, project_root: Path, root: pulumi.Resource, offline: bool = False,
                fleet: Optional[Fleet] = None, label: Optional[str] = None) -> BuildContext:
    """The context for `region`: an explicit provider pinned to it with the app's default tags,
    under the app's root component like everything else. `label` replaces the region in names
    (the global part is `global`, though its provider is in us-east-1)."""
    label = label or region
    provider = aws.Provider(f"aws-{label}", region=region, default_tags=aws.ProviderDefaultTagsArgs(tags=default_tags(app)),
                            opts=pulumi.ResourceOptions(parent=root))
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider))
    return BuildContext(app=app, region=region, provider=provider, naming=Naming(app.name, app.stage, label),
                        account_id=identity.account_id, project_root=project_root, offline=offline, root=root, fleet=fleet)
