"""Names are each resource's identity in every deployed stack. A changed logical name makes
`pulumi up` delete the old resource and create a new one unless the change adds an alias (Pulumi
docs, resource options: "aliases"); a changed physical name replaces it too, as AWS cannot rename a
role, a log group or a topic. For the protected table, key and bucket, `pulumi up` stops instead.
So the names are a contract, pinned here outside the golden plans: a golden refresh must not carry
a rename through unnoticed. Change a list only on purpose, with an alias for deployed stacks.
"""
from __future__ import annotations

import pytest

from compiler.plan import plan_file
from plan_support import ROOT


def plan(spec: str) -> dict:
    """Built here, not through plan_support's cache: mutation testing ties a test to the code that
    ran during it (bench/mutation.py)."""
    return plan_file(spec, project_root=ROOT)

SAMPLE_NAMES = [
    ('aws:apigateway/account:Account', 'api-us-east-1-account', None),
    ('aws:apigateway/apiKey:ApiKey', 'plan-partners-us-east-1/acme', 'serverless-app-dev-acme'),
    ('aws:apigateway/deployment:Deployment', 'api-us-east-1-deployment', None),
    ('aws:apigateway/methodSettings:MethodSettings', 'api-us-east-1-settings-POST /items', None),
    ('aws:apigateway/methodSettings:MethodSettings', 'api-us-east-1-settings-all', None),
    ('aws:apigateway/restApi:RestApi', 'api-us-east-1-rest-api', 'serverless-app-dev-api'),
    ('aws:apigateway/stage:Stage', 'api-us-east-1-stage', None),
    ('aws:apigateway/usagePlan:UsagePlan', 'plan-partners-us-east-1-usage-plan', 'serverless-app-dev-partners'),
    ('aws:apigateway/usagePlanKey:UsagePlanKey', 'plan-partners-us-east-1/acme-binding', None),
    ('aws:cloudwatch/dashboard:Dashboard', 'dashboard-us-east-1-dashboard', None),
    ('aws:cloudwatch/logGroup:LogGroup', 'api-us-east-1-access-logs', '/aws/apigateway/serverless-app-dev-access'),
    ('aws:cloudwatch/logGroup:LogGroup', 'api-us-east-1-execution-logs', 'API-Gateway-Execution-Logs_vnil0tupiu/dev'),
    ('aws:cloudwatch/logGroup:LogGroup', 'fn-health-us-east-1-logs', '/aws/lambda/serverless-app-dev-health'),
    ('aws:cloudwatch/logGroup:LogGroup', 'fn-items-us-east-1-logs', '/aws/lambda/serverless-app-dev-items'),
    ('aws:cloudwatch/logGroup:LogGroup', 'shipping-us-east-1-delivery-errors', '/aws/kinesisfirehose/serverless-app-dev'),
    ('aws:cloudwatch/logStream:LogStream', 'shipping-us-east-1-delivery-errors-s3', 'S3Delivery'),
    ('aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter', 'shipping-us-east-1-subscription-apigateway-access', 'archive-to-s3'),
    ('aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter', 'shipping-us-east-1-subscription-apigateway-execution', 'archive-to-s3'),
    ('aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter', 'shipping-us-east-1-subscription-lambda-health', 'archive-to-s3'),
    ('aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter', 'shipping-us-east-1-subscription-lambda-items', 'archive-to-s3'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-api-4xx', 'serverless-app-dev-api-4xx'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-api-5xx', 'serverless-app-dev-api-5xx'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-api-latency', 'serverless-app-dev-api-latency'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-health-duration', 'serverless-app-dev-health-duration'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-health-error-rate', 'serverless-app-dev-health-error-rate'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-health-errors', 'serverless-app-dev-health-errors'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-health-throttles', 'serverless-app-dev-health-throttles'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-items-duration', 'serverless-app-dev-items-duration'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-items-error-rate', 'serverless-app-dev-items-error-rate'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-items-errors', 'serverless-app-dev-items-errors'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-items-throttles', 'serverless-app-dev-items-throttles'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-table-items-system-errors', 'serverless-app-dev-items-table-system-errors'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-us-east-1-table-items-throttles', 'serverless-app-dev-items-table-throttles'),
    ('aws:dynamodb/table:Table', 'table-items-us-east-1-table', 'serverless-app-dev-items'),
    ('aws:iam/role:Role', 'api-us-east-1-cloudwatch-role', None),
    ('aws:iam/role:Role', 'fn-health-us-east-1-role', 'serverless-app-dev-health-fn-us-east-1'),
    ('aws:iam/role:Role', 'fn-items-us-east-1-role', 'serverless-app-dev-items-fn-us-east-1'),
    ('aws:iam/role:Role', 'shipping-us-east-1-firehose-role', 'serverless-app-dev-log-archive-firehose-us-east-1'),
    ('aws:iam/role:Role', 'shipping-us-east-1-subscription-role', 'serverless-app-dev-log-archive-subscriptions-us-east-1'),
    ('aws:iam/rolePolicy:RolePolicy', 'api-us-east-1-cloudwatch-policy', None),
    ('aws:iam/rolePolicy:RolePolicy', 'fn-health-us-east-1-policy', None),
    ('aws:iam/rolePolicy:RolePolicy', 'fn-items-us-east-1-policy', None),
    ('aws:iam/rolePolicy:RolePolicy', 'shipping-us-east-1-firehose-policy', None),
    ('aws:iam/rolePolicy:RolePolicy', 'shipping-us-east-1-subscription-policy', None),
    ('aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream', 'shipping-us-east-1-stream', 'serverless-app-dev-log-archive'),
    ('aws:kms/alias:Alias', 'encryption-us-east-1-key-alias', 'alias/serverless-app-dev'),
    ('aws:kms/key:Key', 'encryption-us-east-1-key', None),
    ('aws:lambda/function:Function', 'fn-health-us-east-1-function', 'serverless-app-dev-health'),
    ('aws:lambda/function:Function', 'fn-items-us-east-1-function', 'serverless-app-dev-items'),
    ('aws:lambda/permission:Permission', 'api-us-east-1-invoke-health', None),
    ('aws:lambda/permission:Permission', 'api-us-east-1-invoke-items', None),
    ('aws:s3/bucket:Bucket', 'archive-us-east-1-bucket', None),
    ('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', 'archive-us-east-1-lifecycle', None),
    ('aws:s3/bucketOwnershipControls:BucketOwnershipControls', 'archive-us-east-1-ownership', None),
    ('aws:s3/bucketPolicy:BucketPolicy', 'archive-us-east-1-policy', None),
    ('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', 'archive-us-east-1-public-access', None),
    ('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', 'archive-us-east-1-encryption', None),
    ('aws:s3/bucketVersioning:BucketVersioning', 'archive-us-east-1-versioning', None),
    ('aws:sns/topic:Topic', 'alarms-us-east-1-topic', 'serverless-app-dev-alarms'),
    ('aws:sns/topicPolicy:TopicPolicy', 'alarms-us-east-1-topic-policy', None),
    ('aws:sns/topicSubscription:TopicSubscription', 'alarms-us-east-1-email-d876c66bad34ef8c', None),
    ('pulumi:providers:aws', 'aws-us-east-1', None),
    ('serverless:index:Alarms', 'alarms-us-east-1', None),
    ('serverless:index:Api', 'api-us-east-1', None),
    ('serverless:index:App', 'serverless-app-us-east-1', None),
    ('serverless:index:Dashboard', 'dashboard-us-east-1', None),
    ('serverless:index:Encryption', 'encryption-us-east-1', None),
    ('serverless:index:Function', 'fn-health-us-east-1', None),
    ('serverless:index:Function', 'fn-items-us-east-1', None),
    ('serverless:index:LogArchive', 'archive-us-east-1', None),
    ('serverless:index:LogShipping', 'shipping-us-east-1', None),
    ('serverless:index:Table', 'table-items-us-east-1', None),
    ('serverless:index:UsagePlan', 'plan-partners-us-east-1', None),
]

TABLES_AND_SECRETS_NAMES = [
    ('aws:apigateway/account:Account', 'api-eu-west-1-account', None),
    ('aws:apigateway/deployment:Deployment', 'api-eu-west-1-deployment', None),
    ('aws:apigateway/methodSettings:MethodSettings', 'api-eu-west-1-settings-all', None),
    ('aws:apigateway/restApi:RestApi', 'api-eu-west-1-rest-api', 'orders-dev-api'),
    ('aws:apigateway/stage:Stage', 'api-eu-west-1-stage', None),
    ('aws:appautoscaling/policy:Policy', 'table-orders-eu-west-1-index-by_status-read-policy', 'orders-dev-orders-index-by_status-read'),
    ('aws:appautoscaling/policy:Policy', 'table-orders-eu-west-1-index-by_status-write-policy', 'orders-dev-orders-index-by_status-write'),
    ('aws:appautoscaling/policy:Policy', 'table-orders-eu-west-1-table-read-policy', 'orders-dev-orders-table-read'),
    ('aws:appautoscaling/policy:Policy', 'table-orders-eu-west-1-table-write-policy', 'orders-dev-orders-table-write'),
    ('aws:appautoscaling/target:Target', 'table-orders-eu-west-1-index-by_status-read-target', None),
    ('aws:appautoscaling/target:Target', 'table-orders-eu-west-1-index-by_status-write-target', None),
    ('aws:appautoscaling/target:Target', 'table-orders-eu-west-1-table-read-target', None),
    ('aws:appautoscaling/target:Target', 'table-orders-eu-west-1-table-write-target', None),
    ('aws:cloudwatch/dashboard:Dashboard', 'dashboard-eu-west-1-dashboard', None),
    ('aws:cloudwatch/logGroup:LogGroup', 'api-eu-west-1-access-logs', '/aws/apigateway/orders-dev-access'),
    ('aws:cloudwatch/logGroup:LogGroup', 'api-eu-west-1-execution-logs', 'API-Gateway-Execution-Logs_5ypexobe0f/dev'),
    ('aws:cloudwatch/logGroup:LogGroup', 'fn-health-eu-west-1-logs', '/aws/lambda/orders-dev-health'),
    ('aws:cloudwatch/logGroup:LogGroup', 'fn-orders-eu-west-1-logs', '/aws/lambda/orders-dev-orders'),
    ('aws:cloudwatch/logGroup:LogGroup', 'fn-reports-eu-west-1-logs', '/aws/lambda/orders-dev-reports'),
    ('aws:cloudwatch/logGroup:LogGroup', 'shipping-eu-west-1-delivery-errors', '/aws/kinesisfirehose/orders-dev'),
    ('aws:cloudwatch/logStream:LogStream', 'shipping-eu-west-1-delivery-errors-s3', 'S3Delivery'),
    ('aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter', 'shipping-eu-west-1-subscription-apigateway-access', 'archive-to-s3'),
    ('aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter', 'shipping-eu-west-1-subscription-apigateway-execution', 'archive-to-s3'),
    ('aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter', 'shipping-eu-west-1-subscription-lambda-health', 'archive-to-s3'),
    ('aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter', 'shipping-eu-west-1-subscription-lambda-orders', 'archive-to-s3'),
    ('aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter', 'shipping-eu-west-1-subscription-lambda-reports', 'archive-to-s3'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-eu-west-1-table-events-system-errors', 'orders-dev-events-table-system-errors'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-eu-west-1-table-events-throttles', 'orders-dev-events-table-throttles'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-eu-west-1-table-orders-system-errors', 'orders-dev-orders-table-system-errors'),
    ('aws:cloudwatch/metricAlarm:MetricAlarm', 'alarms-eu-west-1-table-orders-throttles', 'orders-dev-orders-table-throttles'),
    ('aws:dynamodb/table:Table', 'table-events-eu-west-1-table', 'orders-dev-events'),
    ('aws:dynamodb/table:Table', 'table-orders-eu-west-1-table', 'orders-dev-orders'),
    ('aws:iam/role:Role', 'api-eu-west-1-cloudwatch-role', None),
    ('aws:iam/role:Role', 'fn-health-eu-west-1-role', 'orders-dev-health-fn-eu-west-1'),
    ('aws:iam/role:Role', 'fn-orders-eu-west-1-role', 'orders-dev-orders-fn-eu-west-1'),
    ('aws:iam/role:Role', 'fn-reports-eu-west-1-role', 'orders-dev-reports-fn-eu-west-1'),
    ('aws:iam/role:Role', 'shipping-eu-west-1-firehose-role', 'orders-dev-log-archive-firehose-eu-west-1'),
    ('aws:iam/role:Role', 'shipping-eu-west-1-subscription-role', 'orders-dev-log-archive-subscriptions-eu-west-1'),
    ('aws:iam/rolePolicy:RolePolicy', 'api-eu-west-1-cloudwatch-policy', None),
    ('aws:iam/rolePolicy:RolePolicy', 'fn-health-eu-west-1-policy', None),
    ('aws:iam/rolePolicy:RolePolicy', 'fn-orders-eu-west-1-policy', None),
    ('aws:iam/rolePolicy:RolePolicy', 'fn-reports-eu-west-1-policy', None),
    ('aws:iam/rolePolicy:RolePolicy', 'shipping-eu-west-1-firehose-policy', None),
    ('aws:iam/rolePolicy:RolePolicy', 'shipping-eu-west-1-subscription-policy', None),
    ('aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream', 'shipping-eu-west-1-stream', 'orders-dev-log-archive'),
    ('aws:kms/alias:Alias', 'encryption-eu-west-1-key-alias', 'alias/orders-dev'),
    ('aws:kms/key:Key', 'encryption-eu-west-1-key', None),
    ('aws:lambda/function:Function', 'fn-health-eu-west-1-function', 'orders-dev-health'),
    ('aws:lambda/function:Function', 'fn-orders-eu-west-1-function', 'orders-dev-orders'),
    ('aws:lambda/function:Function', 'fn-reports-eu-west-1-function', 'orders-dev-reports'),
    ('aws:lambda/layerVersion:LayerVersion', 'layer-ddbe7a3ae4989e7c-eu-west-1', None),
    ('aws:lambda/permission:Permission', 'api-eu-west-1-invoke-health', None),
    ('aws:lambda/permission:Permission', 'api-eu-west-1-invoke-orders', None),
    ('aws:lambda/permission:Permission', 'api-eu-west-1-invoke-reports', None),
    ('aws:s3/bucket:Bucket', 'archive-eu-west-1-bucket', None),
    ('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', 'archive-eu-west-1-lifecycle', None),
    ('aws:s3/bucketOwnershipControls:BucketOwnershipControls', 'archive-eu-west-1-ownership', None),
    ('aws:s3/bucketPolicy:BucketPolicy', 'archive-eu-west-1-policy', None),
    ('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', 'archive-eu-west-1-public-access', None),
    ('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', 'archive-eu-west-1-encryption', None),
    ('aws:s3/bucketVersioning:BucketVersioning', 'archive-eu-west-1-versioning', None),
    ('aws:sns/topic:Topic', 'alarms-eu-west-1-topic', 'orders-dev-alarms'),
    ('aws:sns/topicPolicy:TopicPolicy', 'alarms-eu-west-1-topic-policy', None),
    ('pulumi:providers:aws', 'aws-eu-west-1', None),
    ('serverless:index:Alarms', 'alarms-eu-west-1', None),
    ('serverless:index:Api', 'api-eu-west-1', None),
    ('serverless:index:App', 'orders-eu-west-1', None),
    ('serverless:index:Dashboard', 'dashboard-eu-west-1', None),
    ('serverless:index:Encryption', 'encryption-eu-west-1', None),
    ('serverless:index:Function', 'fn-health-eu-west-1', None),
    ('serverless:index:Function', 'fn-orders-eu-west-1', None),
    ('serverless:index:Function', 'fn-reports-eu-west-1', None),
    ('serverless:index:LogArchive', 'archive-eu-west-1', None),
    ('serverless:index:LogShipping', 'shipping-eu-west-1', None),
    ('serverless:index:Table', 'table-events-eu-west-1', None),
    ('serverless:index:Table', 'table-orders-eu-west-1', None),
]


@pytest.mark.parametrize("spec,expected", [("specs/serverless-app.yaml", SAMPLE_NAMES),
                                           ("tests/golden/plan_tables_and_secrets/spec.yaml", TABLES_AND_SECRETS_NAMES)])
def test_every_resource_keeps_its_logical_and_physical_name(spec, expected):
    """(type, logical name, the `name` input where the resource has one): a changed physical name
    replaces the resource too (AWS cannot rename a role, a log group or a topic)."""
    actual = sorted((r["type"], r["name"], r["inputs"].get("name")) for r in plan(spec)["resources"])
    assert actual == expected


def test_a_layers_name_carries_the_first_16_hex_digits_of_its_content_hash():
    """16 hex digits (64 bits) in the logical and the physical name; the description carries all 64."""
    [layer] = [r for r in plan("tests/golden/plan_tables_and_secrets/spec.yaml")["resources"] if r["type"] == "aws:lambda/layerVersion:LayerVersion"]
    digest = layer["inputs"]["description"].rsplit("sha256 ", 1)[1]
    assert len(digest) == 64 and layer["name"].startswith(f"layer-{digest[:16]}-")
    assert layer["inputs"]["layerName"].endswith(f"deps-{digest[:16]}")
