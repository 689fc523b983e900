"""Golden-spec tests: every spec compiles to its committed plan.json, byte for byte.

Refresh on purpose with `./run test tests/test_golden_plans.py --update-golden`, then read the diff.

Golden files hold the plan with the code archives' content hashes replaced by placeholders
(plan_support.golden_text): editing a handler changes no golden plan, so a golden diff always
means the infrastructure changed. The hashes themselves are pinned by tests/test_packaging.py.
"""
from __future__ import annotations

import pytest

import re

from plan_support import CODE_HASH_PLACEHOLDER, FILE_HASH_PLACEHOLDER, SAMPLE, golden_text, plan_cases, plan_json

CASES = plan_cases()


@pytest.mark.parametrize("spec,golden", [(spec, golden) for _, spec, golden in CASES], ids=[case for case, _, _ in CASES])
def test_spec_compiles_to_its_committed_plan(spec, golden, update_golden):
    actual = golden_text(plan_json(spec))
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"no golden plan for {spec}: run with --update-golden and review it"
    assert actual == golden.read_text(encoding="utf-8"), f"{spec} no longer compiles to {golden}; if intended, refresh with --update-golden and review the diff"


def test_there_are_golden_plans_for_the_cases_the_compiler_must_cover():
    names = {case for case, _, _ in CASES}
    assert {"specs/serverless-app", "plan_nested_paths", "plan_several_usage_plans", "plan_functions_only", "plan_eu_west_1"} <= names


def test_golden_text_replaces_the_code_hashes_and_nothing_else():
    """Line by line, the golden form of the sample's plan differs from the plan only in hash values
    of code archives (the archive's `sha256` and each file's entry), and there are such lines."""
    raw = plan_json(SAMPLE).splitlines()
    golden = golden_text(plan_json(SAMPLE)).splitlines()
    assert len(raw) == len(golden)
    changed = [(a, b) for a, b in zip(raw, golden) if a != b]
    assert changed, "no code hash was replaced"
    hash_line = re.compile(r'^(\s*"[^"]+": )"(sha256:)?[0-9a-f]{64}"(,?)$')
    for before, after in changed:
        match = hash_line.match(before)
        assert match, f"a line that is not a code hash changed: {before!r}"
        placeholder = FILE_HASH_PLACEHOLDER if match[2] else CODE_HASH_PLACEHOLDER
        assert after == f'{match[1]}"{placeholder}"{match[3]}', (before, after)
    # Every function's archive (inputs and the mocks' outputs): its hash and one line per file.
    files = sum(1 for line in golden if FILE_HASH_PLACEHOLDER in line)
    archives = sum(1 for line in golden if CODE_HASH_PLACEHOLDER in line)
    assert archives >= 2 and files >= archives and len(changed) == files + archives
