"""The typed model: what a valid spec means, every default applied (see normalize.py).

Frozen dataclasses with tuples, sorted by spec keys, so equal specs give equal models whatever
the order they were written in; nothing after normalize reads the raw YAML.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Throttling:
    rate_limit: float
    burst_limit: int


@dataclass(frozen=True)
class Alarm:
    """One alarm kind from the spec; per-function kinds become one CloudWatch alarm per function."""

    kind: str
    threshold: float
    period_s: int
    evaluation_periods: int
    statistic: Optional[str] = None

    @property
    def per_function(self) -> bool:
        return self.kind.startswith("function_")


@dataclass(frozen=True)
class KeyAttribute:
    name: str
    type: str  # "S" | "N" | "B"


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: KeyAttribute
    sort_key: Optional[KeyAttribute]
    projection: str  # "ALL" | "KEYS_ONLY", as DynamoDB spells it


@dataclass(frozen=True)
class Autoscale:
    max_read: int
    max_write: int
    target_utilization_percent: int


@dataclass(frozen=True)
class Table:
    key: str
    partition_key: KeyAttribute
    sort_key: Optional[KeyAttribute]
    provisioned: bool
    read_capacity: Optional[int]
    write_capacity: Optional[int]
    autoscale: Optional[Autoscale]
    ttl_attribute: Optional[str]
    point_in_time_recovery: bool
    stream: Optional[str]  # "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES"
    indexes: tuple[Index, ...]

    def attributes(self) -> tuple[KeyAttribute, ...]:
        """Every key attribute of the table and its indexes, once each (DynamoDB's attribute definitions)."""
        keys = [self.partition_key, self.sort_key, *(k for i in self.indexes for k in (i.partition_key, i.sort_key))]
        return tuple(sorted({k for k in keys if k is not None}, key=lambda k: k.name))


@dataclass(frozen=True)
class Secret:
    key: str
    ssm_parameter: Optional[str]
    secrets_manager: Optional[str]
    kms_key: Optional[str]


@dataclass(frozen=True)
class Permission:
    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class Uses:
    tables: tuple[tuple[str, str], ...] = ()  # (table key, "read" | "write" | "read_write")
    secrets: tuple[str, ...] = ()
    permissions: tuple[Permission, ...] = ()


@dataclass(frozen=True)
class ProvisionedConcurrency:
    min: int
    max: int
    target_utilization_percent: int


@dataclass(frozen=True)
class Function:
    key: str
    handler: str
    runtime: str
    architecture: str
    memory_mb: int
    timeout_s: int
    reserved_concurrency: Optional[int]
    environment: tuple[tuple[str, str], ...]
    description: str = ""
    # The function's effective function_* alarms: its own overrides merged over the spec-wide ones.
    alarms: tuple[Alarm, ...] = ()
    code: str = "runtime_handlers"
    requirements: Optional[str] = None
    uses: Uses = Uses()
    provisioned_concurrency: Optional[ProvisionedConcurrency] = None


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    api_key_required: bool
    throttling: Optional[Throttling]
    auth: Optional[str] = None  # an authorizer's key; None = no authorizer
    scopes: tuple[str, ...] = ()
    body_schema: Optional[str] = None  # the file, relative to the project root
    body_model: Optional[str] = None  # its JSON Schema as canonical JSON text

    def method_settings_path(self, method: str) -> str:
        """`~1items~1{id}/GET`: the method path MethodSettings expects for `method` of this route's
        resource. API Gateway's stage patch paths escape every '/' of the resource path as '~1'
        (JSON Pointer); an unescaped nested path is rejected as an invalid method setting path."""
        return f"{self.path.replace('/', '~1')}/{method}"


@dataclass(frozen=True)
class Quota:
    limit: int
    period: str


@dataclass(frozen=True)
class UsagePlan:
    key: str
    description: str
    throttling: Optional[Throttling]
    quota: Optional[Quota]
    api_keys: tuple[str, ...]


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    max_age_s: int
    allow_credentials: bool


@dataclass(frozen=True)
class Authorizer:
    key: str
    type: str  # "cognito" | "lambda" | "iam"
    user_pool_arns: tuple[str, ...] = ()
    function: Optional[str] = None
    identity: tuple[str, ...] = ()  # sources as written: header.Authorization, query.token, ...
    cache_ttl_s: int = 300

    @property
    def request_type(self) -> bool:
        """A Lambda authorizer reading several sources (or not a header) is REQUEST, else TOKEN."""
        return len(self.identity) != 1 or not self.identity[0].startswith("header.")


@dataclass(frozen=True)
class Waf:
    managed_rules: tuple[str, ...] = ()
    rate_limit_per_ip: Optional[int] = None
    web_acl_arn: Optional[str] = None


@dataclass(frozen=True)
class ApiLogging:
    execution: str  # "OFF" | "ERROR" | "INFO", as API Gateway spells the logging level
    data_trace: bool
    detailed_metrics: bool


@dataclass(frozen=True)
class Api:
    endpoint: str  # "REGIONAL" | "EDGE", as API Gateway spells it
    create_cloudwatch_role: bool
    throttling: Optional[Throttling]
    routes: tuple[Route, ...]
    usage_plans: tuple[UsagePlan, ...]
    logging: ApiLogging = ApiLogging("ERROR", False, False)
    cors: Optional[Cors] = None
    authorizers: tuple[Authorizer, ...] = ()
    waf: Optional[Waf] = None

    def authorizer(self, key: str) -> Authorizer:
        return next(a for a in self.authorizers if a.key == key)

    def functions_served(self) -> tuple[str, ...]:
        return tuple(sorted({route.function for route in self.routes}))


@dataclass(frozen=True)
class Archive:
    expire_after_days: int
    noncurrent_expire_after_days: int
    replicate_to: Optional[str] = None


@dataclass(frozen=True)
class Logs:
    retention_days: int
    archive: Archive


@dataclass(frozen=True)
class Alarms:
    notify: tuple[str, ...]
    alarms: tuple[Alarm, ...]

    def get(self, kind: str) -> Optional[Alarm]:
        return next((a for a in self.alarms if a.kind == kind), None)


@dataclass(frozen=True)
class Domain:
    name: str
    hosted_zone_id: str


@dataclass(frozen=True)
class HealthCheck:
    route: str
    match: str
    interval_s: int
    failure_threshold: int
    checker_regions: tuple[str, ...]


@dataclass(frozen=True)
class Availability:
    mode: str  # "active-active" | "active-passive"
    regions: tuple[str, ...]  # in failover order
    health_check: HealthCheck
    drain: tuple[str, ...] = ()

    def routed(self) -> tuple[str, ...]:
        """The regions DNS sends traffic to: every region not drained, in failover order."""
        return tuple(r for r in self.regions if r not in self.drain)


@dataclass(frozen=True)
class App:
    name: str
    stage: str
    region: str
    tags: tuple[tuple[str, str], ...]
    functions: tuple[Function, ...]
    api: Optional[Api]
    logs: Logs
    alarms: Alarms
    protect: bool = False
    tables: tuple[Table, ...] = ()
    secrets: tuple[Secret, ...] = ()
    domain: Optional[Domain] = None
    availability: Optional[Availability] = None
    # The spec's path relative to the project root: deployed text may name it, and it must not
    # depend on how the path was spelled or where the command ran.
    spec_file: str = field(default="", compare=False)

    def function(self, key: str) -> Function:
        return next(f for f in self.functions if f.key == key)

    @property
    def regions(self) -> tuple[str, ...]:
        """Every region the app runs in, the primary (`region`) first: it holds what exists once
        per app (each table's primary copy), the others follow in the spec's order."""
        listed = self.availability.regions if self.availability else ()
        return (self.region, *(r for r in listed if r != self.region))

    @property
    def multi_region(self) -> bool:
        return len(self.regions) > 1

    @property
    def has_global_part(self) -> bool:
        """Whether anything lives outside the regions: DNS, health checks and their alarms."""
        return self.domain is not None or self.availability is not None
