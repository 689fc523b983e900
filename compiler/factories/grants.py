"""Least privilege from `uses`: the IAM statements and environment a function gets for the tables,
secrets and extra permissions its spec lists, and nothing for what it does not list.

- tables: the access level's DynamoDB actions on the table (reads also on `<table>/index/*`), plus
  the app key's use through DynamoDB in this region only (kms:ViaService);
- secrets: ssm:GetParameter on that parameter, or secretsmanager:GetSecretValue on that secret (a
  name matches its ARN's random six-character suffix exactly, `-??????`), plus kms:Decrypt through
  the owning service when the spec names the secret's customer-managed key;
- permissions: the operator's explicit statements, as written (validated in checks_services.py).

The function learns names from its environment: TABLE_<NAME> and SECRET_<NAME>.
"""
from __future__ import annotations

import re

import pulumi

from ..context import BuildContext
from ..model import Function, Secret
from ..permissions import TABLE_ACTIONS, TABLE_KEY_ACTIONS
from .base import statement


def _sid(*parts: str) -> str:
    return "".join(p[:1].upper() + p[1:] for part in parts for p in re.split(r"[^A-Za-z0-9]+", part) if p)


def secret_arn_pattern(ctx: BuildContext, secret: Secret) -> pulumi.Output[str]:
    """The IAM resource for `secret`: the parameter's ARN, or the secret's ARN (as given, or its
    name plus Secrets Manager's random `-` and six characters)."""
    if secret.ssm_parameter is not None:
        return ctx.arn("ssm", f"parameter/{secret.ssm_parameter.lstrip('/')}")
    if secret.secrets_manager.startswith("arn:"):
        return pulumi.Output.from_input(secret.secrets_manager)
    return ctx.arn("secretsmanager", f"secret:{secret.secrets_manager}-??????")


def secret_reference(ctx: BuildContext, secret: Secret) -> pulumi.Input[str]:
    """What SECRET_<NAME> holds: the parameter's name, or the secret's ARN (a partial ARN, without
    the random suffix, when the spec gives a name: GetSecretValue accepts it)."""
    if secret.ssm_parameter is not None:
        return secret.ssm_parameter
    if secret.secrets_manager.startswith("arn:"):
        return secret.secrets_manager
    return ctx.arn("secretsmanager", f"secret:{secret.secrets_manager}")


def statements(ctx: BuildContext, fn: Function) -> list[dict]:
    out = []
    for key, access in fn.uses.tables:
        table = ctx.tables[key]
        resources = [table.arn]
        if "read" in access:
            resources.append(table.arn.apply(lambda arn: f"{arn}/index/*"))
        out.append(statement(_sid("Table", key, access), TABLE_ACTIONS[access], resources))
        out.append(statement(_sid("TableKey", key, access), TABLE_KEY_ACTIONS[access], ctx.key.arn,
                             condition={"StringEquals": {"kms:ViaService": f"dynamodb.{ctx.region}.amazonaws.com"}}))
    secrets = {secret.key: secret for secret in ctx.app.secrets}
    for key in fn.uses.secrets:
        secret = secrets[key]
        service, action = ("ssm", "ssm:GetParameter") if secret.ssm_parameter is not None else ("secretsmanager", "secretsmanager:GetSecretValue")
        out.append(statement(_sid("Secret", key), [action], secret_arn_pattern(ctx, secret)))
        if secret.kms_key:
            out.append(statement(_sid("SecretKey", key), ["kms:Decrypt"], secret.kms_key,
                                 condition={"StringEquals": {"kms:ViaService": f"{service}.{ctx.region}.amazonaws.com"}}))
    for i, permission in enumerate(fn.uses.permissions):
        resources = list(permission.resources)
        out.append(statement(f"Extra{i + 1}", permission.actions, resources[0] if resources == ["*"] else resources))
    return out


def environment(ctx: BuildContext, fn: Function) -> dict[str, pulumi.Input[str]]:
    """TABLE_<NAME> -> the table's name, SECRET_<NAME> -> where the secret lives (never its value)."""
    out: dict[str, pulumi.Input[str]] = {f"TABLE_{key.upper()}": ctx.tables[key].name for key, _ in fn.uses.tables}
    secrets = {secret.key: secret for secret in ctx.app.secrets}
    out.update({f"SECRET_{key.upper()}": secret_reference(ctx, secrets[key]) for key in fn.uses.secrets})
    return out
