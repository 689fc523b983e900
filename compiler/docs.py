"""Render the operator's reference (docs/spec-reference.md) from the JSON Schema.

The schema is the single source of truth: its descriptions, defaults, bounds and examples become
one table row per key, so the reference cannot drift from what `validate` enforces (a test fails
when the committed file is stale).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .schema_errors import load_schema


@dataclass(frozen=True)
class Row:
    path: str
    type: str
    required: bool
    default: str
    constraints: str
    description: str


def _resolve(schema: dict, root: dict) -> dict:
    if "$ref" not in schema:
        return schema
    target = root
    for part in schema["$ref"].lstrip("#/").split("/"):
        target = target[part]
    merged = {**_resolve(target, root), **{k: v for k, v in schema.items() if k != "$ref"}}
    return merged


def _type(schema: dict) -> str:
    kind = schema.get("type", "")
    if isinstance(kind, list):
        return " \\| ".join(kind)
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return "map"
    if kind == "array":
        return "list"
    return kind or ("const" if "const" in schema else "")


def _constraints(schema: dict) -> str:
    parts = []
    if "enum" in schema:
        parts.append("one of " + ", ".join(f"`{v}`" for v in schema["enum"]))
    if "const" in schema:
        parts.append(f"exactly `{schema['const']}`")
    for key, label in (("minimum", "≥"), ("maximum", "≤"), ("multipleOf", "multiple of"), ("minLength", "length ≥"),
                       ("maxLength", "length ≤"), ("minItems", "items ≥"), ("maxItems", "items ≤"),
                       ("minProperties", "entries ≥"), ("maxProperties", "entries ≤")):
        if key in schema:
            parts.append(f"{label} {schema[key]}")
    if "pattern" in schema:
        parts.append(schema.get("x-hint") or f"matches `{schema['pattern']}`")
    if schema.get("format"):
        parts.append(f"format {schema['format']}")
    if schema.get("uniqueItems"):
        parts.append("unique")
    return "; ".join(parts)


def _rows(schema: dict, root: dict, path: str, required: bool, out: list[Row]) -> None:
    schema = _resolve(schema, root)
    default = json.dumps(schema["default"]) if "default" in schema else ""
    out.append(Row(path, _type(schema), required, default, _constraints(schema), schema.get("description", "")))
    for name, child in schema.get("properties", {}).items():
        if name == "$schema":
            continue
        _rows(child, root, f"{path}.{name}" if path else name, name in schema.get("required", []), out)
    names = schema.get("propertyNames")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        key = "<name>" if names else "<key>"
        if names and names.get("x-hint"):
            out.append(Row(f"{path} keys", "key", False, "", names["x-hint"], "The names you choose for the entries of `" + path + "`."))
        _rows(extra, root, f"{path}.{key}", False, out)
    items = schema.get("items")
    if isinstance(items, dict):
        _rows(items, root, f"{path}[]", False, out)


def reference_rows() -> list[Row]:
    schema = load_schema()
    rows: list[Row] = []
    for name, child in schema["properties"].items():
        if name != "$schema":
            _rows(child, schema, name, name in schema["required"], rows)
    return rows


def render_reference() -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("compiler", "templates"), keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, autoescape=False)
    env.filters["cell"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    schema = load_schema()
    return env.get_template("spec-reference.md.j2").render(schema=schema, rows=reference_rows(),
                                                           example=json.dumps(schema.get("examples", []), indent=2))
