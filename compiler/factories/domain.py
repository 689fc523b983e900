"""The API's custom domain in one region: an ACM certificate validated by DNS, an API Gateway
REGIONAL domain name (TLS 1.2 only) and the base path mapping to the stage.

ACM asks for the same validation record in every region (it depends on the account and the name
only), so the record is created once for the app in its global part and every region's
certificate validates against it. The alias records that send clients here are global too
(global_health.py), because with several regions they route by latency or failover.
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import BuildContext, Fleet
from .base import Component

# What API Gateway's regional custom domains accept as the minimum TLS version.
SECURITY_POLICY = "TLS_1_2"
VALIDATION_RECORD_TTL_S = 300


def _first_option(options, field: str) -> str:
    option = options[0]
    return option[field] if isinstance(option, dict) else getattr(option, field)


def validation_record(fleet: Fleet, certificate: aws.acm.Certificate) -> pulumi.Resource:
    """The DNS record proving control of the domain, once per distinct name for the whole app."""
    domain = fleet.app.domain
    if domain.name not in fleet.validation_records:
        g = fleet.global_ctx
        options = certificate.domain_validation_options
        fleet.validation_records[domain.name] = aws.route53.Record(
            g.naming.logical(f"{domain.name}-validation"),
            zone_id=domain.hosted_zone_id,
            name=options.apply(lambda o: _first_option(o, "resource_record_name")),
            type=options.apply(lambda o: _first_option(o, "resource_record_type")),
            records=[options.apply(lambda o: _first_option(o, "resource_record_value"))],
            ttl=VALIDATION_RECORD_TTL_S,
            # Another region's certificate (or an earlier stack for this name) may have created
            # the same record: it is identical, so taking it over is safe.
            allow_overwrite=True,
            opts=g.opts(g.root))
    return fleet.validation_records[domain.name]


class CustomDomain(Component):
    kind = "CustomDomain"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource):
        super().__init__("domain", ctx, parent)
        domain = ctx.app.domain
        self.certificate = aws.acm.Certificate(
            self.child("certificate"), domain_name=domain.name, validation_method="DNS",
            # A new certificate must exist before the domain name lets go of the old one.
            opts=self.opts())
        record = validation_record(ctx.fleet, self.certificate)
        validation = aws.acm.CertificateValidation(
            self.child("certificate-validation"), certificate_arn=self.certificate.arn,
            validation_record_fqdns=[record.fqdn], opts=self.opts())
        self.domain_name = aws.apigateway.DomainName(
            self.child("domain-name"),
            domain_name=domain.name,
            # The validated ARN: the domain name is created only once ACM has issued the certificate.
            regional_certificate_arn=validation.certificate_arn,
            endpoint_configuration=aws.apigateway.DomainNameEndpointConfigurationArgs(types="REGIONAL"),
            security_policy=SECURITY_POLICY,
            opts=self.opts())
        aws.apigateway.BasePathMapping(
            self.child("base-path"), rest_api=ctx.rest_api.id, stage_name=ctx.stage.stage_name,
            domain_name=self.domain_name.domain_name, opts=self.opts())
        ctx.domain_name = self.domain_name
        self.register_outputs({"target": self.domain_name.regional_domain_name})


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    if ctx.app.domain is not None and ctx.app.api is not None:
        CustomDomain(ctx, parent)
