"""Benchmark: our `plan` / `validate` against AWS SAM's transform and check-jsonschema, side by side.

    .venv/bin/python bench/bench_compare.py            # best of 3
    .venv/bin/python bench/bench_compare.py --runs 5

Compares, each side a whole fresh process, best and median of --runs:
  1. `plan` of bench_plan.generate(1000, 100)  vs  samtranslator's transform of an equivalent SAM template
  2. `plan` of specs/serverless-app.yaml        vs  the same for an equivalent small SAM template
  3. `validate` of the 1000-route spec          vs  `check-jsonschema --schemafile schema/app.schema.json` on it
and marks each against the issue's targets. The other tools live in their own virtualenv,
bench/.venv-compare (created with `python -m venv` + pip on the first run, reused after; keep it out
of git). SAM templates are derived from the spec documents themselves (to_sam below); SAM has no
alarms, log groups or log archive, so those parts of a spec have no counterpart on its side.
Not a test: timings depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from bench_plan import ROOT, generate, timed

VENV = ROOT / "bench" / ".venv-compare"
VENV_BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
SAMPLE = ROOT / "specs" / "serverless-app.yaml"
SCHEMA = ROOT / "schema" / "app.schema.json"

# Runs inside bench/.venv-compare: read a SAM template (JSON), transform it offline, print the count.
SAM_RUNNER = '''
import json, os, sys
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # the specs' region; SAM reads it through boto3
from samtranslator.translator.transform import transform


class OfflinePolicyLoader:
    """Stands in for samtranslator's ManagedPolicyLoader, which lists AWS managed policies through
    IAM; transform() only calls load(), and the templates name no managed policies by name."""

    def load(self):
        return {}


with open(sys.argv[1]) as f:
    template = json.load(f)
out = transform(template, parameter_values={}, managed_policy_loader=OfflinePolicyLoader())
print(len(out["Resources"]))
'''


def ensure_venv() -> None:
    """Create bench/.venv-compare with aws-sam-translator and check-jsonschema unless it works already."""
    python = VENV_BIN / "python"
    probe = [str(python), "-c", "import samtranslator, check_jsonschema"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return
    print(f"creating {VENV.relative_to(ROOT)} (aws-sam-translator, check-jsonschema) ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "aws-sam-translator", "check-jsonschema"], check=True)


def _method_settings(throttling: dict, path: str = "/*", method: str = "*") -> dict:
    resource = "/*" if path == "/*" else path.replace("~", "~0").replace("/", "~1")
    return {"ResourcePath": resource if path == "/*" else "/" + resource, "HttpMethod": method,
            "ThrottlingRateLimit": throttling["rate_limit"], "ThrottlingBurstLimit": throttling["burst_limit"]}


def to_sam(spec: dict, stage: str = "dev") -> dict:
    """An equivalent SAM template: functions with Api events on one AWS::Serverless::Api (stage,
    throttling as MethodSettings, per-route throttling, API keys, CORS, endpoint type, usage plan),
    DynamoDB tables with CRUD/read policy templates. Alarms, logs and the archive are left out."""
    resources: dict = {}
    for name, table in (spec.get("tables") or {}).items():
        key = table["partition_key"]
        resources[f"Table{name.title()}"] = {"Type": "AWS::DynamoDB::Table", "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": key["name"], "AttributeType": key["type"]}],
            "KeySchema": [{"AttributeName": key["name"], "KeyType": "HASH"}],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}}
    api = spec.get("api") or {}
    events: dict[str, dict] = {name: {} for name in spec["functions"]}
    for i, route in enumerate(api.get("routes", [])):
        props = {"RestApiId": {"Ref": "Api"}, "Path": route["path"], "Method": route["method"].lower()}
        if route.get("api_key_required"):
            props["Auth"] = {"ApiKeyRequired": True}
        events[route["function"]][f"Route{i}"] = {"Type": "Api", "Properties": props}
    tags = spec.get("tags") or {}
    for name, fn in spec["functions"].items():
        props = {"FunctionName": f"{spec['name']}-{stage}-{name}", "Runtime": fn.get("runtime", "python3.12"),
                 "Handler": fn["handler"], "CodeUri": f"s3://bucket/{name}.zip",
                 "MemorySize": fn.get("memory_mb", 256), "Timeout": fn.get("timeout_s", 10),
                 "Architectures": [fn.get("architecture", "arm64")], "Events": events[name]}
        uses = (fn.get("uses") or {}).get("tables") or {}
        if uses:
            props["Policies"] = [{("DynamoDBReadPolicy" if access == "read" else "DynamoDBCrudPolicy"):
                                  {"TableName": {"Ref": f"Table{table.title()}"}}} for table, access in uses.items()]
            props["Environment"] = {"Variables": {f"TABLE_{t.upper()}": {"Ref": f"Table{t.title()}"} for t in uses}}
        if fn.get("environment"):
            props.setdefault("Environment", {"Variables": {}})["Variables"].update(fn["environment"])
        if tags:
            props["Tags"] = dict(tags)
        resources[f"Fn{name.replace('_', '').title()}"] = {"Type": "AWS::Serverless::Function", "Properties": props}
    if api:
        settings = [_method_settings(api["throttling"])] if api.get("throttling") else []
        settings += [_method_settings(r["throttling"], r["path"], r["method"]) for r in api["routes"] if r.get("throttling")]
        props = {"StageName": stage, "MethodSettings": settings}
        if api.get("endpoint"):
            props["EndpointConfiguration"] = {"Type": api["endpoint"].upper()}
        if api.get("cors"):
            cors = api["cors"]
            props["Cors"] = {"AllowOrigin": "'" + ",".join(cors["allow_origins"]) + "'"}  # SAM has no expose-headers
        plans = api.get("usage_plans") or {}
        if plans:  # SAM creates one usage plan (with its key) per API: the spec's first
            plan = next(iter(plans.values()))
            usage = {"CreateUsagePlan": "PER_API"}
            if plan.get("throttling"):
                usage["Throttle"] = {"RateLimit": plan["throttling"]["rate_limit"], "BurstLimit": plan["throttling"]["burst_limit"]}
            if plan.get("quota"):
                usage["Quota"] = {"Limit": plan["quota"]["limit"], "Period": plan["quota"]["period"]}
            props["Auth"] = {"UsagePlan": usage}
        if tags:
            props["Tags"] = dict(tags)
        resources["Api"] = {"Type": "AWS::Serverless::Api", "Properties": props}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31", "Resources": resources}


def plan_count(out: str) -> int:
    return sum(1 for r in json.loads(out)["resources"] if not r["type"].startswith(("serverless:", "pulumi:")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ensure_venv()
    vpy = str(VENV_BIN / "python")
    ours = [sys.executable, "-m", "compiler"]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        runner = tmp / "sam_transform.py"
        runner.write_text(SAM_RUNNER)
        big = generate(1000, 100)
        big_spec = tmp / "bench-1000.yaml"
        big_spec.write_text(yaml.safe_dump(big, sort_keys=False))
        big_sam = tmp / "sam-1000.json"
        big_sam.write_text(json.dumps(to_sam(big)))
        small_sam = tmp / "sam-sample.json"
        small_sam.write_text(json.dumps(to_sam(yaml.safe_load(SAMPLE.read_text()))))

        # (label, our command, their command, how to count resources, max ratio, max absolute seconds)
        cases = [
            ("plan 1000 routes / SAM", ours + ["plan", str(big_spec), "--json"], [vpy, str(runner), str(big_sam)], True, 0.03, None),
            ("plan sample / SAM", ours + ["plan", str(SAMPLE), "--json"], [vpy, str(runner), str(small_sam)], True, 1.5, 0.8),
            ("validate 1000 / check-jsonschema", ours + ["validate", str(big_spec)],
             [str(VENV_BIN / "check-jsonschema"), "--schemafile", str(SCHEMA), str(big_spec)], False, 0.5, None),
        ]
        for label, mine, theirs, count, max_ratio, max_abs in cases:
            o_best, o_med, o_out = timed(mine, args.runs, warm_up=True)
            t_best, t_med, t_out = timed(theirs, args.runs)
            ratio = o_best / t_best
            ok = ratio <= max_ratio and (max_abs is None or o_best <= max_abs)
            target = f"<= {max_ratio:g}x" + (f", <= {max_abs:g} s" if max_abs else "")
            counts = f"{plan_count(o_out)}/{int(t_out.strip())}" if count else "-"
            rows.append((label, o_best, o_med, t_best, t_med, ratio, target, "PASS" if ok else "FAIL", counts))

    print(f"best/median of {args.runs} fresh processes, seconds; ratio = ours best / theirs best")
    head = ("comparison", "ours best", "ours med", "theirs best", "theirs med", "ratio", "target", "result", "resources o/t")
    print(f"{head[0]:<33} {head[1]:>9} {head[2]:>8} {head[3]:>11} {head[4]:>10} {head[5]:>7}  {head[6]:<17} {head[7]:<6} {head[8]}")
    for label, o_best, o_med, t_best, t_med, ratio, target, result, counts in rows:
        print(f"{label:<33} {o_best:>9.3f} {o_med:>8.3f} {t_best:>11.3f} {t_med:>10.3f} {ratio:>7.3f}  {target:<17} {result:<6} {counts}")


if __name__ == "__main__":
    main()
