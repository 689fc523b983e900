"""IAM knowledge the grants and the validator share (no Pulumi here).

NO_RESOURCE_LEVEL lists actions for which the Service Authorization Reference
(docs.aws.amazon.com/service-authorization/latest/reference/) shows no resource type, so `*` is
the only resource a statement can name. It covers the actions functions commonly need; an action
missing here is treated as resource-scoped (the safe default: the operator must name ARNs).
"""
from __future__ import annotations

NO_RESOURCE_LEVEL = frozenset({
    "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics",
    "cloudwatch:ListMetrics", "cloudwatch:PutMetricData",
    "cognito-idp:ListUserPools",
    "comprehend:DetectDominantLanguage", "comprehend:DetectEntities", "comprehend:DetectKeyPhrases",
    "comprehend:DetectSentiment",
    "dynamodb:DescribeEndpoints", "dynamodb:DescribeLimits", "dynamodb:ListTables",
    "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
    "firehose:ListDeliveryStreams",
    "kinesis:ListStreams",
    "kms:CreateKey", "kms:GenerateRandom", "kms:ListAliases", "kms:ListKeys",
    "lambda:GetAccountSettings", "lambda:ListFunctions",
    "s3:ListAllMyBuckets",
    "secretsmanager:GetRandomPassword", "secretsmanager:ListSecrets",
    "sns:ListTopics",
    "sqs:ListQueues",
    "ssm:DescribeParameters",
    "sts:GetCallerIdentity",
    "translate:TranslateText",
    "xray:GetSamplingRules", "xray:GetSamplingStatisticSummaries", "xray:GetSamplingTargets",
    "xray:PutTelemetryRecords", "xray:PutTraceSegments",
})

# Table access levels (`uses.tables`) -> DynamoDB actions. Reads also reach the table's indexes.
TABLE_READ = ("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
              "dynamodb:Query", "dynamodb:Scan")
TABLE_WRITE = ("dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
TABLE_ACTIONS = {"read": TABLE_READ, "write": TABLE_WRITE, "read_write": TABLE_READ + TABLE_WRITE}
# DynamoDB uses the table's customer-managed key on the caller's behalf (kms:ViaService dynamodb).
TABLE_KEY_READ = ("kms:Decrypt", "kms:DescribeKey")
TABLE_KEY_WRITE = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")
TABLE_KEY_ACTIONS = {"read": TABLE_KEY_READ, "write": TABLE_KEY_WRITE, "read_write": TABLE_KEY_WRITE}


def no_resource_level_permissions(action: str) -> bool:
    return action in NO_RESOURCE_LEVEL
