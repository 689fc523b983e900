"""Benchmark: resource count and whole-process time of `plan` and `validate` as routes grow.

    .venv/bin/python bench/bench_plan.py            # 10, 100, 1000 routes over 100 functions
    .venv/bin/python bench/bench_plan.py --runs 5

Each measurement is a fresh `python -m compiler ...` process (what an operator or CI waits for),
best and median of --runs. Specs are generated into a temporary folder; handlers resolve against
this repository. Not a test: timings depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def generate(routes: int, functions: int) -> dict:
    """A valid spec with `routes` routes spread over `functions` functions (GET/POST pairs)."""
    fns = {f"fn{i:03d}": {"handler": "runtime_handlers.items.handler"} for i in range(functions)}
    names = list(fns)
    paths = [f"/r{i // 2}" if i % 4 < 2 else f"/r{i // 2}/{{id}}" for i in range(routes)]
    route_list = [{"method": "GET" if i % 2 == 0 else "POST", "path": paths[i], "function": names[i % functions]}
                  for i in range(routes)]
    return {"version": 1, "name": "bench", "region": "us-east-1", "functions": fns,
            "api": {"throttling": {"rate_limit": 100, "burst_limit": 200}, "routes": route_list},
            "alarms": {"notify": ["oncall@example.com"], "function_errors": {"threshold": 1}, "api_5xx": {"threshold": 1}}}


def timed(command: list[str], runs: int, warm_up: bool = False) -> tuple[float, float, str]:
    """Best and median wall time of `runs` fresh processes; `warm_up` first makes one untimed run
    (the first plan after installing pulumi-aws writes compiler/fast_imports.py's bytecode cache,
    as pip's install wrote the compiled bytecode other tools start from)."""
    if warm_up:
        subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
        out = done.stdout
    return min(times), statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--routes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--functions", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'routes':>6} {'functions':>9} {'resources':>9} {'plan best s':>11} {'plan median s':>13} {'validate best s':>15}")
    with tempfile.TemporaryDirectory() as folder:
        for routes in args.routes:
            functions = min(args.functions, routes)
            spec = Path(folder) / f"bench-{routes}.yaml"
            spec.write_text(yaml.safe_dump(generate(routes, functions), sort_keys=False))
            best, median, out = timed([sys.executable, "-m", "compiler", "plan", str(spec), "--json"], args.runs, warm_up=True)
            count = sum(1 for r in json.loads(out)["resources"] if not r["type"].startswith(("serverless:", "pulumi:")))
            v_best, _, _ = timed([sys.executable, "-m", "compiler", "validate", str(spec)], args.runs)
            print(f"{routes:>6} {functions:>9} {count:>9} {best:>11.2f} {median:>13.2f} {v_best:>15.3f}")


if __name__ == "__main__":
    main()
