"""AWS WAF in front of the stage: a regional web ACL with the spec's AWS managed rule groups and an
optional rate-based rule per client IP, associated with the stage; or an existing ACL by ARN.

The ACL's logs go to a log group whose name starts with `aws-waf-logs-` (WAF accepts no other),
encrypted with the app's key and archived like every other log (shipping.py). Abusive traffic is
then filtered before it reaches (and costs) a function.
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import BuildContext, ShippedLogGroup
from ..model import Waf
from .base import Component

WAF_SOURCE = "waf/acl"


def _visibility(metric: str) -> dict:
    return dict(cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True)


def rules(waf: Waf, metric_prefix: str) -> list:
    out = []
    for priority, name in enumerate(waf.managed_rules):
        out.append(aws.wafv2.WebAclRuleArgs(
            name=name, priority=priority,
            # `none`: the group's own actions apply (a `count` override would only observe).
            override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(name=name, vendor_name="AWS")),
            visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(**_visibility(f"{metric_prefix}-{name}"))))
    if waf.rate_limit_per_ip is not None:
        out.append(aws.wafv2.WebAclRuleArgs(
            name="rate-limit-per-ip", priority=len(waf.managed_rules),
            action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                limit=waf.rate_limit_per_ip, aggregate_key_type="IP")),
            visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(**_visibility(f"{metric_prefix}-rate-limit"))))
    return out


class WafComponent(Component):
    kind = "Waf"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource, waf: Waf):
        super().__init__("waf", ctx, parent)
        naming = ctx.naming
        acl_arn: pulumi.Input[str]
        if waf.web_acl_arn:
            acl_arn = waf.web_acl_arn
        else:
            name = naming.physical("waf", 128)
            self.log_group = aws.cloudwatch.LogGroup(
                self.child("logs"), name=naming.waf_log_group(), retention_in_days=ctx.app.logs.retention_days,
                kms_key_id=ctx.key.arn, opts=self.opts())
            acl = aws.wafv2.WebAcl(
                self.child("acl"), name=name, scope="REGIONAL", description=f"{ctx.app.name} {ctx.app.stage} API",
                default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
                rules=rules(waf, name), visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(**_visibility(name)),
                opts=self.opts())
            aws.wafv2.WebAclLoggingConfiguration(
                self.child("logging"), resource_arn=acl.arn, log_destination_configs=[self.log_group.arn], opts=self.opts())
            ctx.shipped_log_groups.append(ShippedLogGroup(WAF_SOURCE, self.log_group))
            ctx.waf_name = name
            acl_arn = acl.arn
        self.association = aws.wafv2.WebAclAssociation(
            self.child("association"), resource_arn=ctx.stage.arn, web_acl_arn=acl_arn, opts=self.opts())
        self.register_outputs({"web_acl_arn": acl_arn})


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    if ctx.app.api is not None and ctx.app.api.waf is not None:
        WafComponent(ctx, parent, ctx.app.api.waf)
