"""Semantic checks of the API surface: CORS, authorizers, request body schemas and WAF.

Like checks.py, each check reads the raw document defensively (the schema reported wrong types)
and yields Diagnostics; they are registered in checks.SEMANTIC_CHECKS.
"""
from __future__ import annotations

import difflib
import json
from typing import Iterator

from .check_support import _items, _mapping, _routes
from .errors import Diagnostic
from .loader import LoadedSpec

# AWS managed rule groups (vendor AWS) that need no group-specific configuration; the account
# takeover / fraud groups (ATP, ACFP) need login or registration paths and are left out.
AWS_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAdminProtectionRuleSet", "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList",
    "AWSManagedRulesBotControlRuleSet", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesLinuxRuleSet", "AWSManagedRulesPHPRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet", "AWSManagedRulesWordPressRuleSet",
)
# JSON Schema features API Gateway models reject or ignore ("Amazon API Gateway important notes for
# REST APIs"); with fail_on_warnings any of them would fail the deploy.
UNSUPPORTED_MODEL_KEYWORDS = ("additionalProperties", "anyOf", "oneOf", "discriminator", "example", "readOnly", "exclusiveMinimum")
AUTHORIZER_KEYS = {"cognito": {"user_pool_arns"}, "lambda": {"function", "identity", "cache_ttl_s"}, "iam": set()}
CORS_ENVIRONMENT = ("CORS_ALLOW_ORIGINS", "CORS_ALLOW_CREDENTIALS", "CORS_EXPOSE_HEADERS")






def _api(spec: LoadedSpec) -> dict:
    return _mapping(spec.data.get("api"))




def _routed(spec: LoadedSpec) -> set[str]:
    return {route["function"] for _, route in _routes(spec) if isinstance(route.get("function"), str)}


def check_auth_references(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """`auth` and `default_auth` are `none` or a defined authorizer; `scopes` need a cognito one."""
    authorizers = _mapping(_api(spec).get("authorizers"))
    names = sorted(authorizers)
    hint = lambda name: (f"did you mean '{difflib.get_close_matches(name, names, n=1)[0]}'? " if difflib.get_close_matches(name, names, n=1) else "") \
        + "none, or one of api.authorizers: " + (", ".join(names) or "(none defined)")  # noqa: E731
    default = _api(spec).get("default_auth", "none")
    if isinstance(default, str) and default != "none" and default not in authorizers:
        yield spec.diagnostic(("api", "default_auth"), "E326", f"unknown authorizer '{default}'", hint(default))
    for i, route in _routes(spec):
        auth = route.get("auth", default)
        if not isinstance(auth, str):
            continue  # the schema reports a wrong type
        if "auth" in route and auth != "none" and auth not in authorizers:
            yield spec.diagnostic(("api", "routes", i, "auth"), "E326", f"unknown authorizer '{auth}'", hint(auth))
        if route.get("scopes") and _mapping(authorizers.get(auth)).get("type") != "cognito":
            yield spec.diagnostic(("api", "routes", i, "scopes"), "E328", "scopes apply only to routes behind a cognito authorizer",
                                  "set auth to a cognito authorizer, or remove scopes", key=True)


def check_authorizers(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """Each authorizer has the settings of its type only; a Lambda authorizer names a function of
    the spec that serves no route (it answers API Gateway, not callers)."""
    functions = _mapping(spec.data.get("functions"))
    routed = _routed(spec)
    for name, authorizer in _mapping(_api(spec).get("authorizers")).items():
        if not isinstance(authorizer, dict) or not isinstance(authorizer.get("type"), str) or authorizer["type"] not in AUTHORIZER_KEYS:
            continue
        kind = authorizer["type"]
        # Keys of another type (unknown keys are the schema's finding).
        for key in sorted((set(authorizer) & set().union(*AUTHORIZER_KEYS.values())) - AUTHORIZER_KEYS[kind]):
            yield spec.diagnostic(("api", "authorizers", name, key), "E327", f"'{key}' does not apply to a {kind} authorizer",
                                  f"a {kind} authorizer takes: " + (", ".join(sorted(AUTHORIZER_KEYS[kind])) or "nothing else"), key=True)
        if kind == "cognito" and "user_pool_arns" not in authorizer:
            yield spec.diagnostic(("api", "authorizers", name), "E327", "a cognito authorizer needs user_pool_arns", "list the user pools' ARNs")
        if kind == "lambda":
            function = authorizer.get("function")
            if not isinstance(function, str):
                yield spec.diagnostic(("api", "authorizers", name), "E327", "a lambda authorizer needs a function", "name one of functions")
            elif function not in functions:
                close = difflib.get_close_matches(function, sorted(functions), n=1)
                yield spec.diagnostic(("api", "authorizers", name, "function"), "E327", f"unknown function '{function}'",
                                      (f"did you mean '{close[0]}'? " if close else "") + "defined functions: " + ", ".join(sorted(functions)))
            elif function in routed:
                yield spec.diagnostic(("api", "authorizers", name, "function"), "E327", f"function '{function}' also serves a route",
                                      "an authorizer function answers API Gateway only; give it a function of its own")


def check_cors(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """`*` only alone and without credentials (browsers refuse credentialed `*`); no OPTIONS route
    where API Gateway answers the preflight; no function environment name CORS sets."""
    cors = _api(spec).get("cors")
    if not isinstance(cors, dict):
        return
    origins = _items(cors.get("allow_origins"))
    if "*" in origins and (len(origins) > 1 or cors.get("allow_credentials") is True):
        yield spec.diagnostic(("api", "cors", "allow_origins"), "E329", "'*' must be the only origin and cannot allow credentials",
                              "list the origins explicitly when allow_credentials is true")
    for i, route in _routes(spec):
        if route.get("method") == "OPTIONS":
            yield spec.diagnostic(("api", "routes", i, "method"), "E329", "an OPTIONS route conflicts with CORS preflight",
                                  "API Gateway answers OPTIONS itself when api.cors is set; remove the route")
    routed = _routed(spec)
    for name, function in _mapping(spec.data.get("functions")).items():
        if name not in routed:
            continue
        for variable in _mapping(_mapping(function).get("environment")):
            if variable in CORS_ENVIRONMENT:
                yield spec.diagnostic(("functions", name, "environment", variable), "E324", f"'{variable}' is set by api.cors",
                                      "remove it from environment: the compiler sets it from api.cors", key=True)


def _model_problem(project_root, file: str) -> str:
    path = project_root / file
    if not path.is_file():
        return f"body schema file '{file}' not found"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return f"body schema '{file}' is not valid JSON ({exc})"
    import jsonschema

    try:
        jsonschema.Draft4Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"body schema '{file}' is not a valid JSON Schema draft 4: {exc.message}"
    found = sorted(k for k in UNSUPPORTED_MODEL_KEYWORDS if _has_key(schema, k))
    if found:
        return f"body schema '{file}' uses {', '.join(found)}, which API Gateway models do not support"
    return ""


def _has_key(node, key: str) -> bool:
    if isinstance(node, dict):
        return key in node or any(_has_key(v, key) for v in node.values())
    if isinstance(node, list):
        return any(_has_key(v, key) for v in node)
    return False


def check_body_schemas(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """A route's body_schema exists, parses, is a draft 4 schema, and avoids what API Gateway rejects."""
    for i, route in _routes(spec):
        file = route.get("body_schema")
        if isinstance(file, str):
            problem = _model_problem(ctx.project_root, file)
            if problem:
                yield spec.diagnostic(("api", "routes", i, "body_schema"), "E330", problem,
                                      "a JSON Schema draft 4 object schema (type, properties, required, ...) as API Gateway models use")


def check_waf(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """Known AWS managed rule groups; an existing ACL or rules of our own, not both, and not nothing."""
    waf = _api(spec).get("waf")
    if not isinstance(waf, dict):
        return
    own = [k for k in ("managed_rules", "rate_limit_per_ip") if k in waf]
    if "web_acl_arn" in waf and own:
        yield spec.diagnostic(("api", "waf", own[0]), "E331", "web_acl_arn and rules of our own exclude each other",
                              "either associate an existing ACL, or let the compiler create one from managed_rules/rate_limit_per_ip", key=True)
    if not own and "web_acl_arn" not in waf:
        yield spec.diagnostic(("api", "waf"), "E331", "waf needs managed_rules, rate_limit_per_ip or web_acl_arn", "e.g. managed_rules: [AWSManagedRulesCommonRuleSet]")
    for j, name in enumerate(_items(waf.get("managed_rules"))):
        if isinstance(name, str) and name not in AWS_MANAGED_RULE_GROUPS:
            close = difflib.get_close_matches(name, AWS_MANAGED_RULE_GROUPS, n=1)
            yield spec.diagnostic(("api", "waf", "managed_rules", j), "E331", f"unknown AWS managed rule group '{name}'",
                                  (f"did you mean '{close[0]}'? " if close else "") + "known: " + ", ".join(AWS_MANAGED_RULE_GROUPS))
