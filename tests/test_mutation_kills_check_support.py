"""compiler.check_support's readers of the raw document, pinned outside the golden corpus.

Written against mutants that bench/mutation.py found surviving once the golden byte comparisons
are left out. `_segments`: a mutant dropping the first character of a path's first segment
survived because every route starts with a long literal (/items, /health). API Gateway resource paths are '/'-separated segments from the root; a parameter may be the
first segment, a literal may be one character, and paths that differ only in their first character
are different resources (API Gateway developer guide, "Set up a REST API resource").
"""
from __future__ import annotations

import pytest

from compiler.errors import SpecError
from compiler.validate import validate_file
from plan_support import ROOT

SAMPLE = (ROOT / "specs" / "serverless-app.yaml").read_text()
ROUTES = "    - {method: GET,  path: /health,       function: health}\n"


def _validate_with_routes(tmp_path, extra_routes: list[str]):
    assert ROUTES in SAMPLE
    lines = "".join(f"    - {{method: GET, path: '{path}', function: health}}\n" for path in extra_routes)
    spec = tmp_path / "app.yaml"
    spec.write_text(SAMPLE.replace(ROUTES, ROUTES + lines))
    return validate_file(str(spec), ROOT)  # raises SpecError on any error


def test_a_parameter_may_be_the_first_segment_of_a_path(tmp_path):
    _validate_with_routes(tmp_path, ["/{name}"])


def test_a_one_character_first_segment_is_a_valid_literal(tmp_path):
    _validate_with_routes(tmp_path, ["/v/health", "/v"])


def test_paths_that_differ_only_in_their_first_character_are_different_routes(tmp_path):
    _validate_with_routes(tmp_path, ["/cats", "/bats"])


# `_integer`: JSON Schema counts a number with a zero fractional part as an integer (JSON Schema
# Validation 2020-12, "type"), so `timeout_s: 60.0` passes the schema and the semantic checks must
# read it as 60. A mutant that skipped such floats let the timeout check miss it.

@pytest.mark.parametrize("timeout", ["60", "60.0"])
def test_a_route_function_timeout_over_29_s_is_e307_whether_written_as_integer_or_float(tmp_path, timeout):
    """API Gateway's REST integration timeout is 29 s (API Gateway quotas); the items function
    serves routes in the sample."""
    assert "    timeout_s: 10\n" in SAMPLE
    spec = tmp_path / "app.yaml"
    spec.write_text(SAMPLE.replace("    timeout_s: 10\n", f"    timeout_s: {timeout}\n", 1))
    with pytest.raises(SpecError) as raised:
        validate_file(str(spec), ROOT)
    assert [(d.code, d.path) for d in raised.value.diagnostics] == [("E307", "functions.items.timeout_s")]
