"""Benchmark: how much of a `plan` is only importing the modules it needs.

    .venv/bin/python bench/bench_floor.py            # the sample spec, best of 5
    .venv/bin/python bench/bench_floor.py --spec tests/golden/plan_minimal/spec.yaml --runs 9

A plan of SPEC runs once to record, in order, every module it imports. Then --runs fresh processes
each do only that: import those modules the way a plan does (compiler/fast_imports.py installed
first, the cyclic collector off) and exit. Their time is the floor under a whole-process plan
that keeps running the Pulumi SDK; the rest is validating, building under the mock engine and
printing. Not a test: timings depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

from bench_plan import ROOT, timed

RECORD = """
import json, sys
from pathlib import Path
from compiler.plan import plan_file
plan_file(sys.argv[1], project_root=Path("."))
print(json.dumps([name for name in sys.modules if name != "__main__"]))
"""

IMPORT_ONLY = """
import gc, importlib, json, os, sys
gc.disable()
from compiler import fast_imports
fast_imports.install()
for name in json.load(open(sys.argv[1])):
    try:
        importlib.import_module(name)
    except Exception:  # a module only importable in its own context (a platform or test shim)
        pass
os._exit(0)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", default="specs/serverless-app.yaml")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    recorded = subprocess.run([sys.executable, "-c", RECORD, args.spec], cwd=ROOT, capture_output=True, text=True, check=True)
    modules = json.loads(recorded.stdout)
    listing = ROOT / "bench" / ".floor-modules.json"
    listing.write_text(json.dumps(modules))
    try:
        floor_best, floor_median, _ = timed([sys.executable, "-c", IMPORT_ONLY, str(listing)], args.runs, warm_up=True)
        plan_best, plan_median, _ = timed([sys.executable, "-m", "compiler", "plan", args.spec, "--json"], args.runs, warm_up=True)
    finally:
        listing.unlink()
    print(f"{args.spec}: {len(modules)} modules; best/median of {args.runs} fresh processes, seconds")
    print(f"  imports only   {floor_best:6.3f} {floor_median:6.3f}")
    print(f"  whole plan     {plan_best:6.3f} {plan_median:6.3f}")
    print(f"  imports share  {floor_best / plan_best:6.1%} of the best plan")


if __name__ == "__main__":
    main()
