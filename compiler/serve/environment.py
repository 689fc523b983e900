"""Each function's environment, as the compiler sets it on the deployed function (the spec's
variables, TABLE_<NAME>, SECRET_<NAME>, CORS_* behind routes), plus what the Lambda runtime
provides (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, ...) and, with --aws-endpoint, AWS_ENDPOINT_URL
so the SDK talks to a local AWS (a moto server, DynamoDB Local).

The server's own environment is the base (PATH, HOME, the operator's AWS profile), so the
function reaches whatever AWS the operator can; the function's variables win over it.
"""
from __future__ import annotations

import os
from typing import Mapping, Optional

from .. import cors
from ..model import App, Function, Secret
from ..naming import Naming
from .events import ACCOUNT_ID

TABLE_NAME_MAX = 255  # DynamoDB's limit, as compiler/factories/tables.py names tables


def secret_reference(app: App, secret: Secret) -> str:
    """SECRET_<NAME>: the parameter's name, or the secret's ARN (partial when the spec names it)."""
    if secret.ssm_parameter is not None:
        return secret.ssm_parameter
    if secret.secrets_manager.startswith("arn:"):
        return secret.secrets_manager
    return f"arn:aws:secretsmanager:{app.region}:{ACCOUNT_ID}:secret:{secret.secrets_manager}"


def compiled_environment(app: App, fn: Function) -> dict[str, str]:
    """Exactly the variables the deployed function gets from the compiler."""
    naming = Naming(app.name, app.stage, app.region)
    out = dict(fn.environment)
    out.update({f"TABLE_{key.upper()}": naming.physical(key, TABLE_NAME_MAX) for key, _ in fn.uses.tables})
    secrets = {secret.key: secret for secret in app.secrets}
    out.update({f"SECRET_{key.upper()}": secret_reference(app, secrets[key]) for key in fn.uses.secrets})
    if app.api is not None and app.api.cors is not None and fn.key in app.api.functions_served():
        out.update(cors.function_environment(app.api.cors))
    return out


def worker_environment(app: App, fn: Function, aws_endpoint: Optional[str] = None,
                       base: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    naming = Naming(app.name, app.stage, app.region)
    env = dict(os.environ if base is None else base)
    env.update({
        "AWS_REGION": app.region, "AWS_DEFAULT_REGION": app.region,
        "AWS_LAMBDA_FUNCTION_NAME": naming.function(fn.key), "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb), "AWS_LAMBDA_LOG_GROUP_NAME": naming.function_log_group(fn.key),
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.runtime}", "_HANDLER": fn.handler, "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    })
    if aws_endpoint:
        env["AWS_ENDPOINT_URL"] = aws_endpoint
        if not env.get("AWS_ACCESS_KEY_ID") and not env.get("AWS_PROFILE"):
            # A local AWS accepts any credentials; the SDK only needs some to sign with.
            env.update(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local")
    env.update(compiled_environment(app, fn))
    return env
