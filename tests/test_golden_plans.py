"""Golden-spec tests: every spec compiles to its committed plan.json, byte for byte.

Refresh on purpose with `./run test tests/test_golden_plans.py --update-golden`, then read the diff.
"""
from __future__ import annotations

import pytest

from plan_support import plan_cases, plan_json

CASES = plan_cases()


@pytest.mark.parametrize("spec,golden", [(spec, golden) for _, spec, golden in CASES], ids=[case for case, _, _ in CASES])
def test_spec_compiles_to_its_committed_plan(spec, golden, update_golden):
    actual = plan_json(spec)
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden plan for {spec}: run with --update-golden and review it"
    assert actual == golden.read_text(encoding="utf-8"), f"{spec} no longer compiles to {golden}; if intended, refresh with --update-golden and review the diff"


def test_there_are_golden_plans_for_the_cases_the_compiler_must_cover():
    names = {case for case, _, _ in CASES}
    assert {"specs/serverless-app", "plan_nested_paths", "plan_several_usage_plans", "plan_functions_only", "plan_eu_west_1"} <= names
