"""Usage plans: throttling and quotas for callers that present an API key.

They only govern requests carrying a key; the limits for everyone are the API's MethodSettings.
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import BuildContext
from ..model import UsagePlan
from .base import Component


class UsagePlanComponent(Component):
    kind = "UsagePlan"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource, plan: UsagePlan):
        super().__init__(f"plan-{plan.key}", ctx, parent)
        naming = ctx.naming
        self.plan = aws.apigateway.UsagePlan(
            self.child("usage-plan"),
            name=naming.physical(plan.key, 255),
            description=plan.description or f"{ctx.app.name} {plan.key} ({ctx.app.stage})",
            api_stages=[aws.apigateway.UsagePlanApiStageArgs(api_id=ctx.rest_api.id, stage=ctx.stage.stage_name)],
            throttle_settings=aws.apigateway.UsagePlanThrottleSettingsArgs(
                rate_limit=plan.throttling.rate_limit, burst_limit=plan.throttling.burst_limit) if plan.throttling else None,
            quota_settings=aws.apigateway.UsagePlanQuotaSettingsArgs(
                limit=plan.quota.limit, period=plan.quota.period) if plan.quota else None,
            opts=self.opts(),
        )
        self.key_ids = {}
        for key in plan.api_keys:
            # '/' cannot occur in plan or key names, so `<plan>/<key>` never collides.
            # With several regions every region's key takes the one generated value (api_key_values.py).
            value = ctx.fleet.api_key_values.get(key) if ctx.fleet is not None else None
            api_key = aws.apigateway.ApiKey(f"{self.component_name}/{key}", name=naming.physical(key, 1024),
                                             description=f"{key} on plan {plan.key}", enabled=True, value=value, opts=self.opts())
            aws.apigateway.UsagePlanKey(f"{self.component_name}/{key}-binding", key_id=api_key.id, key_type="API_KEY",
                                        usage_plan_id=self.plan.id, opts=self.opts())
            self.key_ids[key] = api_key.id
        self.register_outputs({"id": self.plan.id})


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    if ctx.app.api is None or not ctx.app.api.usage_plans:
        return
    key_ids = {}
    for plan in ctx.app.api.usage_plans:
        key_ids.update(UsagePlanComponent(ctx, parent, plan).key_ids)
    # Key ids, not values: values are secrets, read with `aws apigateway get-api-key --include-value`.
    ctx.outputs["api_key_ids"] = key_ids
