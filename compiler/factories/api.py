"""The REST API: OpenAPI body, invoke permissions, deployment, stage, method settings, logging role.

Limits for every caller are MethodSettings (`*/*` stage-wide, `<path>/<METHOD>` per route);
usage-plan limits (usage_plans.py) apply only to requests that carry an API key.
"""
from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from .. import openapi
from ..context import BuildContext, ShippedLogGroup
from ..model import ApiLogging, Route, Throttling
from ..naming import fit
from .base import Component, assume_role_policy, policy_document, statement

# One JSON line per request in the access log: enough to find a request, its route and outcome.
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "extendedRequestId": "$context.extendedRequestId",
    "ip": "$context.identity.sourceIp", "userAgent": "$context.identity.userAgent",
    "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath", "path": "$context.path", "status": "$context.status",
    "protocol": "$context.protocol", "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency", "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integration.status", "errorMessage": "$context.error.message",
    "apiKeyId": "$context.identity.apiKeyId", "xrayTraceId": "$context.xrayTraceId",
}, sort_keys=True, separators=(",", ":"))

# The policy of AWS's AmazonAPIGatewayPushToCloudWatchLogs, written out and scoped to this
# account and region instead of every log group everywhere.
PUSH_TO_LOGS_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
                        "logs:FilterLogEvents", "logs:GetLogEvents", "logs:PutLogEvents")


# What `ANY` stands for. MethodSettings documents only `*/*` and `{resource_path}/{http_method}`
# as method paths (UpdateStage patch paths), so a throttled ANY route becomes one setting per
# concrete method instead of the undocumented `<path>/*`.
ANY_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def route_method_settings(routes: tuple[Route, ...], preflight: bool = False) -> list[tuple[str, Route]]:
    """(method, route) for every method a throttled route covers, an ANY route expanded to the
    concrete methods no route of the same path names itself (those keep their own limits, as
    API Gateway routes them to their own method, not to ANY). With CORS (`preflight`) every path
    has its own OPTIONS method answering preflights, which an ANY route's limits do not cover."""
    explicit = {(route.path, route.method) for route in routes if route.method != "ANY"}
    if preflight:
        explicit |= {(route.path, "OPTIONS") for route in routes}
    out = []
    for route in routes:
        if route.throttling is None:
            continue
        methods = [m for m in ANY_METHODS if (route.path, m) not in explicit] if route.method == "ANY" else [route.method]
        out.extend((method, route) for method in methods)
    return out


def _log_settings(logging: ApiLogging) -> dict:
    return {"metrics_enabled": logging.detailed_metrics, "logging_level": logging.execution,
            "data_trace_enabled": logging.data_trace}


def _throttle(settings: dict, throttling: Throttling | None) -> dict:
    if throttling is not None:
        settings.update(throttling_rate_limit=throttling.rate_limit, throttling_burst_limit=throttling.burst_limit)
    return settings


class ApiComponent(Component):
    kind = "Api"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource):
        super().__init__("api", ctx, parent)
        app, api, naming = ctx.app, ctx.app.api, ctx.naming
        served = api.functions_served()
        # A function with provisioned concurrency is invoked through its alias `live`.
        invoke_arns = {key: (ctx.aliases.get(key) or ctx.functions[key]).invoke_arn for key in served}
        authorizer_arns = {key: ctx.functions[key].invoke_arn for key in openapi.authorizer_functions(api)}
        body = pulumi.Output.all(invoke_arns, authorizer_arns).apply(lambda uris: openapi.render(app, uris[0], uris[1]))
        self.rest_api = aws.apigateway.RestApi(
            self.child("rest-api"),
            name=naming.physical("api"),
            description=f"{app.name} ({app.stage}), generated from {app.spec_file or 'the spec'}",
            body=body,
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types=api.endpoint),
            put_rest_api_mode="overwrite",
            fail_on_warnings=True,
            opts=self.opts(),
        )
        # One permission per function for the whole API: per-route permissions would hit the
        # 20 KB function policy limit on large APIs.
        for key in served:
            self._invoke_permission(f"invoke-{key}", key, "*/*")
        # A Lambda authorizer is invoked by API Gateway too, through the API's authorizers only.
        for key in openapi.authorizer_functions(api):
            self._invoke_permission(f"authorize-{key}", key, "authorizers/*")
        self.deployment = aws.apigateway.Deployment(
            self.child("deployment"),
            rest_api=self.rest_api.id,
            # The hash of the body as rendered, integration URIs included: pointing a route at
            # another function or alias changes it, and only a new deployment reaches the stage.
            description=body.apply(lambda text: f"routes sha256 {openapi.text_hash(text)[:12]}"),
            triggers={"openapi_sha256": body.apply(openapi.text_hash)},
            opts=self.opts(),
        )
        logging_ready = self._cloudwatch_role() if api.create_cloudwatch_role else []
        self.access_logs = aws.cloudwatch.LogGroup(
            self.child("access-logs"), name=naming.api_access_log_group(),
            retention_in_days=app.logs.retention_days, kms_key_id=ctx.key.arn, opts=self.opts())
        # Pre-created so it has retention, encryption and shipping; API Gateway would otherwise
        # create it on first request with none of them.
        self.execution_logs = aws.cloudwatch.LogGroup(
            self.child("execution-logs"),
            name=self.rest_api.id.apply(lambda api_id: f"API-Gateway-Execution-Logs_{api_id}/{app.stage}"),
            retention_in_days=app.logs.retention_days, kms_key_id=ctx.key.arn, opts=self.opts())
        self.stage = aws.apigateway.Stage(
            self.child("stage"),
            rest_api=self.rest_api.id,
            deployment=self.deployment.id,
            stage_name=app.stage,
            description=f"{app.name} {app.stage}",
            xray_tracing_enabled=True,
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(destination_arn=self.access_logs.arn, format=ACCESS_LOG_FORMAT),
            opts=self.opts(depends_on=[*logging_ready, self.execution_logs]),
        )
        logging = api.logging
        aws.apigateway.MethodSettings(
            self.child("settings-all"),
            rest_api=self.rest_api.id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(**_throttle(_log_settings(logging), api.throttling)),
            opts=self.opts(),
        )
        for method, route in route_method_settings(api.routes, preflight=api.cors is not None):
            aws.apigateway.MethodSettings(
                self.child(f"settings-{method} {route.path}"),
                rest_api=self.rest_api.id,
                stage_name=self.stage.stage_name,
                method_path=route.method_settings_path(method),
                settings=aws.apigateway.MethodSettingsSettingsArgs(**_throttle(_log_settings(logging), route.throttling)),
                opts=self.opts(),
            )
        ctx.rest_api, ctx.stage = self.rest_api, self.stage
        ctx.shipped_log_groups.append(ShippedLogGroup("apigateway/access", self.access_logs))
        ctx.shipped_log_groups.append(ShippedLogGroup("apigateway/execution", self.execution_logs))
        ctx.outputs["api_url"] = self.stage.invoke_url
        ctx.outputs["api_id"] = self.rest_api.id
        self.register_outputs({"url": self.stage.invoke_url})

    def _invoke_permission(self, name: str, function: str, source: str) -> None:
        """API Gateway may invoke `function` for `<execution arn>/<source>` only."""
        aws.lambda_.Permission(
            self.child(name),
            action="lambda:InvokeFunction",
            function=self.ctx.functions[function].name,
            # The alias, when the API invokes one: a permission on the function alone does not cover it.
            qualifier=self.ctx.aliases[function].name if function in self.ctx.aliases else None,
            principal="apigateway.amazonaws.com",
            source_arn=self.rest_api.execution_arn.apply(lambda arn: f"{arn}/{source}"),
            opts=self.opts(),
        )

    def _cloudwatch_role(self) -> list[pulumi.Resource]:
        """The regional `apigateway.Account` logging role: one setting per account and region,
        shared by every API there, so no stack may ever take it away.

        Each stack that creates it makes its own role (a unique generated name: recreating a
        destroyed stack never collides with the role it left) and points the setting at it. Role,
        policy and setting are retained on destroy, as AWS CDK retains its RestApi CloudWatch role:
        destroying one stack leaves the setting pointing at a role that still works, so no other
        API in the region loses its logs. With several apps, the setting points at whichever
        stack deployed last; all such roles carry the same permissions. The alternative, one
        account-level stack owning the setting (`cloudwatch_role: external`), is in the README.
        """
        ctx = self.ctx
        role = aws.iam.Role(
            self.child("cloudwatch-role"),
            # IAM's generated suffix is 26 characters; the prefix may have at most 38.
            name_prefix=fit(f"{ctx.naming.prefix}-apigw-{ctx.region}", 37) + "-",
            description=f"API Gateway account logging role (execution and access logs) in {ctx.region}, set by {ctx.naming.prefix}",
            assume_role_policy=assume_role_policy("apigateway.amazonaws.com"),
            opts=self.opts(retain_on_delete=True),
        )
        policy = aws.iam.RolePolicy(
            self.child("cloudwatch-policy"),
            role=role.id,
            policy=policy_document(statement("PushToCloudWatchLogsInThisRegion", PUSH_TO_LOGS_ACTIONS, [
                ctx.arn("logs", "log-group:*"), ctx.arn("logs", "log-group:*:log-stream:*")])),
            opts=self.opts(retain_on_delete=True),
        )
        # In pulumi-aws v7 deleting this resource resets the account's role: retained instead.
        account = aws.apigateway.Account(self.child("account"), cloudwatch_role_arn=role.arn,
                                         opts=self.opts(depends_on=[policy], retain_on_delete=True))
        return [account]


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    if ctx.app.api is not None:
        ApiComponent(ctx, parent)
