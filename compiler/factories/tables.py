"""DynamoDB tables: encrypted with the app's key, point-in-time recovery on by default, on-demand by
default; TTL, streams and global secondary indexes as the spec says; provisioned tables with
`autoscale` get Application Auto Scaling targets and target-tracking policies for reads and writes
of the table and of each index.

Tables hold data: they are retained on destroy, and on a protected stage they also get DynamoDB's
deletion protection and Pulumi's `protect`. Autoscaled capacities are in `ignore_changes`, or every
deploy would reset what the autoscaler set.

With several regions each table is a global table (version 2019.11.21): the primary region
creates the table with the NEW_AND_OLD_IMAGES stream replication needs, and every other region
adds a TableReplica through its own provider, encrypted with that region's key, with its own
point-in-time recovery and autoscaling. The primary table ignores `replicas`, which the replica
resources own (as the provider's TableReplica documentation requires).
"""
from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ..context import BuildContext, TableRef
from ..model import Index, KeyAttribute, Table
from .base import Component

TABLE_NAME_MAX = 255
# Application Auto Scaling's predefined metrics for DynamoDB, per side.
SCALING = {"read": ("ReadCapacityUnits", "DynamoDBReadCapacityUtilization"),
           "write": ("WriteCapacityUnits", "DynamoDBWriteCapacityUtilization")}
# Global tables replicate through the table's stream, which must carry both images.
GLOBAL_TABLE_STREAM = "NEW_AND_OLD_IMAGES"
# The provisioned capacities an autoscaler owns (Pulumi property paths).
AUTOSCALED_INPUTS = ["readCapacity", "writeCapacity", "globalSecondaryIndexes[*].readCapacity", "globalSecondaryIndexes[*].writeCapacity"]


def _key_schema(partition: KeyAttribute, sort: KeyAttribute | None) -> list:
    schema = [aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(attribute_name=partition.name, key_type="HASH")]
    if sort is not None:
        schema.append(aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(attribute_name=sort.name, key_type="RANGE"))
    return schema


class TableComponent(Component):
    kind = "Table"

    def __init__(self, ctx: BuildContext, parent: pulumi.Resource, table: Table):
        super().__init__(f"table-{table.key}", ctx, parent)
        app = ctx.app
        name = ctx.naming.physical(table.key, TABLE_NAME_MAX)
        if app.multi_region and not ctx.primary:
            self._replica(table, name)
            return
        stream = GLOBAL_TABLE_STREAM if app.multi_region else table.stream
        ignored = (AUTOSCALED_INPUTS if table.autoscale else []) + (["replicas"] if app.multi_region else [])
        capacity = {"read_capacity": table.read_capacity, "write_capacity": table.write_capacity} if table.provisioned else {}
        self.table = aws.dynamodb.Table(
            self.child("table"),
            name=name,
            billing_mode="PROVISIONED" if table.provisioned else "PAY_PER_REQUEST",
            hash_key=table.partition_key.name,
            range_key=table.sort_key.name if table.sort_key else None,
            attributes=[aws.dynamodb.TableAttributeArgs(name=a.name, type=a.type) for a in table.attributes()],
            global_secondary_indexes=[self._index(index, capacity) for index in table.indexes] or None,
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, kms_key_arn=ctx.key.arn),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=table.point_in_time_recovery),
            ttl=aws.dynamodb.TableTtlArgs(attribute_name=table.ttl_attribute, enabled=True) if table.ttl_attribute else None,
            stream_enabled=True if stream else None,
            stream_view_type=stream,
            deletion_protection_enabled=app.protect,
            **capacity,
            opts=self.opts(**ctx.holds_data(), ignore_changes=ignored or None),
        )
        if ctx.fleet is not None:
            ctx.fleet.primary_tables[table.key] = self.table
        if table.autoscale:
            # Built from the table's name output: a real edge, so targets wait for the table.
            self._autoscale(table, "table", self.table.name.apply(lambda n: f"table/{n}"), "dynamodb:table")
            for index in table.indexes:
                self._autoscale(table, f"index-{index.name}",
                                self.table.name.apply(lambda n, i=index.name: f"table/{n}/index/{i}"), "dynamodb:index")
        ctx.tables[table.key] = self.table
        self.register_outputs({"name": self.table.name, "arn": self.table.arn})

    def _replica(self, table: Table, name: str) -> None:
        """This region's copy of a global table: data replicated both ways, last writer wins."""
        ctx = self.ctx
        primary = ctx.fleet.primary_tables[table.key]
        replica = aws.dynamodb.TableReplica(
            self.child("replica"),
            global_table_arn=primary.arn,
            kms_key_arn=ctx.key.arn,
            point_in_time_recovery=table.point_in_time_recovery,
            deletion_protection_enabled=ctx.app.protect,
            opts=self.opts(**ctx.holds_data()))
        if table.autoscale:
            # Replicas of a provisioned table scale on their own; their ids name the same table.
            self._autoscale(table, "table", replica.arn.apply(lambda _: f"table/{name}"), "dynamodb:table")
            for index in table.indexes:
                self._autoscale(table, f"index-{index.name}", replica.arn.apply(lambda _, i=index.name: f"table/{name}/index/{i}"),
                                "dynamodb:index")
        ctx.tables[table.key] = TableRef(name=name, arn=replica.arn)
        self.register_outputs({"name": name, "arn": replica.arn})

    @staticmethod
    def _index(index: Index, capacity: dict) -> aws.dynamodb.TableGlobalSecondaryIndexArgs:
        return aws.dynamodb.TableGlobalSecondaryIndexArgs(
            name=index.name, key_schemas=_key_schema(index.partition_key, index.sort_key), projection_type=index.projection, **capacity)

    def _autoscale(self, table: Table, part: str, resource_id: pulumi.Output[str], dimension: str) -> None:
        autoscale = table.autoscale
        for side, (units, metric) in SCALING.items():
            target = aws.appautoscaling.Target(
                self.child(f"{part}-{side}-target"),
                service_namespace="dynamodb",
                resource_id=resource_id,
                scalable_dimension=f"{dimension}:{units}",
                min_capacity=table.read_capacity if side == "read" else table.write_capacity,
                max_capacity=autoscale.max_read if side == "read" else autoscale.max_write,
                opts=self.opts())
            aws.appautoscaling.Policy(
                self.child(f"{part}-{side}-policy"),
                name=self.ctx.naming.physical(f"{table.key}-{part}-{side}", 256),
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                resource_id=target.resource_id,
                scalable_dimension=target.scalable_dimension,
                target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    target_value=autoscale.target_utilization_percent,
                    predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type=metric)),
                opts=self.opts())


def build(ctx: BuildContext, parent: pulumi.Resource) -> None:
    for table in ctx.app.tables:
        TableComponent(ctx, parent, table)
    if ctx.app.tables:
        ctx.outputs["table_names"] = {key: table.name for key, table in ctx.tables.items()}
