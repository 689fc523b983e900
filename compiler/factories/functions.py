"""One component per function: its log group first, a least-privilege role, then the function.

The log group `/aws/lambda/<name>` exists (retention, KMS) before the function can write, so
Lambda never creates an unmanaged, never-expiring group on first invoke.
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import BuildContext, ShippedLogGroup
from ..model import Function
from .. import cors
from ..packaging import code_archive
from . import grants, layers
from .base import Component, assume_role_policy, policy_document, statement

# The alias the API invokes when a function has provisioned concurrency.
LIVE_ALIAS = "live"


class FunctionComponent(Component):
    kind = "Function"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource, fn: Function, code: pulumi.Archive):
        super().__init__(f"fn-{fn.key}", ctx, parent)
        name = ctx.naming.function(fn.key)
        self.log_group = aws.cloudwatch.LogGroup(
            self.child("logs"),
            name=ctx.naming.function_log_group(fn.key),
            retention_in_days=ctx.app.logs.retention_days,
            kms_key_id=ctx.key.arn,
            opts=self.opts(),
        )
        self.role = aws.iam.Role(
            self.child("role"),
            name=ctx.naming.role(f"{fn.key}-fn"),
            description=f"Execution role of {name}",
            assume_role_policy=assume_role_policy("lambda.amazonaws.com"),
            opts=self.opts(),
        )
        statements = [
            statement("WriteOwnLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"],
                      [self.log_group.arn.apply(lambda arn: f"{arn}:*")]),
            # X-Ray has no resource-level permissions: "*" is the only valid resource here.
            statement("ActiveTracing", ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "*"),
        ]
        statements += grants.statements(ctx, fn)
        environment = {**dict(fn.environment), **grants.environment(ctx, fn)}
        api = ctx.app.api
        if api is not None and api.cors is not None and fn.key in api.functions_served():
            environment.update(cors.function_environment(api.cors))
        if environment:
            # Lambda decrypts the variables at rest with the execution role, through Lambda and
            # with the function's ARN as encryption context. The ARN is built, not read from the
            # function, which depends on this policy.
            statements.append(statement(
                "DecryptOwnEnvironment", ["kms:Decrypt"], ctx.key.arn,
                condition={"StringEquals": {"kms:ViaService": f"lambda.{ctx.region}.amazonaws.com",
                                            "kms:EncryptionContext:aws:lambda:FunctionArn": ctx.arn("lambda", f"function:{name}")}}))
        self.policy = aws.iam.RolePolicy(self.child("policy"), role=self.role.id,
                                         policy=policy_document(*statements), opts=self.opts())
        self.function = aws.lambda_.Function(
            self.child("function"),
            name=name,
            description=fn.description or f"{ctx.app.name} {fn.key} ({ctx.app.stage})",
            role=self.role.arn,
            runtime=fn.runtime,
            handler=fn.handler,
            architectures=[fn.architecture],
            memory_size=fn.memory_mb,
            timeout=fn.timeout_s,
            reserved_concurrent_executions=fn.reserved_concurrency,
            code=code,
            layers=[layers.layer_for(ctx, fn).arn] if fn.requirements else None,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=environment) if environment else None,
            kms_key_arn=ctx.key.arn if environment else None,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=self.log_group.name,
                application_log_level="INFO", system_log_level="WARN"),
            # Versions are what provisioned concurrency keeps warm: each deploy publishes one.
            publish=True if fn.provisioned_concurrency else None,
            # The role's permissions must exist before the first invocation writes logs.
            opts=self.opts(depends_on=[self.policy]),
        )
        if fn.provisioned_concurrency is not None:
            ctx.aliases[fn.key] = self._provisioned(fn, name)
        ctx.functions[fn.key] = self.function
        ctx.shipped_log_groups.append(ShippedLogGroup(f"lambda/{fn.key}", self.log_group))
        self.register_outputs({"name": self.function.name, "arn": self.function.arn})


    def _provisioned(self, fn: Function, name: str) -> aws.lambda_.Alias:
        """The alias `live` on the latest published version, kept warm between min and max by
        Application Auto Scaling's target tracking on LambdaProvisionedConcurrencyUtilization."""
        pc = fn.provisioned_concurrency
        alias = aws.lambda_.Alias(self.child("live"), name=LIVE_ALIAS, function_name=self.function.name,
                                  function_version=self.function.version,
                                  description="The version the API invokes, with provisioned concurrency", opts=self.opts())
        config = aws.lambda_.ProvisionedConcurrencyConfig(
            self.child("provisioned-concurrency"), function_name=self.function.name, qualifier=alias.name,
            provisioned_concurrent_executions=pc.min,
            # The autoscaler owns the value after the first deploy; re-applying min would undo it.
            opts=self.opts(ignore_changes=["provisionedConcurrentExecutions"]))
        target = aws.appautoscaling.Target(
            self.child("pc-target"), service_namespace="lambda",
            resource_id=alias.name.apply(lambda a: f"function:{name}:{a}"),
            scalable_dimension="lambda:function:ProvisionedConcurrency",
            min_capacity=pc.min, max_capacity=pc.max,
            # Registering a target needs the alias's configuration to exist.
            opts=self.opts(depends_on=[config]))
        aws.appautoscaling.Policy(
            self.child("pc-policy"),
            name=self.ctx.naming.physical(f"{fn.key}-provisioned-concurrency", 256),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace, resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                # This metric is a fraction (0.7 = 70 %), unlike DynamoDB's utilisation in percent.
                target_value=pc.target_utilization_percent / 100,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="LambdaProvisionedConcurrencyUtilization")),
            opts=self.opts())
        return alias


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    archives: dict[str, pulumi.Archive] = {}  # one archive per code folder, however many functions share it
    for fn in ctx.app.functions:
        if fn.code not in archives:
            archives[fn.code] = code_archive(ctx.project_root, fn.code)
        FunctionComponent(ctx, parent, fn, archives[fn.code])
    ctx.outputs["function_names"] = {fn.key: ctx.functions[fn.key].name for fn in ctx.app.functions}
