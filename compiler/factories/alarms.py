"""Alarms with the spec's thresholds, an encrypted SNS topic and its e-mail subscriptions.

Only metrics that exist: AWS/Lambda has no ErrorRate, so the error rate is metric math
`100 * errors / invocations`. Each alarm notifies on ALARM and on OK, treats missing data as
not breaching, and its description (a jinja2 template) tells the person paged where to look.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..context import BuildContext
from ..model import Alarm, Function
from .base import Component, policy_document, statement

FUNCTION_METRICS = {"function_errors": "Errors", "function_throttles": "Throttles", "function_duration_ms": "Duration"}
API_METRICS = {"api_4xx": "4XXError", "api_5xx": "5XXError", "api_latency_ms": "Latency"}
SUFFIXES = {"function_errors": "errors", "function_error_rate_percent": "error-rate", "function_throttles": "throttles",
            "function_duration_ms": "duration", "api_4xx": "api-4xx", "api_5xx": "api-5xx", "api_latency_ms": "api-latency",
            "table_throttles": "throttles", "table_system_errors": "system-errors"}
TABLE_KINDS = ("table_throttles", "table_system_errors")
# DynamoDB publishes SystemErrors per TableName *and* Operation: an alarm on TableName alone never
# sees data. An alarm's metric math takes at most 10 metrics, so these operations are summed.
TABLE_OPERATIONS = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
                    "TransactGetItems", "TransactWriteItems")
TOPIC_OWNER_ACTIONS = ("sns:AddPermission", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic",
                       "sns:Publish", "sns:RemovePermission", "sns:SetTopicAttributes", "sns:Subscribe")


@lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("compiler", "templates"), trim_blocks=True, lstrip_blocks=True,
                             autoescape=False, undefined=jinja2.StrictUndefined)
    return env.get_template("alarm_description.txt.j2")


def describe(ctx: BuildContext, alarm: Alarm, target: str, log_groups: list[str], fn: Optional[Function] = None) -> str:
    timeout_s = fn.timeout_s if fn else None
    text = _template().render(alarm=alarm, target=target, threshold=f"{alarm.threshold:g}", log_groups=log_groups,
                              function=fn.key if fn else None,
                              window=f"a {alarm.period_s // 60}-minute period",
                              timeout_s=timeout_s, dashboard_url=ctx.dashboard_url, spec_file=ctx.app.spec_file or "the spec")
    return " ".join(text.split())[:1024]


def subscription_id(address: str) -> str:
    """A stable, non-reversible name part for an e-mail address (case-insensitive, as mail is)."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:16]


def statistic_args(alarm: Alarm, default: str) -> dict:
    """Percentiles go to extended_statistic, the rest to statistic."""
    stat = alarm.statistic or default
    return {"extended_statistic": stat} if stat.startswith("p") else {"statistic": stat}


def alarm_topic(component: Component, name: str, display_name: str, key_arn: pulumi.Input[str]) -> aws.sns.Topic:
    """An SNS topic encrypted with `key_arn` that only this app's alarms (in the component's region
    and account) may publish to, over TLS only, with an e-mail subscription per `notify` address."""
    ctx, naming = component.ctx, component.ctx.naming
    topic = aws.sns.Topic(component.child("topic"), name=name, display_name=display_name, kms_master_key_id=key_arn,
                          opts=component.opts())
    aws.sns.TopicPolicy(component.child("topic-policy"), arn=topic.arn, policy=policy_document(
        statement("AccountManagesTopic", TOPIC_OWNER_ACTIONS, topic.arn,
                  principal={"AWS": ctx.account_id.apply(lambda a: f"arn:{ctx.partition}:iam::{a}:root")}),
        statement("ThisAppsAlarmsPublish", ["sns:Publish"], topic.arn, principal={"Service": "cloudwatch.amazonaws.com"},
                  condition={"ArnLike": {"aws:SourceArn": ctx.arn("cloudwatch", f"alarm:{naming.prefix}-*")},
                             "StringEquals": {"aws:SourceAccount": ctx.account_id}}),
        statement("DenyInsecureTransport", ["sns:Publish", "sns:Subscribe"], topic.arn, effect="Deny",
                  principal={"AWS": "*"}, condition={"Bool": {"aws:SecureTransport": "false"}})),
        opts=component.opts())
    for address in ctx.app.alarms.notify:
        # Named by a hash: an address is personal data and must not sit in URNs and state
        # history; the hash is stable, so reordering `notify` changes nothing.
        aws.sns.TopicSubscription(component.child(f"email-{subscription_id(address)}"), topic=topic.arn, protocol="email",
                                  endpoint=address, opts=component.opts())
    return topic


class Alarms(Component):
    kind = "Alarms"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource):
        super().__init__("alarms", ctx, parent)
        naming = ctx.naming
        self.topic = alarm_topic(self, naming.physical("alarms", 256), f"{ctx.app.name} {ctx.app.stage} alarms", ctx.key.arn)
        ctx.topic = self.topic
        for fn in ctx.app.functions:
            for alarm in fn.alarms:
                ctx.alarms.append(self._function_alarm(alarm, fn))
        for alarm in ctx.app.alarms.alarms:
            if alarm.kind in API_METRICS and ctx.rest_api is not None:
                ctx.alarms.append(self._api_alarm(alarm))
            elif alarm.kind in TABLE_KINDS:
                ctx.alarms.extend(self._table_alarm(alarm, key) for key in ctx.tables)
        ctx.outputs["alarm_topic_arn"] = self.topic.arn
        self.register_outputs({"topic_arn": self.topic.arn})

    def _common(self, alarm: Alarm, name: str, description: pulumi.Input[str]) -> dict:
        return dict(name=name, alarm_description=description, comparison_operator="GreaterThanOrEqualToThreshold",
                    threshold=alarm.threshold, evaluation_periods=alarm.evaluation_periods, treat_missing_data="notBreaching",
                    alarm_actions=[self.topic.arn], ok_actions=[self.topic.arn])

    def _function_alarm(self, alarm: Alarm, fn: Function) -> aws.cloudwatch.MetricAlarm:
        ctx = self.ctx
        function_name = ctx.naming.function(fn.key)
        common = self._common(alarm, ctx.naming.physical(f"{fn.key}-{SUFFIXES[alarm.kind]}", 255),
                              describe(ctx, alarm, function_name, [ctx.naming.function_log_group(fn.key)], fn))
        dimensions = {"FunctionName": ctx.functions[fn.key].name}
        if alarm.kind == "function_error_rate_percent":
            def metric(metric_id: str, metric_name: str):
                return aws.cloudwatch.MetricAlarmMetricQueryArgs(id=metric_id, return_data=False, metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace="AWS/Lambda", metric_name=metric_name, dimensions=dimensions, period=alarm.period_s, stat="Sum"))
            queries = [metric("errors", "Errors"), metric("invocations", "Invocations"),
                       aws.cloudwatch.MetricAlarmMetricQueryArgs(id="error_rate", expression="100 * errors / invocations",
                                                                 label="Error rate (%)", return_data=True)]
            return aws.cloudwatch.MetricAlarm(self.child(f"{fn.key}-{SUFFIXES[alarm.kind]}"), metric_queries=queries, **common, opts=self.opts())
        stat = statistic_args(alarm, "Sum") if alarm.kind == "function_duration_ms" else {"statistic": "Sum"}
        return aws.cloudwatch.MetricAlarm(
            self.child(f"{fn.key}-{SUFFIXES[alarm.kind]}"), namespace="AWS/Lambda", metric_name=FUNCTION_METRICS[alarm.kind],
            dimensions=dimensions, period=alarm.period_s, **stat, **common,
            # Too few samples make a percentile noise: keep the alarm's state instead of paging.
            evaluate_low_sample_count_percentiles="ignore" if "extended_statistic" in stat else None,
            opts=self.opts())

    def _table_alarm(self, alarm: Alarm, key: str) -> aws.cloudwatch.MetricAlarm:
        ctx = self.ctx
        table_name = ctx.tables[key].name

        def metric(metric_id: str, metric_name: str, **dimensions) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
            return aws.cloudwatch.MetricAlarmMetricQueryArgs(id=metric_id, return_data=False, metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace="AWS/DynamoDB", metric_name=metric_name, dimensions={"TableName": table_name, **dimensions},
                period=alarm.period_s, stat="Sum"))
        if alarm.kind == "table_throttles":
            queries = [metric("reads", "ReadThrottleEvents"), metric("writes", "WriteThrottleEvents")]
            total = aws.cloudwatch.MetricAlarmMetricQueryArgs(id="throttles", expression="FILL(reads, 0) + FILL(writes, 0)",
                                                              label="Throttled events", return_data=True)
        else:
            queries = [metric(f"op{i}", "SystemErrors", Operation=op) for i, op in enumerate(TABLE_OPERATIONS)]
            total = aws.cloudwatch.MetricAlarmMetricQueryArgs(id="system_errors", expression="SUM(FILL(METRICS(), 0))",
                                                              label="System errors", return_data=True)
        physical = ctx.naming.physical(key, 255)
        return aws.cloudwatch.MetricAlarm(
            self.child(f"table-{key}-{SUFFIXES[alarm.kind]}"), metric_queries=[*queries, total],
            **self._common(alarm, ctx.naming.physical(f"{key}-table-{SUFFIXES[alarm.kind]}", 255),
                           describe(ctx, alarm, f"{physical} (DynamoDB)", [])),
            opts=self.opts())

    def _api_alarm(self, alarm: Alarm) -> aws.cloudwatch.MetricAlarm:
        ctx = self.ctx
        api_name, stage = ctx.naming.physical("api"), ctx.app.stage
        log_groups = [ctx.naming.api_access_log_group(), f"API-Gateway-Execution-Logs_<api id>/{stage}"]
        description = ctx.rest_api.id.apply(lambda api_id: describe(
            ctx, alarm, f"{api_name} stage {stage}", [g.replace("<api id>", api_id) for g in log_groups]))
        stat = statistic_args(alarm, "Sum") if alarm.kind == "api_latency_ms" else {"statistic": "Sum"}
        return aws.cloudwatch.MetricAlarm(
            self.child(SUFFIXES[alarm.kind]), namespace="AWS/ApiGateway", metric_name=API_METRICS[alarm.kind],
            dimensions={"ApiName": ctx.rest_api.name, "Stage": ctx.stage.stage_name}, period=alarm.period_s, **stat,
            **self._common(alarm, ctx.naming.physical(SUFFIXES[alarm.kind], 255), description),
            evaluate_low_sample_count_percentiles="ignore" if "extended_statistic" in stat else None,
            opts=self.opts())


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    Alarms(ctx, parent)
