"""The schema is the operator's reference: valid Draft 2020-12, strict, described, and the
rendered docs/spec-reference.md is never stale."""
from __future__ import annotations

import json

import jsonschema
import yaml

from compiler.docs import render_reference
from compiler.schema_errors import load_schema
from plan_support import ROOT


def _objects(node, path="#"):
    """Every subschema that describes an object with named properties."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            yield path, node
        for key, value in node.items():
            yield from _objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, f"{path}/{i}")


def test_the_schema_is_a_valid_draft_2020_12_schema_with_an_id():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("https://")
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_object_rejects_unknown_keys_and_every_property_has_a_description():
    schema = load_schema()
    found = list(_objects(schema))
    assert len(found) >= 10
    for path, node in found:
        assert node.get("additionalProperties") is False, f"{path} accepts unknown keys"
        for name, prop in node["properties"].items():
            described = prop.get("description") or schema["$defs"].get(prop.get("$ref", "#/$defs/").rsplit("/", 1)[-1], {}).get("description")
            assert described, f"{path}/properties/{name} has no description"


def test_the_sample_spec_and_the_schema_examples_are_valid():
    schema = load_schema()
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(yaml.safe_load((ROOT / "specs" / "serverless-app.yaml").read_text())))
    for path, node in _objects(schema):
        for example in node.get("examples", []):
            sub = jsonschema.Draft202012Validator({**node, "$defs": schema["$defs"]})
            assert not list(sub.iter_errors(example)), f"example of {path} is invalid"


def test_the_committed_spec_reference_is_not_stale():
    committed = (ROOT / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    assert committed == render_reference(), "docs/spec-reference.md is stale: run `python -m compiler docs`"


def test_the_spec_reference_documents_every_key_of_the_sample_spec():
    text = (ROOT / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    for key in ("`functions.<name>.memory_mb`", "`api.routes[].throttling.rate_limit`", "`api.usage_plans.<name>.quota.period`",
                "`logs.archive.noncurrent_expire_after_days`", "`alarms.function_duration_ms.statistic`"):
        assert key in text


def test_the_schema_command_prints_the_schema(capsys):
    from compiler.__main__ import main

    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == load_schema()
