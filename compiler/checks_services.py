"""Semantic checks of tables, secrets and what functions use (JSON Schema cannot say these).

Like checks.py, each check reads the raw document defensively (the schema reported wrong types)
and yields Diagnostics; they are registered in checks.SEMANTIC_CHECKS.
"""
from __future__ import annotations

import difflib
from typing import Iterator

from .check_support import _functions, _items, _mapping
from .errors import Diagnostic, render_path
from .handler_source import module_file
from .loader import LoadedSpec
from .permissions import no_resource_level_permissions

DEFAULT_CODE = "runtime_handlers"
KEY_TYPES = ("S", "N", "B")








def _unknown(kind: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return (f"did you mean '{close[0]}'? " if close else "") + f"defined {kind}: " + (", ".join(sorted(known)) or "none")


def check_uses_references(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """`uses.tables` and `uses.secrets` name tables and secrets the spec defines."""
    tables = [k for k in _mapping(spec.data.get("tables"))]
    secrets = [k for k in _mapping(spec.data.get("secrets"))]
    for name, function in _functions(spec).items():
        uses = _mapping(function.get("uses"))
        for table in _mapping(uses.get("tables")):
            if table not in tables:
                yield spec.diagnostic(("functions", name, "uses", "tables", table), "E317", f"function uses unknown table '{table}'",
                                      _unknown("tables", table, tables), key=True)
        for i, secret in enumerate(_items(uses.get("secrets"))):
            if isinstance(secret, str) and secret not in secrets:
                yield spec.diagnostic(("functions", name, "uses", "secrets", i), "E318", f"function uses unknown secret '{secret}'",
                                      _unknown("secrets", secret, secrets))


def check_secret_sources(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """A secret lives in exactly one place."""
    for name, secret in _mapping(spec.data.get("secrets")).items():
        if not isinstance(secret, dict):
            continue
        sources = [k for k in ("ssm_parameter", "secrets_manager") if k in secret]
        if len(sources) != 1:
            found = "both" if sources else "neither"
            yield spec.diagnostic(("secrets", name), "E319", f"secret '{name}' names {found} of ssm_parameter and secrets_manager",
                                  "give exactly one: ssm_parameter: /path/name or secrets_manager: name-or-arn")


def check_table_keys(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """An attribute used as a key of the table and of its indexes has one type (DynamoDB defines
    each key attribute once), and an index differs from the table's own key."""
    for name, table in _mapping(spec.data.get("tables")).items():
        if not isinstance(table, dict):
            continue
        types: dict[str, tuple[str, tuple]] = {}
        keys = [(("tables", name, part), _mapping(table.get(part))) for part in ("partition_key", "sort_key")]
        for index, spec_index in _mapping(table.get("indexes")).items():
            keys += [(("tables", name, "indexes", index, part), _mapping(_mapping(spec_index).get(part))) for part in ("partition_key", "sort_key")]
        for where, key in keys:
            attribute, kind = key.get("name"), key.get("type")
            if not isinstance(attribute, str) or kind not in KEY_TYPES:
                continue  # a wrong type is the schema's finding
            if attribute in types and types[attribute][0] != kind:
                first_kind, first_where = types[attribute]
                yield spec.diagnostic(where + ("type",), "E320", f"attribute '{attribute}' is {kind} here but {first_kind} in {render_path(first_where)}",
                                      "a key attribute has one type across the table and its indexes")
            types.setdefault(attribute, (kind, where))


def check_table_capacity(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """`capacity` and `autoscale` belong to provisioned tables, which need a capacity; autoscaling
    maxima are at least the provisioned minimum."""
    for name, table in _mapping(spec.data.get("tables")).items():
        if not isinstance(table, dict):
            continue
        provisioned = table.get("billing") == "provisioned"
        for part in ("capacity", "autoscale"):
            if part in table and not provisioned:
                yield spec.diagnostic(("tables", name, part), "E321", f"'{part}' applies only to provisioned tables",
                                      "set billing: provisioned, or remove it (on_demand scales by itself)", key=True)
        capacity, autoscale = _mapping(table.get("capacity")), _mapping(table.get("autoscale"))
        if provisioned and "capacity" not in table:
            yield spec.diagnostic(("tables", name, "billing"), "E321", "a provisioned table needs capacity",
                                  "add capacity: {read: 5, write: 5}")
        for side in ("read", "write"):
            low, high = capacity.get(side), autoscale.get(f"max_{side}")
            if isinstance(low, int) and isinstance(high, int) and not isinstance(high, bool) and high < low:
                yield spec.diagnostic(("tables", name, "autoscale", f"max_{side}"), "E321", f"max_{side} {high} is below the provisioned {side} capacity {low}",
                                      "autoscaling ranges from capacity up to the maximum")


def check_code_and_requirements(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """The code folder exists and holds the handler's module; the requirements file exists."""
    root = ctx.project_root
    for name, function in _functions(spec).items():
        code = function.get("code", DEFAULT_CODE)
        if isinstance(code, str) and code.startswith(DEFAULT_CODE):
            folder = root / code
            if not folder.is_dir():
                yield spec.diagnostic(("functions", name, "code"), "E322", f"code folder '{code}' not found",
                                      "a folder under the project root (the folder holding Pulumi.yaml)")
            else:
                handler = function.get("handler")
                module = handler.rpartition(".")[0] if isinstance(handler, str) else ""
                file = module_file(root, module) if module else None
                if file is not None and folder.resolve() not in file.resolve().parents:
                    yield spec.diagnostic(("functions", name, "handler"), "E322", f"handler module '{module}' is outside the code folder '{code}'",
                                          f"move the module under {code}/ or set code to a folder that contains it")
        requirements = function.get("requirements")
        if isinstance(requirements, str) and not (root / requirements).is_file():
            yield spec.diagnostic(("functions", name, "requirements"), "E323", f"requirements file '{requirements}' not found",
                                  "a pinned requirements file relative to the project root")


def generated_environment(function: dict) -> dict[str, tuple]:
    """The environment names `uses` sets -> the spec path that causes each."""
    uses = _mapping(function.get("uses"))
    names = {f"TABLE_{t.upper()}": ("uses", "tables", t) for t in _mapping(uses.get("tables")) if isinstance(t, str)}
    names.update({f"SECRET_{s.upper()}": ("uses", "secrets", i) for i, s in enumerate(_items(uses.get("secrets"))) if isinstance(s, str)})
    return names


def check_environment_collisions(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """The spec may not set a name `uses` sets (TABLE_<NAME>, SECRET_<NAME>)."""
    for name, function in _functions(spec).items():
        generated = generated_environment(function)
        for variable in _mapping(function.get("environment")):
            if variable in generated:
                cause = render_path(generated[variable])
                yield spec.diagnostic(("functions", name, "environment", variable), "E324", f"'{variable}' is set by {cause}",
                                      "remove it from environment: the compiler sets it to the real name", key=True)


def check_permissions(spec: LoadedSpec, ctx) -> Iterator[Diagnostic]:
    """`*` as a resource only for actions AWS documents without resource-level permissions."""
    for name, function in _functions(spec).items():
        for i, permission in enumerate(_items(_mapping(function.get("uses")).get("permissions"))):
            permission = _mapping(permission)
            resources = _items(permission.get("resources"))
            if "*" not in resources:
                continue
            scoped = [a for a in _items(permission.get("actions")) if isinstance(a, str) and not no_resource_level_permissions(a)]
            if scoped:
                yield spec.diagnostic(("functions", name, "uses", "permissions", i, "resources", resources.index("*")), "E325",
                                      f"'*' as a resource for {', '.join(scoped)}, which AWS scopes to resources",
                                      "name the resources' ARNs; '*' is only for actions without resource-level permissions (e.g. xray:PutTraceSegments)")

