"""Mutation testing of compiler/ and runtime_handlers/ with mutmut; prints the score and every survivor.

    python3 bench/mutation.py                                   # everything (days on 2 cores)
    python3 bench/mutation.py --paths compiler/naming.py runtime_handlers
    python3 bench/mutation.py --paths compiler/cors.py --max-children 2
    python3 bench/mutation.py --report-only --paths compiler/cors.py   # no run: the stored results
    python3 bench/mutation.py --sample 80 --seed 13             # an estimate for the whole tree

Not part of CI: every mutant reruns the tests that reach the mutated function, so a full run takes
days. Run it niced (`nice -n 15 python3 bench/mutation.py ...`) on a shared machine.

mutmut runs in its own virtualenv, bench/.venv-mutation (created on the first run from the
project's runtime and test dependencies in pyproject.toml plus bench/requirements-mutation.txt;
git-ignored), so neither .venv nor the test extras carry it. Its configuration is [tool.mutmut] in
pyproject.toml: mutmut copies the sources, tests and the root files the tests read into mutants/
(git-ignored) and runs pytest there, without the tests that compare output with tests/golden byte
for byte, so the score is what the other tests pin down. Results are cached in mutants/: a second
run only tests mutants without a result and those of functions that changed; --fresh starts over. After writing tests for
survivors, --retest-survivors (or --mutants NAME...) tests those mutants again.

--paths restricts the run to modules or folders (mutmut still generates every mutant once, cheap,
and collects which tests reach which function over the whole suite once, about one suite run).
The report counts only the mutants under --paths: total, killed, survived, timeout, no tests (no
test reaches the function in-process), the score and, for each survivor, file:line and the diff.
score = killed / (total - skipped); a timeout counts as not killed.

--sample N estimates the score of the whole scope without testing every mutant: mutmut's own
generation phase writes every mutant's name into mutants/ (a few minutes for the whole tree, once),
then N names are drawn uniformly at random from all the mutants under --paths (a shuffle seeded by
--seed: the same seed names the same sample as long as the sources do not change, and a larger N
keeps a smaller one's names) and only those are tested; an interrupted sample resumes. The report
counts the sample only, per top folder, and adds the population size and a 95 % Wilson interval for
the population's score; --report-only --sample N --seed S reports the same sample from stored results.
"""
from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "bench" / ".venv-mutation"
VENV_BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
VENV_PYTHON = VENV_BIN / "python"
REQUIREMENTS = ROOT / "bench" / "requirements-mutation.txt"
STAMP = VENV / ".installed"
DEFAULT_PATHS = ("compiler", "runtime_handlers")
DEFAULT_SEED = 13
PROJECT = "serverless-spec-compiler"

# mutmut's exit-code classification (mutmut.stats.status_by_exit_code), kept here so that the
# report reads the result files without importing mutmut's CLI.
STATUS_BY_EXIT_CODE = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
                       35: "suspicious", 36: "timeout", 37: "caught by type check", -24: "timeout", 24: "timeout",
                       152: "timeout", 255: "timeout", -11: "segfault", -9: "segfault", None: "not checked",
                       2: "interrupted"}


# -- the virtualenv ---------------------------------------------------------------------------------

def project_requirements() -> list[str]:
    """The project's runtime dependencies and its `test` extra (which pulls in `pulumi`), as pip
    requirement strings, without the project itself: the tests must import the mutated copy in
    mutants/, never an installed one."""
    import tomllib  # 3.11+; the project needs 3.10+, this script needs 3.11

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    wanted, seen, queue = list(project["dependencies"]), set(), ["test"]
    while queue:
        extra = queue.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for requirement in extras.get(extra, []):
            match = re.fullmatch(rf"{re.escape(PROJECT)}\[([^\]]+)\]", requirement.replace(" ", ""))
            if match:
                queue.extend(match.group(1).split(","))
            else:
                wanted.append(requirement)
    return wanted


def ensure_venv() -> None:
    """Create bench/.venv-mutation, or bring it up to date when pyproject.toml or the requirements changed."""
    requirements = project_requirements()
    want = json.dumps([requirements, REQUIREMENTS.read_text(encoding="utf-8")])
    if VENV_PYTHON.exists() and STAMP.exists() and STAMP.read_text(encoding="utf-8") == want:
        return
    if not VENV_PYTHON.exists():
        print(f"creating {VENV.relative_to(ROOT)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV_PYTHON), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(REQUIREMENTS), *requirements], check=True)
    STAMP.write_text(want, encoding="utf-8")


# -- scope ------------------------------------------------------------------------------------------

def module_pattern(path: str) -> str:
    """A mutant-name glob for a file or folder: compiler/cors.py -> compiler.cors.*, runtime_handlers -> runtime_handlers.*"""
    relative = Path(path).resolve().relative_to(ROOT)
    parts = list(relative.with_suffix("").parts) if relative.suffix == ".py" else list(relative.parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) + ".*"


def source_files(paths: list[str]) -> list[Path]:
    files = []
    for path in paths:
        full = (ROOT / path).resolve()
        files.extend(sorted(full.rglob("*.py")) if full.is_dir() else [full])
    return [f.relative_to(ROOT) for f in files]


# -- the report -------------------------------------------------------------------------------------

def load_results(files: list[Path]) -> dict[str, tuple[Path, int | None]]:
    """mutant name -> (source file, exit code) from mutmut's result files, mutants/<file>.meta."""
    results = {}
    for file in files:
        meta = ROOT / "mutants" / (str(file) + ".meta")
        if meta.exists():
            for name, code in json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {}).items():
                results[name] = (file, code)
    return results


def function_lines(file: Path) -> dict[str, tuple[int, int]]:
    """mangled function name as mutmut writes it (x_f, xǁClassǁmethod) -> (first line, last line)."""
    tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
    spans = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            spans[f"x_{node.name}"] = (node.lineno, node.end_lineno)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    spans[f"xǁ{node.name}ǁ{item.name}"] = (item.lineno, item.end_lineno)
    return spans


# Runs inside bench/.venv-mutation from the root: the diffs of the mutants named on stdin, as JSON.
DIFF_RUNNER = """
import json, sys
from pathlib import Path
from mutmut.mutation.diff_apply import get_diff_for_mutant
names = json.load(sys.stdin)
print(json.dumps({name: get_diff_for_mutant(name, path=Path(path)) for name, path in names.items()}))
"""


def mutant_diffs(files_by_name: dict[str, Path]) -> dict[str, str]:
    """mutant name -> unified diff of its function (one process for all: mutmut show costs a start-up each)."""
    if not files_by_name:
        return {}
    result = subprocess.run([str(VENV_PYTHON), "-c", DIFF_RUNNER], cwd=ROOT, capture_output=True, text=True, check=True,
                            input=json.dumps({name: str(path) for name, path in files_by_name.items()}))
    return json.loads(result.stdout)


def mutant_line(file: Path, name: str, diff: str, spans: dict[str, tuple[int, int]]) -> int | None:
    """The source line of the mutation: the first removed line of the diff, found in the function's span."""
    mangled = name.rpartition(".")[2].rsplit("__mutmut_", 1)[0]
    span = spans.get(mangled)
    removed = next((line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")), None)
    if span is None:
        return None
    if removed:
        source = (ROOT / file).read_text(encoding="utf-8").splitlines()
        for number in range(span[0], span[1] + 1):
            if source[number - 1].strip() == removed:
                return number
    return span[0]


# Runs inside bench/.venv-mutation from the root: the first phase of `mutmut run` only (copy the tree
# into mutants/, write every mutant and its name into mutants/<file>.meta), so that a sample can be
# drawn from the names before anything is tested; the later `mutmut run` finds the files unmodified.
GENERATE_RUNNER = """
import os
import mutmut.__main__ as m
m.set_mutant_under_test("mutant_generation")
os.makedirs("mutants", exist_ok=True)
m.copy_src_dir()
m.copy_also_copy_files()
m.create_mutants(1)
"""


def draw_sample(paths: list[str], size: int, seed: int) -> list[str]:
    """`size` mutant names drawn uniformly from every mutant under paths: the first `size` of one
    seeded shuffle of the sorted names (the .meta files' order is no part of the seed's promise), so
    a larger N with the same seed keeps the smaller sample and only tests the names it adds."""
    population = sorted(scoped_results(paths))
    if not population:
        raise SystemExit("no mutants under --paths in mutants/: run without --report-only first")
    random.Random(seed).shuffle(population)
    return sorted(population[:size])


def wilson_interval(killed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % interval for a proportion from n draws; unlike p +- z*sqrt(p(1-p)/n) it stays inside
    [0, 1] and does not collapse to a point when every sampled mutant is killed."""
    if not n:
        return 0.0, 1.0
    p = killed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def scoped_results(paths: list[str]) -> dict[str, tuple[Path, int | None]]:
    patterns = [module_pattern(p) for p in paths]
    return {name: value for name, value in load_results(source_files(paths)).items()
            if any(fnmatch.fnmatch(name, pattern) for pattern in patterns)}


def scope_patterns(paths: list[str]) -> list[str] | None:
    """What to hand `mutmut run` for a scope. Named or globbed mutants are always tested again, even
    with a stored result, so a scope run names only the mutants without one; a file changed since
    its results were stored (or never run) is globbed whole. None: nothing left to test."""
    patterns, pending = [], []
    for file in source_files(paths):
        meta = ROOT / "mutants" / (str(file) + ".meta")
        if not meta.exists() or meta.stat().st_mtime < (ROOT / file).stat().st_mtime:
            patterns.append(module_pattern(str(ROOT / file)))
        else:
            codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
            pending += [name for name, code in codes.items() if code is None]
    wanted = patterns + sorted(pending)
    return wanted or None


def not_killed(paths: list[str]) -> list[str]:
    return sorted(name for name, (_, code) in scoped_results(paths).items()
                  if STATUS_BY_EXIT_CODE.get(code, "suspicious") in ("survived", "timeout", "no tests", "suspicious", "segfault"))


def report(paths: list[str], elapsed: float | None, tested: int | None = None, sample: list[str] | None = None) -> dict:
    results = scoped_results(paths)
    population = len(results)
    if sample is not None:
        results = {name: results[name] for name in sample}
    counts: dict[str, int] = {}
    for _, code in results.values():
        status = STATUS_BY_EXIT_CODE.get(code, "suspicious")
        counts[status] = counts.get(status, 0) + 1
    total = len(results)
    skipped = counts.get("skipped", 0)
    killed = counts.get("killed", 0) + counts.get("caught by type check", 0)
    score = 100.0 * killed / (total - skipped) if total - skipped else 0.0
    print()
    print(f"Mutation testing of {', '.join(paths)} (tests without the golden byte comparisons)")
    if sample is not None:
        print(f"  sample     {len(sample)} of the {population} mutants, drawn uniformly at random")
    print(f"  total      {total}")
    for status in ("killed", "survived", "timeout", "no tests", "suspicious", "segfault", "skipped", "not checked"):
        if counts.get(status) or status in ("killed", "survived", "timeout"):
            print(f"  {status:<10} {counts.get(status, 0)}")
    print(f"  score      {score:.1f} % killed (killed / (total - skipped))")
    if counts.get("not checked"):
        run = total - skipped - counts["not checked"]
        print(f"  so far     {100.0 * killed / run if run else 0:.1f} % of the {run} mutants run; the rest have no result yet")
    if sample is not None:
        run = total - skipped - counts.get("not checked", 0)
        low, high = wilson_interval(killed, run)
        print(f"  95 % CI    {100 * low:.1f} % to {100 * high:.1f} % for the score of all {population} (Wilson, {killed} of {run})")
    per_file: dict[Path, dict[str, int]] = {}
    for file, code in results.values():
        status = STATUS_BY_EXIT_CODE.get(code, "suspicious")
        # a sample has a mutant or two per file: per top folder says more
        row = per_file.setdefault(Path(file.parts[0]) if sample is not None else file, {})
        row[status] = row.get(status, 0) + 1
    if len(per_file) > 1 or sample is not None:
        print(f"  per {'folder' if sample is not None else 'file  '} total killed survived timeout other not-checked score")
        for file, row in sorted(per_file.items(), key=lambda kv: str(kv[0])):
            n = sum(row.values())
            other = n - sum(row.get(k, 0) for k in ("killed", "survived", "timeout", "not checked", "skipped"))
            denominator = n - row.get("skipped", 0)
            print(f"    {str(file):<40} {n:5} {row.get('killed', 0):6} {row.get('survived', 0):8} {row.get('timeout', 0):7}"
                  f" {other:5} {row.get('not checked', 0):11} {100.0 * row.get('killed', 0) / denominator if denominator else 0:5.1f} %")
    if elapsed is not None and tested:
        print(f"  time       {elapsed:.0f} s for the run (with set-up), {elapsed / tested:.2f} s per mutant tested ({tested})")
    survivors = sorted((name for name, (_, code) in results.items()
                        if STATUS_BY_EXIT_CODE.get(code, "suspicious") not in ("killed", "skipped", "caught by type check", "not checked")),
                       key=lambda n: (str(results[n][0]), n))
    if survivors:
        print(f"\nNot killed ({len(survivors)}):")
    span_cache: dict[Path, dict] = {}
    diffs = mutant_diffs({name: results[name][0] for name in survivors})
    for name in survivors:
        file, code = results[name]
        spans = span_cache.setdefault(file, function_lines(file))
        diff = diffs[name]
        line = mutant_line(file, name, diff, spans)
        print(f"\n{file}:{line or '?'}: {name} [{STATUS_BY_EXIT_CODE.get(code, 'suspicious')}]")
        body = [l for l in diff.splitlines() if not l.startswith(("---", "+++"))]
        print("\n".join("    " + l for l in body))
    summary = {"total": total, **counts, "score": round(score, 1)}
    if sample is not None:
        summary.update(population=population, ci95=[round(100 * x, 1) for x in wilson_interval(killed, total - skipped - counts.get("not checked", 0))])
    return summary


# -- main -------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--paths", nargs="+", default=list(DEFAULT_PATHS),
                        help="files or folders under compiler/ or runtime_handlers/ (default: both folders)")
    parser.add_argument("--max-children", type=int, default=1, help="parallel test processes (default 1)")
    parser.add_argument("--report-only", action="store_true", help="print the stored results; run nothing")
    parser.add_argument("--fresh", action="store_true", help="delete mutants/ (the cached results) first")
    parser.add_argument("--retest-survivors", action="store_true",
                        help="test again the scope's mutants not killed last time (after adding tests)")
    parser.add_argument("--mutants", nargs="+", metavar="NAME", help="test again just these mutants (names as printed)")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="test only N mutants drawn at random from the scope; report the sample and a 95 %% interval")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"the sample's random seed (default {DEFAULT_SEED})")
    parser.add_argument("--json", metavar="FILE", help="also write the counts as JSON to FILE")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    for path in args.paths:
        full = (ROOT / path).resolve()
        if not full.exists() or not any(full.is_relative_to(ROOT / p) for p in DEFAULT_PATHS):
            parser.error(f"{path}: not a file or folder under {' or '.join(DEFAULT_PATHS)}")
    if args.sample is not None and args.sample < 1:
        parser.error("--sample needs a positive N")
    ensure_venv()
    elapsed, tested, sample = None, None, None
    if not args.report_only:
        if args.fresh:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        # mutmut copies also_copy files but not their folders: bench/mutation_plugin.py needs mutants/bench/.
        (ROOT / "mutants" / "bench").mkdir(parents=True, exist_ok=True)
    if args.sample is not None:
        if not args.report_only:
            subprocess.run([str(VENV_PYTHON), "-c", GENERATE_RUNNER], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        sample = draw_sample(args.paths, args.sample, args.seed)
    if not args.report_only:
        patterns = [] if sorted(args.paths) == sorted(DEFAULT_PATHS) else scope_patterns(args.paths)
        if sample is not None:
            # named mutants are tested again even with a result: name only those without one, so an
            # interrupted sample resumes
            results_now = scoped_results(args.paths)
            patterns = [name for name in sample if results_now[name][1] is None] or None
        if args.mutants:
            patterns = list(args.mutants)
        elif args.retest_survivors:
            patterns = [n for n in not_killed(args.paths) if sample is None or n in sample] or None
        if patterns is None:
            print("nothing to test in that scope: every mutant has a result (--retest-survivors, --fresh)")
        unchecked_before = sum(code is None for _, code in scoped_results(args.paths).values())
        start = time.monotonic()
        result = subprocess.CompletedProcess([], 0) if patterns is None else subprocess.run([str(VENV_BIN / "mutmut"), "run", "--max-children", str(args.max_children), *patterns],
                                cwd=ROOT)
        elapsed = time.monotonic() - start
        if result.returncode != 0:
            print(f"mutmut run exited {result.returncode}", file=sys.stderr)
            return result.returncode
        results_after = scoped_results(args.paths)
        if patterns is None:
            tested = 0
        elif args.mutants or args.retest_survivors or sample is not None:
            tested = len(patterns)
        elif unchecked_before:
            tested = unchecked_before - sum(code is None for _, code in results_after.values())
        else:  # a first run: no results before
            tested = sum(code is not None for _, code in results_after.values())
    counts = report(args.paths, elapsed, tested if not args.report_only else None, sample)
    if args.json:
        extra = {"sample": args.sample, "seed": args.seed} if sample is not None else {}
        Path(args.json).write_text(json.dumps({"paths": args.paths, **extra, **counts, "seconds": elapsed}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
