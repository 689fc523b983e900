"""Benchmark: resources per region and whole-process `plan` time for 1, 2 and 3 regions of the
active-active golden spec (tables, domain, provisioned concurrency, replication).

    .venv/bin/python bench/bench_regions.py            # best and median of 5 runs each
    .venv/bin/python bench/bench_regions.py --runs 9

Each measurement is a fresh `python -m compiler plan --json` process. Not a test: timings depend
on the machine.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from bench_plan import ROOT, timed

SPEC = ROOT / "tests" / "golden" / "plan_two_regions_active_active" / "spec.yaml"
REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"]


def spec_for(count: int) -> dict:
    raw = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    if count == 1:
        raw.pop("availability")
        raw["logs"] = {"archive": {"replicate_to": "us-east-1"}}
    else:
        raw["availability"]["regions"] = REGIONS[:count]
    return raw


def per_region(document: dict) -> dict[str, int]:
    """Custom (cloud) resources per provider region; the global part counts as `global`."""
    providers = {f"{r['urn']}::{r['id']}": ("global" if r["name"] == "aws-global" else r["inputs"]["region"])
                 for r in document["resources"] if r["type"] == "pulumi:providers:aws"}
    counts = Counter("global" if r["type"].startswith("random:") else providers.get(r["provider"], "other") for r in document["resources"]
                     if not r["type"].startswith(("serverless:", "pulumi:")))
    return dict(sorted(counts.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for count in (1, 2, 3):
            path = Path(tmp) / f"regions-{count}.yaml"
            path.write_text(yaml.safe_dump(spec_for(count), sort_keys=False), encoding="utf-8")
            command = [sys.executable, "-m", "compiler", "plan", str(path), "--root", str(ROOT), "--json"]
            best, median, out = timed(command, args.runs, warm_up=True)
            document = json.loads(out)
            total = sum(per_region(document).values())
            print(f"{count} region(s): plan best {best:.2f} s, median {median:.2f} s; "
                  f"{total} cloud resources: {per_region(document)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
