"""The global part of an app with a domain or several regions: Route 53 health checks, the DNS
records that route clients, and the health-check alarms.

Health checks (one per region, `HTTPS_STR_MATCH`) probe that region's own execute-api host and
stage, never the shared domain name, which resolves to whichever region DNS picks and so cannot
tell which region failed. A region in `drain` keeps its health check (and everything else) but
gets no record, so DNS stops sending it traffic.

Records: with `availability`, one alias record per routed region with a `set_identifier`, latency
(active-active) or failover (active-passive, first region PRIMARY) routing, its health check and
`evaluate_target_health`; without, one plain alias record to the one region's domain name.

Route 53 publishes health-check metrics only in us-east-1 (Route 53 Developer Guide, "Monitoring
health check status and getting notifications"), so the alarms, their topic and the key that
encrypts it live there, whatever the app's regions.
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import BuildContext, Fleet
from .alarms import alarm_topic
from .base import Component, policy_document, statement
from .security import ADMIN_ACTIONS, ALARM_PUBLISH_ACTIONS

HEALTH_CHECK_PORT = 443


def health_check_path(ctx: BuildContext) -> str:
    """The execute-api path of the health route: the stage comes first on the execute-api host."""
    return f"/{ctx.app.stage}{ctx.app.availability.health_check.route}"


class HealthChecks(Component):
    kind = "HealthChecks"

    def __init__(self, fleet: Fleet):
        g = fleet.global_ctx
        super().__init__("health", g, g.root)
        check = fleet.app.availability.health_check
        for region, ctx in fleet.regions.items():
            ctx.health_check = aws.route53.HealthCheck(
                self.child(region),
                type="HTTPS_STR_MATCH",
                fqdn=ctx.rest_api.id.apply(lambda api_id, r=region: f"{api_id}.execute-api.{r}.amazonaws.com"),
                port=HEALTH_CHECK_PORT,
                resource_path=health_check_path(ctx),
                search_string=check.match,
                request_interval=check.interval_s,
                failure_threshold=check.failure_threshold,
                regions=list(check.checker_regions),
                # execute-api serves many APIs on shared addresses: without SNI the TLS handshake fails.
                enable_sni=True,
                tags={"Name": f"{g.naming.prefix} {region}"},
                opts=self.opts())
        self.register_outputs({})


class HealthAlarms(Component):
    """One alarm per region on HealthCheckStatus, on an encrypted topic in us-east-1."""

    kind = "HealthAlarms"

    def __init__(self, fleet: Fleet):
        g = fleet.global_ctx
        super().__init__("health-alarms", g, g.root)
        naming = g.naming
        topic_name = naming.physical("health-alarms", 256)
        key = aws.kms.Key(
            self.child("key"),
            description=f"{naming.prefix}: the health-check alarm topic (us-east-1)",
            enable_key_rotation=True, rotation_period_in_days=365, deletion_window_in_days=30,
            policy=policy_document(
                statement("AccountAdministersAndDelegates", ADMIN_ACTIONS, "*",
                          principal={"AWS": g.account_id.apply(lambda a: f"arn:{g.partition}:iam::{a}:root")}),
                statement("CloudWatchAlarmsPublishToTheHealthTopic", ALARM_PUBLISH_ACTIONS, "*",
                          principal={"Service": "cloudwatch.amazonaws.com"},
                          condition={"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": g.arn("sns", topic_name)}})),
            opts=self.opts())
        aws.kms.Alias(self.child("key-alias"), name=f"alias/{naming.prefix}-health", target_key_id=key.key_id, opts=self.opts())
        topic = alarm_topic(self, topic_name, f"{fleet.app.name} {fleet.app.stage} health checks", key.arn)
        for region, ctx in fleet.regions.items():
            aws.cloudwatch.MetricAlarm(
                self.child(f"unhealthy-{region}"),
                name=naming.physical(f"unhealthy-{region}", 255),
                alarm_description=(f"Route 53 finds {fleet.app.name} ({fleet.app.stage}) in {region} unhealthy: "
                                   f"GET {health_check_path(ctx)} on its execute-api host failed or lacked the expected text. "
                                   "DNS no longer sends traffic there while other regions are healthy. "
                                   f"Look at the {region} dashboard and the function logs; see the failover runbook in the README."),
                namespace="AWS/Route53", metric_name="HealthCheckStatus",
                dimensions={"HealthCheckId": ctx.health_check.id},
                statistic="Minimum", period=60, evaluation_periods=1, threshold=1,
                comparison_operator="LessThanThreshold",
                # No data from Route 53 means the check itself is gone or broken: page.
                treat_missing_data="breaching",
                alarm_actions=[topic.arn], ok_actions=[topic.arn],
                opts=self.opts())
        g.outputs["health_alarm_topic_arn"] = topic.arn
        self.register_outputs({})


class DnsRecords(Component):
    kind = "DnsRecords"

    def __init__(self, fleet: Fleet):
        g = fleet.global_ctx
        super().__init__("dns", g, g.root)
        app, domain = fleet.app, fleet.app.domain
        availability = app.availability
        routed = availability.routed() if availability else (app.region,)
        for region in routed:
            ctx = fleet.regions[region]
            routing: dict = {}
            if availability is not None:
                routing = {"set_identifier": region, "health_check_id": ctx.health_check.id}
                if availability.mode == "active-passive":
                    role = "PRIMARY" if region == availability.regions[0] else "SECONDARY"
                    routing["failover_routing_policies"] = [aws.route53.RecordFailoverRoutingPolicyArgs(type=role)]
                else:
                    routing["latency_routing_policies"] = [aws.route53.RecordLatencyRoutingPolicyArgs(region=region)]
            aws.route53.Record(
                self.child(region),
                zone_id=domain.hosted_zone_id,
                name=domain.name,
                type="A",
                aliases=[aws.route53.RecordAliasArgs(name=ctx.domain_name.regional_domain_name,
                                                     zone_id=ctx.domain_name.regional_zone_id,
                                                     evaluate_target_health=True)],
                **routing,
                opts=self.opts())
        g.outputs["domain_url"] = f"https://{domain.name}"
        self.register_outputs({})


def build(fleet: Fleet) -> None:
    app = fleet.app
    if app.availability is not None:
        HealthChecks(fleet)
        HealthAlarms(fleet)
    if app.domain is not None and app.api is not None:
        DnsRecords(fleet)
