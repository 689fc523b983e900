"""Helpers for plan tests: build specs in-process under the mock runtime, find golden cases,
and query plan documents."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from compiler.plan import plan_file, to_json

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


def plan_cases() -> list[tuple[str, str, Path]]:
    """(case id, spec path relative to the root, golden plan.json) for every spec that must compile:
    specs/*.yaml (goldens under tests/golden/specs/) and tests/golden/<case>/spec.yaml (not error_ or warning_ cases)."""
    cases = [(f"specs/{p.stem}", p.relative_to(ROOT).as_posix(), GOLDEN / "specs" / f"{p.stem}.plan.json")
             for p in sorted((ROOT / "specs").glob("*.yaml"))]
    cases += [(d.name, (d / "spec.yaml").relative_to(ROOT).as_posix(), d / "plan.json")
              for d in sorted(GOLDEN.iterdir()) if d.is_dir() and (d / "spec.yaml").exists() and not d.name.startswith(("error_", "warning_"))]
    return cases


@lru_cache(maxsize=64)
def _plan_cached(spec: str, stage: str | None, mtime: float) -> str:
    return to_json(plan_file(spec, stage=stage, project_root=ROOT))


def plan_json(spec: str, stage: str | None = None) -> str:
    """The plan document's exact JSON text for `spec` (a path relative to the repository root)."""
    return _plan_cached(spec, stage, (ROOT / spec).stat().st_mtime)


def plan(spec: str, stage: str | None = None) -> dict:
    document = json.loads(plan_json(str(spec), stage))
    region = getattr(spec, "region", None)
    return region_view(document, region) if region else document


def region_view(document: dict, region: str) -> dict:
    """One region of a several-region plan as a one-region plan of that region would look: the
    resources under that region's App component (its provider included), `region` set to it, and
    that region's own outputs over the top-level ones (the global part and other regions left out)."""
    children: dict[str, list[dict]] = {}
    for r in document["resources"]:
        children.setdefault(r["parent"], []).append(r)
    [root] = [r for r in document["resources"] if r["type"] == "serverless:index:App" and r["name"].endswith(f"-{region}")]
    kept, stack = [root], [root["urn"]]
    while stack:
        for child in children.get(stack.pop(), []):
            kept.append(child)
            stack.append(child["urn"])
    outputs = {k: v for k, v in document["outputs"].items() if k != "regions"}
    outputs.update(document["outputs"]["regions"][region], region=region)
    return {**document, "region": region, "resources": sorted(kept, key=lambda r: r["urn"]), "outputs": outputs}


# What golden files store instead of the code archives' content hashes: any edit of a handler (a
# comment) would otherwise change every golden plan, and refreshing goldens without reading them
# would become a habit. The archive's file list stays; tests/test_packaging.py pins the hashes.
CODE_HASH_PLACEHOLDER = "<content hash of the code folder>"
FILE_HASH_PLACEHOLDER = "sha256:<content hash of the file>"


def _without_code_hashes(node):
    if isinstance(node, dict):
        if set(node) == {"$archive"}:
            archive = node["$archive"]
            return {"$archive": {**archive, "sha256": CODE_HASH_PLACEHOLDER,
                                 "entries": {name: FILE_HASH_PLACEHOLDER for name in archive["entries"]}}}
        return {key: _without_code_hashes(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_without_code_hashes(value) for value in node]
    return node


def golden_text(plan_text: str) -> str:
    """A plan document's JSON text as golden files hold it: the same document, serialised the same
    way, with every code archive's content hashes (the archive's and each file's) replaced by
    placeholders. Nothing else changes (the plan JSON format itself is a fixed contract)."""
    return to_json(_without_code_hashes(json.loads(plan_text)))


def resources(document: dict, type_token: str) -> list[dict]:
    return [r for r in document["resources"] if r["type"] == type_token]


def one(document: dict, type_token: str, name: str | None = None) -> dict:
    found = [r for r in resources(document, type_token) if name is None or r["name"] == name]
    assert len(found) == 1, f"expected one {type_token} {name or ''}, found {[r['name'] for r in found]}"
    return found[0]


def by_urn(document: dict) -> dict[str, dict]:
    return {r["urn"]: r for r in document["resources"]}


def policy_statements(document: dict) -> Iterator[tuple[dict, dict]]:
    """(resource, statement) for every IAM-style policy document in the plan (role, key, bucket,
    topic policies and trust policies)."""
    fields = {"aws:iam/rolePolicy:RolePolicy": "policy", "aws:iam/role:Role": "assumeRolePolicy",
              "aws:kms/key:Key": "policy", "aws:s3/bucketPolicy:BucketPolicy": "policy", "aws:sns/topicPolicy:TopicPolicy": "policy"}
    for resource in document["resources"]:
        field = fields.get(resource["type"])
        if field and field in resource["inputs"]:
            for stmt in json.loads(resource["inputs"][field])["Statement"]:
                yield resource, stmt


# The specs the plan tests use most, and every case (id, spec) for parametrizing.
SAMPLE = "specs/serverless-app.yaml"
EU_WEST_1 = "tests/golden/plan_eu_west_1/spec.yaml"
MINIMAL = "tests/golden/plan_minimal/spec.yaml"
NESTED = "tests/golden/plan_nested_paths/spec.yaml"
USAGE_PLANS = "tests/golden/plan_several_usage_plans/spec.yaml"
FUNCTIONS_ONLY = "tests/golden/plan_functions_only/spec.yaml"
class RegionSpec(str):
    """A spec path (so `ROOT / spec` still reads the raw file) naming one region of a several-region
    plan: `plan(spec)` then gives that region's view (see region_view)."""

    region: str

    def __new__(cls, path: str, region: str):
        self = super().__new__(cls, path)
        self.region = region
        return self

    # Distinct from the plain path and from other regions in caches keyed by the spec.
    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, other) and getattr(other, "region", None) == self.region

    def __hash__(self) -> int:
        return hash((str(self), self.region))


def _case_specs() -> list[tuple[str, str]]:
    """(id, spec) for every plan case; a several-region case once per region, so every one-region
    invariant also holds in each region of a several-region plan."""
    import yaml

    out = []
    for case, spec, _ in plan_cases():
        raw = yaml.safe_load((ROOT / spec).read_text(encoding="utf-8"))
        regions = (raw.get("availability") or {}).get("regions") or []
        if len(regions) > 1:
            out += [(f"{case}@{region}", RegionSpec(spec, region)) for region in regions]
        else:
            out.append((case, spec))
    return out


CASE_IDS = [case for case, _ in _case_specs()]
CASE_SPECS = [spec for _, spec in _case_specs()]
