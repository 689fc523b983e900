"""compiler.check_support's path reader, pinned outside the golden corpus.

Written against a mutant of `_segments` (bench/mutation.py) that drops the first character of a
path's first segment: every golden route starts with a long literal (/items, /health), so no test
noticed. API Gateway resource paths are '/'-separated segments from the root; a parameter may be the
first segment, a literal may be one character, and paths that differ only in their first character
are different resources (API Gateway developer guide, "Set up a REST API resource").
"""
from __future__ import annotations

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
