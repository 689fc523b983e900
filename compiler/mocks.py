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
    def __init__(self, region: str):
        self.region = region

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
    return physical, {"arn": arn, "name": physical, "qualifiedArn": f"{arn}:$LATEST", "version": "$LATEST",
                      "invokeArn": f"arn:aws:apigateway:{mocks.region}:lambda:path/2015-03-31/functions/{arn}/invocations"}


def _rest_api(mocks: AwsMocks, name: str, inputs: dict):
    # From the physical name: two apps (same logical names) get different ids, as in AWS.
    api_id = stable_id("restapi", inputs.get("name") or name)
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
}
