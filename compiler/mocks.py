"""Pulumi mocks that answer like AWS would: realistic ids, ARNs, names and invoke URLs.

Ids are derived from the resource's type and name, so the same spec always yields the same plan;
the account is a fixed placeholder (123456789012).
"""
from __future__ import annotations

import hashlib
import string
from typing import Any, Callable

import pulumi

ACCOUNT_ID = "123456789012"
_ALPHABET = string.ascii_lowercase + string.digits


def stable_id(*parts: str, length: int = 10) -> str:
    digest = hashlib.sha256("\0".join(parts).encode()).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:length])


class AwsMocks(pulumi.runtime.Mocks):
    """`region` is the default; a resource registered through an explicit provider answers in
    that provider's region (ARNs, invoke URLs), as it would in AWS."""

    def __init__(self, region: str):
        self.default_region = region
        self.region = region
        self._provider_regions: dict[str, str] = {}  # provider id -> its region

    def _arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{ACCOUNT_ID if account else ''}:{resource}"

    def call(self, args: pulumi.runtime.MockCallArgs):
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/deployer", "userId": "AIDAMOCKDEPLOYER", "id": ACCOUNT_ID}, []
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}, []
        return {}, []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        inputs = dict(args.inputs)
        provider_id = (args.provider or "").rsplit("::", 1)[-1]
        self.region = self._provider_regions.get(provider_id, self.default_region)
        if args.typ == "pulumi:providers:aws":
            resource_id = f"{args.name}-{stable_id(args.typ, args.name, length=8)}"
            self._provider_regions[resource_id] = inputs.get("region") or self.default_region
            return resource_id, inputs
        handler = _STATE.get(args.typ)
        if handler is None:
            resource_id = inputs.get("name") or f"{args.name}-{stable_id(args.typ, args.name, length=8)}"
            return resource_id, inputs
        resource_id, extra = handler(self, args.name, inputs)
        return resource_id, {**inputs, **extra}


def _named(service: str, template: str) -> Callable[[AwsMocks, str, dict], tuple[str, dict]]:
    """State for resources whose id is their name and whose ARN embeds it."""
    def state(mocks: AwsMocks, name: str, inputs: dict) -> tuple[str, dict]:
        physical = inputs.get("name") or name
        return physical, {"arn": mocks._arn(service, template.format(name=physical)), "name": physical}
    return state


def _key(mocks: AwsMocks, name: str, inputs: dict):
    key_id = "{}-{}-{}-{}-{}".format(*(stable_id("kms", name, str(i), length=n) for i, n in enumerate((8, 4, 4, 4, 12))))
    return key_id, {"arn": mocks._arn("kms", f"key/{key_id}"), "keyId": key_id}


def _role(mocks: AwsMocks, name: str, inputs: dict):
    # With only a prefix, the provider appends a unique 26-digit suffix; stable here.
    prefixed = inputs.get("namePrefix") and inputs["namePrefix"] + "".join(str(ord(c) % 10) for c in stable_id("role", name, length=26))
    physical = inputs.get("name") or prefixed or name
    return physical, {"arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{physical}", "name": physical,
                      "uniqueId": "AROA" + stable_id("role", physical, length=17).upper()}


def _function(mocks: AwsMocks, name: str, inputs: dict):
    physical = inputs.get("name") or name
    arn = mocks._arn("lambda", f"function:{physical}")
    # With `publish`, the first published version is 1, as Lambda numbers them.
    version = "1" if inputs.get("publish") else "$LATEST"
    return physical, {"arn": arn, "name": physical, "qualifiedArn": f"{arn}:{version}", "version": version,
                      "invokeArn": f"arn:aws:apigateway:{mocks.region}:lambda:path/2015-03-31/functions/{arn}/invocations"}


def _rest_api(mocks: AwsMocks, name: str, inputs: dict):
    # From the physical name: two apps (same logical names) get different ids, as in AWS.
    # Another region of the same app gets another id, as in AWS (the primary keeps the old one).
    where = () if mocks.region == mocks.default_region else (mocks.region,)
    api_id = stable_id("restapi", inputs.get("name") or name, *where)
    return api_id, {"arn": f"arn:aws:apigateway:{mocks.region}::/restapis/{api_id}",
                    "executionArn": mocks._arn("execute-api", api_id), "rootResourceId": stable_id("root", name, length=10)}


def _stage(mocks: AwsMocks, name: str, inputs: dict):
    api_id, stage = inputs["restApi"], inputs["stageName"]
    return f"ags-{api_id}-{stage}", {
        "arn": f"arn:aws:apigateway:{mocks.region}::/restapis/{api_id}/stages/{stage}",
        "executionArn": mocks._arn("execute-api", f"{api_id}/{stage}"),
        "invokeUrl": f"https://{api_id}.execute-api.{mocks.region}.amazonaws.com/{stage}"}


def _short_id(prefix: str, length: int = 6):
    def state(mocks: AwsMocks, name: str, inputs: dict):
        return stable_id(prefix, name, length=length), {}
    return state


def _api_key(mocks: AwsMocks, name: str, inputs: dict):
    key_id = stable_id("apikey", name)
    return key_id, {"arn": f"arn:aws:apigateway:{mocks.region}::/apikeys/{key_id}"}


def _bucket(mocks: AwsMocks, name: str, inputs: dict):
    bucket = inputs.get("bucket") or name
    return bucket, {"arn": f"arn:aws:s3:::{bucket}", "bucket": bucket, "bucketDomainName": f"{bucket}.s3.amazonaws.com",
                    "bucketRegionalDomainName": f"{bucket}.s3.{mocks.region}.amazonaws.com", "region": mocks.region}


def _topic(mocks: AwsMocks, name: str, inputs: dict):
    arn = mocks._arn("sns", inputs.get("name") or name)
    return arn, {"arn": arn}


def _subscription(mocks: AwsMocks, name: str, inputs: dict):
    arn = f"{inputs.get('topic', mocks._arn('sns', 'topic'))}:{stable_id('sub', name, length=8)}"
    return arn, {"arn": arn}


def _dashboard(mocks: AwsMocks, name: str, inputs: dict):
    physical = inputs.get("dashboardName") or name
    return physical, {"dashboardArn": mocks._arn("cloudwatch", f"dashboard/{physical}", region=False)}


def _table(mocks: AwsMocks, name: str, inputs: dict):
    physical = inputs.get("name") or name
    arn = mocks._arn("dynamodb", f"table/{physical}")
    extra = {"arn": arn, "name": physical}
    if inputs.get("streamEnabled"):
        extra["streamArn"] = f"{arn}/stream/2026-01-01T00:00:00.000"
    return physical, extra


def _web_acl(mocks: AwsMocks, name: str, inputs: dict):
    acl_id = "{}-{}-{}-{}-{}".format(*(stable_id("acl", name, str(i), length=n) for i, n in enumerate((8, 4, 4, 4, 12))))
    physical = inputs.get("name") or name
    return acl_id, {"arn": mocks._arn("wafv2", f"regional/webacl/{physical}/{acl_id}"), "name": physical}


def _layer(mocks: AwsMocks, name: str, inputs: dict):
    layer_arn = mocks._arn("lambda", f"layer:{inputs.get('layerName') or name}")
    return f"{layer_arn}:1", {"arn": f"{layer_arn}:1", "layerArn": layer_arn, "version": "1"}


def _alias(mocks: AwsMocks, name: str, inputs: dict):
    function = inputs.get("functionName") or name
    arn = mocks._arn("lambda", f"function:{function}:{inputs.get('name') or name}")
    return arn, {"arn": arn, "invokeArn": f"arn:aws:apigateway:{mocks.region}:lambda:path/2015-03-31/functions/{arn}/invocations"}


def _certificate(mocks: AwsMocks, name: str, inputs: dict):
    # ACM's DNS validation record depends on the account and the domain name only, so every
    # region's certificate for one name asks for the same record (one record validates them all).
    domain = inputs.get("domainName") or name
    cert_id = "{}-{}-{}-{}-{}".format(*(stable_id("acm", mocks.region, name, str(i), length=n) for i, n in enumerate((8, 4, 4, 4, 12))))
    token = stable_id("acm-validation", domain, length=32)
    return cert_id, {"arn": mocks._arn("acm", f"certificate/{cert_id}"), "domainValidationOptions": [{
        "domainName": domain, "resourceRecordName": f"_{token}.{domain}.", "resourceRecordType": "CNAME",
        "resourceRecordValue": f"_{stable_id('acm-target', domain, length=32)}.acm-validations.aws."}]}


def _domain_name(mocks: AwsMocks, name: str, inputs: dict):
    domain = inputs.get("domainName") or name
    return domain, {"arn": f"arn:aws:apigateway:{mocks.region}::/domainnames/{domain}",
                    "regionalDomainName": f"d-{stable_id('domain', mocks.region, domain)}.execute-api.{mocks.region}.amazonaws.com",
                    "regionalZoneId": REGIONAL_API_ZONE_IDS.get(mocks.region, "Z" + stable_id("zone", mocks.region, length=13).upper())}


# API Gateway's regional hosted zone ids (AWS General Reference, "Amazon API Gateway endpoints"):
# alias records to a regional custom domain name point into these.
REGIONAL_API_ZONE_IDS = {"us-east-1": "Z1UJRXOUMOOFQ8", "us-east-2": "ZOJJZC49E0EPZ", "us-west-1": "Z2MUQ32089INYE",
                         "us-west-2": "Z2OJLYMUO9EFXC", "eu-west-1": "ZLY8HYME6SFDD", "eu-west-2": "ZJ5UAJN8Y3Z2Q",
                         "eu-central-1": "Z1U9ULNL0V5AJ3", "ap-southeast-1": "ZL327KTPIQFUL", "ap-southeast-2": "Z2RPCDW04V8134",
                         "ap-northeast-1": "Z1YSHQZHG15GKL"}


def _health_check(mocks: AwsMocks, name: str, inputs: dict):
    check_id = "{}-{}-{}-{}-{}".format(*(stable_id("hc", name, str(i), length=n) for i, n in enumerate((8, 4, 4, 4, 12))))
    return check_id, {"arn": f"arn:aws:route53:::healthcheck/{check_id}"}


def _record(mocks: AwsMocks, name: str, inputs: dict):
    record = f"{inputs.get('zoneId')}_{inputs.get('name')}_{inputs.get('type')}"
    if inputs.get("setIdentifier"):
        record += f"_{inputs['setIdentifier']}"
    return record, {"fqdn": str(inputs.get("name", "")).rstrip(".")}


def _random_password(mocks: AwsMocks, name: str, inputs: dict):
    # Not a real secret: a stable stand-in of the requested length, so plans stay byte-identical.
    length = int(inputs.get("length") or 32)
    return stable_id("password", name, length=8), {"result": stable_id("random", name, length=length)}


def _table_replica(mocks: AwsMocks, name: str, inputs: dict):
    table = str(inputs.get("globalTableArn", "")).rsplit("/", 1)[-1] or name
    arn = mocks._arn("dynamodb", f"table/{table}")
    return f"{table}:{mocks.region}", {"arn": arn}


_STATE: dict[str, Callable[[AwsMocks, str, dict], tuple[str, dict[str, Any]]]] = {
    "aws:kms/key:Key": _key,
    "aws:iam/role:Role": _role,
    "aws:cloudwatch/logGroup:LogGroup": _named("logs", "log-group:{name}"),
    "aws:lambda/function:Function": _function,
    "aws:apigateway/restApi:RestApi": _rest_api,
    "aws:apigateway/stage:Stage": _stage,
    "aws:apigateway/deployment:Deployment": _short_id("deployment"),
    "aws:apigateway/usagePlan:UsagePlan": _short_id("usageplan"),
    "aws:apigateway/apiKey:ApiKey": _api_key,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:sns/topic:Topic": _topic,
    "aws:sns/topicSubscription:TopicSubscription": _subscription,
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": _named("firehose", "deliverystream/{name}"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _named("cloudwatch", "alarm:{name}"),
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:dynamodb/table:Table": _table,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:lambda/layerVersion:LayerVersion": _layer,
    "aws:lambda/alias:Alias": _alias,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:apigateway/domainName:DomainName": _domain_name,
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:route53/record:Record": _record,
    "aws:dynamodb/tableReplica:TableReplica": _table_replica,
    "random:index/randomPassword:RandomPassword": _random_password,
}
