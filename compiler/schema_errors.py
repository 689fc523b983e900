"""JSON Schema validation errors -> Diagnostics with codes, plain messages and hints.

jsonschema's own messages are Python reprs ("'abc' is not of type 'integer'"); operators get
"expected an integer, found the string 'abc'" instead, pointed at the offending key or value.
"""
from __future__ import annotations

import difflib
import json
import math
from functools import lru_cache
from pathlib import Path as FsPath
from typing import Any, Iterator

from .errors import Diagnostic
from .loader import LoadedSpec

CODES = {
    "type": "E200",
    "minimum": "E201", "maximum": "E201", "exclusiveMinimum": "E201", "exclusiveMaximum": "E201", "multipleOf": "E201",
    "required": "E202",
    "additionalProperties": "E203",
    "enum": "E204", "const": "E204",
    "pattern": "E205", "format": "E205",
    "minLength": "E206", "maxLength": "E206",
    "minItems": "E207", "maxItems": "E207", "uniqueItems": "E207",
    "minProperties": "E208", "maxProperties": "E208",
}
PROPERTY_NAME_CODE = "E209"

_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "null"}


def schema_path() -> FsPath:
    """The schema file: shipped inside the package when installed, at the repository root otherwise."""
    here = FsPath(__file__).resolve().parent
    for candidate in (here / "_schema" / "app.schema.json", here.parent / "schema" / "app.schema.json"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("schema/app.schema.json not found")


@lru_cache(maxsize=1)
def load_schema() -> dict:
    with open(schema_path(), encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def _validator():
    import jsonschema  # imported lazily: only when a spec is actually checked

    schema = load_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_diagnostics(spec: LoadedSpec) -> Iterator[Diagnostic]:
    """Every schema violation in the document, one diagnostic each (unknown keys one per key);
    one range problem per value (30 is both under 60 and not a multiple of 60: say the first)."""
    ranged: set[tuple] = set()
    for error in _validator().iter_errors(spec.data):
        for diagnostic in _convert(spec, error):
            if diagnostic.code == CODES["minimum"]:
                if (diagnostic.path, diagnostic.line, diagnostic.col) in ranged:
                    continue
                ranged.add((diagnostic.path, diagnostic.line, diagnostic.col))
            yield diagnostic


def describe(value: Any) -> str:
    """A value as the operator wrote it, with its kind: the string 'abc', the number 5, a list."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return {"bytes": "binary data", "date": "a date", "datetime": "a timestamp"}.get(type(value).__name__, f"a {type(value).__name__}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "the number"
    if isinstance(value, str):
        return "the string"
    return ""


def _expected(schema: dict) -> str:
    if "x-hint" in schema:
        return schema["x-hint"]
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return f"exactly {schema['const']}"
    if "maxLength" in schema or "minLength" in schema:
        if "maxLength" not in schema:
            return f"a string of at least {schema['minLength']} characters"
        return f"a string of {schema['minLength']} to {schema['maxLength']} characters" if "minLength" in schema \
            else f"a string of at most {schema['maxLength']} characters"
    low, high = schema.get("minimum"), schema.get("maximum")
    kind = _TYPE_NAMES.get(schema.get("type"), "a value") if isinstance(schema.get("type"), str) else "a value"
    step = f", a multiple of {schema['multipleOf']}" if "multipleOf" in schema else ""
    if low is not None and high is not None:
        return f"{kind} from {low} to {high}{step}"
    if low is not None:
        return f"{kind} of at least {low}{step}"
    if high is not None:
        return f"{kind} of at most {high}{step}"
    types = schema.get("type")
    if isinstance(types, list):
        return " or ".join(_TYPE_NAMES.get(t, t) for t in types)
    if types:
        return _TYPE_NAMES.get(types, types)
    return schema.get("description", "")


def _convert(spec: LoadedSpec, error) -> Iterator[Diagnostic]:
    path = tuple(error.absolute_path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    if "propertyNames" in error.absolute_schema_path:
        key_path = path + (value,)
        yield spec.diagnostic(key_path, PROPERTY_NAME_CODE, f"invalid name '{value}'", _expected(schema), key=True)
        return
    code = CODES.get(keyword, "E299")
    if keyword == "additionalProperties":
        yield from _unknown_keys(spec, path, error)
        return
    if keyword == "required":
        missing = error.validator_value
        for name in [n for n in missing if n not in value]:
            about = _properties(error.schema).get(name, {}).get("description", "")
            yield spec.diagnostic(path, code, f"missing required key '{name}'", f"add `{name}:`" + (f" ({about})" if about else ""))
        return
    if keyword == "type":
        found = f"{_kind(value)} {describe(value)}".strip()
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        if _read_as_boolean(value, wanted):
            hint = _boolean_hint(spec, path, value)
        else:
            hint = _expected(schema) + (f"; write {value.strip()} without quotes" if _quoted_number(value, wanted) else "")
        yield spec.diagnostic(path, code, f"expected {_expected({'type': error.validator_value})}, found {found}", hint)
        return
    if keyword in ("enum", "const"):
        yield from _not_allowed(spec, path, value, error.validator_value if keyword == "enum" else [error.validator_value], schema)
        return
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        relation = {"minimum": "less than the minimum of", "maximum": "greater than the maximum of",
                    "exclusiveMinimum": "not greater than", "exclusiveMaximum": "not less than",
                    "multipleOf": "not a multiple of"}[keyword]
        yield spec.diagnostic(path, code, f"{describe(value)} is {relation} {error.validator_value}", _expected(schema))
        return
    if keyword in ("pattern", "format"):
        yield spec.diagnostic(path, code, f"{describe(value)} is not a valid {path[-1] if path and isinstance(path[-1], str) else 'value'}", _expected(schema))
        return
    if keyword == "uniqueItems":
        yield spec.diagnostic(path, code, "the list has duplicate entries", "list each entry once")
        return
    if keyword in ("minItems", "minProperties") and (error.validator_value == 1 or not value):
        yield spec.diagnostic(path, code, "must not be empty", f"give at least {error.validator_value}")
        return
    if keyword == "minItems":
        yield spec.diagnostic(path, code, f"has {len(value)} entr{'y' if len(value) == 1 else 'ies'}, expected at least {error.validator_value}",
                              f"give at least {error.validator_value}")
        return
    if keyword in ("maxItems", "maxProperties", "maxLength", "minLength"):
        size = len(value) if hasattr(value, "__len__") else value
        bound = "at most" if keyword.startswith("max") else "at least"
        unit = "characters" if "Length" in keyword else "entries"
        yield spec.diagnostic(path, code, f"has {size} {unit}, expected {bound} {error.validator_value}", _expected(schema))
        return
    yield spec.diagnostic(path, code, error.message, _expected(schema))


def _properties(schema: dict) -> dict:
    """A schema node's properties, through a `$ref` beside the keyword (`required` may sit next
    to a reference, as on the spec-wide alarms)."""
    if "properties" not in schema and "$ref" in schema:
        schema = load_schema()["$defs"].get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema.get("properties", {})


def _not_allowed(spec: LoadedSpec, path: tuple, value: Any, choices: list, schema: dict) -> Iterator[Diagnostic]:
    """A value outside an enum or const: a wrong type says so (E200), a number names its allowed
    neighbours, a string the nearest spelling. Spelling distance means nothing between numbers
    (31 is not "almost 731") nor between types (the string '1' is not "almost" the integer 1)."""
    declared = schema.get("type")
    if declared is not None and not any(_validator().is_type(value, t) for t in _as_list(declared)):
        return  # the "type" keyword's own error reports it
    wanted = list(dict.fromkeys(_json_type(c) for c in choices))
    if not any(_validator().is_type(value, t) for t in wanted):
        found = f"{_kind(value)} {describe(value)}".strip()
        if _read_as_boolean(value, wanted):
            hint = _boolean_hint(spec, path, value)
        else:
            allowed = _quoted_number(value, wanted) and any(c == float(value) for c in choices if _is_number(c))
            hint = _expected(schema) + (f"; write {value.strip()} without quotes" if allowed else "")
        yield spec.diagnostic(path, CODES["type"], f"expected {_expected({'type': wanted})}, found {found}", hint)
        return
    numbers = sorted(c for c in choices if _is_number(c))
    if _is_number(value) and len(numbers) > 1:
        below = [c for c in numbers if c < value]
        above = [c for c in numbers if c > value]
        if below and above:
            nearest = f"the nearest allowed values are {describe(below[-1])} and {describe(above[0])}"
        elif above:
            nearest = f"the smallest allowed value is {describe(above[0])}"
        else:
            nearest = f"the largest allowed value is {describe(below[-1])}"
        hint = f"{nearest} ({len(choices)} values are allowed: see {load_schema()['$id']})" if len(choices) > 12 \
            else f"{_expected(schema)}; {nearest}"
        yield spec.diagnostic(path, CODES["enum"], f"{describe(value)} is not allowed here", hint)
        return
    # An x-hint explains the choice (e.g. deprecated runtimes) better than the nearest spelling.
    strings = [c for c in choices if isinstance(c, str)]
    close = [] if "x-hint" in schema or not isinstance(value, str) else difflib.get_close_matches(value, strings, n=1)
    if close and len(choices) > 12:
        hint = f"did you mean '{close[0]}'? ({len(choices)} values are allowed: see {load_schema()['$id']})"
    else:
        hint = _expected(schema) + (f"; did you mean '{close[0]}'?" if close else "")
    yield spec.diagnostic(path, CODES["enum"], f"{describe(value)} is not allowed here", hint)


def _as_list(types: Any) -> list:
    return types if isinstance(types, list) else [types]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    """The JSON Schema type of a schema's own enum or const value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


def _read_as_boolean(value: Any, wanted: list) -> bool:
    """A boolean where only a string fits: YAML 1.1 reads yes/no/on/off/true/false (lower case,
    Capitalised or UPPER CASE) unquoted as booleans, so `country: NO` is false."""
    return isinstance(value, bool) and "string" in wanted and "boolean" not in wanted


def _quoted_number(value: Any, wanted: list) -> bool:
    """A string holding just the number a number-typed setting wants: `'30'` for `30`."""
    if not isinstance(value, str) or not {"integer", "number"} & set(wanted):
        return False
    try:
        number = int(value) if "number" not in wanted else float(value)
    except ValueError:
        return False
    return math.isfinite(number) and value.strip() in (describe(number), str(number))


def _boolean_hint(spec: LoadedSpec, path: tuple, value: bool) -> str:
    text = spec.bool_texts.get(spec.locate(path))
    if text is None:
        return f"YAML read an unquoted word (yes, no, on, off, true or false) as the boolean {describe(value)}; quote it"
    return f"YAML read {text} as the boolean {describe(value)}; quote it: '{text}'"


def _unknown_keys(spec: LoadedSpec, path: tuple, error) -> Iterator[Diagnostic]:
    allowed = sorted(error.schema.get("properties", {}))
    for key in error.instance:
        if key in allowed:
            continue
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        hint += "allowed keys: " + ", ".join(allowed)
        yield spec.diagnostic(path + (key,), "E203", f"unknown key '{key}'", hint, key=True)
