"""Deterministic names from spec keys only (never list positions): renaming a key replaces the
resource, reordering the spec changes nothing.

Physical (AWS) names are `<app>-<stage>-<part>`. Names AWS keeps per account rather than per
region (IAM roles, CloudWatch dashboards) also end in the region, so the same app and stage in two
regions never share one. When a name exceeds the service's limit the middle is shortened and an
8-character hash of the full name keeps it unique and stable.

Logical (Pulumi) names carry the region too (`Naming.logical`): a URN holds the parent's *type*,
not its name, so two regions built in one stack would otherwise collide.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

LAMBDA_MAX = 64
IAM_ROLE_MAX = 64
S3_BUCKET_MAX = 63
DEFAULT_MAX = 64
DASHBOARD_MAX = 255


def fit(name: str, limit: int) -> str:
    """`name` itself when short enough, else a prefix plus '-' and a stable 8-character hash."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9].rstrip('-')}-{digest}"


@dataclass(frozen=True)
class Naming:
    app: str
    stage: str
    region: str

    @property
    def prefix(self) -> str:
        return f"{self.app}-{self.stage}"

    def physical(self, part: str, limit: int = DEFAULT_MAX) -> str:
        return fit(f"{self.prefix}-{part}", limit)

    def function(self, key: str) -> str:
        return self.physical(key, LAMBDA_MAX)

    def role(self, part: str) -> str:
        """IAM role names are global to the account: `<app>-<stage>-<part>-<region>`."""
        return fit(f"{self.prefix}-{part}-{self.region}", IAM_ROLE_MAX)

    def dashboard(self) -> str:
        """CloudWatch dashboards are global to the account (not regional): `<app>-<stage>-<region>`."""
        return fit(f"{self.prefix}-{self.region}", DASHBOARD_MAX)

    def logical(self, name: str) -> str:
        """A Pulumi resource name unique across the regions of one stack."""
        return f"{name}-{self.region}"

    def function_log_group(self, key: str) -> str:
        # Lambda's default group: reusing it means anything Lambda writes before the first deploy
        # of logging_config still lands in a group we own (retention, KMS, shipping).
        return f"/aws/lambda/{self.function(key)}"

    def api_access_log_group(self) -> str:
        return f"/aws/apigateway/{self.prefix}-access"

    def waf_log_group(self) -> str:
        """WAF logs only to groups named `aws-waf-logs-...`."""
        return f"aws-waf-logs-{self.prefix}"

    def firehose_log_group(self) -> str:
        return f"/aws/kinesisfirehose/{self.prefix}"

    def archive_bucket(self, account_id: str) -> str:
        """Globally unique without randomness: S3 names are global, account id and region are not
        shared. Past 63 characters the app-stage part is shortened, never the account or region."""
        suffix = f"-logs-{account_id}-{self.region}"
        return (fit(self.prefix, S3_BUCKET_MAX - len(suffix)) + suffix).lower()

    def log_group_arn_prefixes(self) -> tuple[str, ...]:
        """Name patterns of every log group this app creates (for the KMS key policy's conditions)."""
        return (f"/aws/lambda/{self.prefix}-*", f"/aws/apigateway/{self.prefix}-*",
                f"/aws/kinesisfirehose/{self.prefix}*", f"API-Gateway-Execution-Logs_*/{self.stage}",
                f"aws-waf-logs-{self.prefix}")
