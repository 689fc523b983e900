"""One generated value per API key, shared by every region's ApiKey.

API Gateway generates a different value per ApiKey resource, so without this a client's key
would stop working the moment DNS sent it to another region. The values come from
pulumi-random (kept in the stack's state as secrets, never in the plan document) in the global
part; each region's ApiKey takes the same value.
"""
from __future__ import annotations

import pulumi

from ..context import BuildContext
from .base import Component

# API Gateway accepts key values of at least 20 characters; 40 letters and digits is ~238 bits.
KEY_LENGTH = 40


class ApiKeyValues(Component):
    kind = "ApiKeyValues"

    def __init__(self, ctx: BuildContext):
        import pulumi_random as random

        super().__init__("api-key-values", ctx, ctx.root)
        provider = random.Provider(self.child("random"), opts=pulumi.ResourceOptions(parent=self))
        self.values: dict[str, pulumi.Output[str]] = {}
        for plan in ctx.app.api.usage_plans:
            for key in plan.api_keys:
                password = random.RandomPassword(
                    self.child(key), length=KEY_LENGTH, special=False,
                    opts=pulumi.ResourceOptions(parent=self, provider=provider, additional_secret_outputs=["result"]))
                self.values[key] = password.result
        self.register_outputs({})


def generate(ctx: BuildContext) -> dict[str, pulumi.Output[str]]:
    return ApiKeyValues(ctx).values
