"""pytest plugin for mutation runs only: [tool.mutmut] in pyproject.toml loads it (`-p
bench.mutation_plugin`) into the pytest that mutmut runs inside mutants/; ./run test never loads it.

While mutmut collects which tests reach which function it sets MUTANT_UNDER_TEST=stats, and every
mutated function then records the hit in mutmut's state, which reads mutmut's configuration from
the working directory. A test that runs the compiler in another process from another folder
(`python -m compiler plan` from specs/) inherits that variable, finds no configuration and dies.
Such a child's hits would be lost anyway (they land in the child's memory), so children of a stats
run get MUTANT_UNDER_TEST="" (run the original code). While a mutant is tested the variable names
that mutant and children inherit it unchanged, so tests in other processes still kill mutants.
"""
from __future__ import annotations

import os
import subprocess

_original_init = subprocess.Popen.__init__


def _init_without_stats(self, *args, env=None, **kwargs):
    inherited = os.environ if env is None else env
    if inherited.get("MUTANT_UNDER_TEST") == "stats":
        env = {**inherited, "MUTANT_UNDER_TEST": ""}
    _original_init(self, *args, env=env, **kwargs)


subprocess.Popen.__init__ = _init_without_stats


def pytest_collection_modifyitems(items):
    """mutmut names a mutant's tests as a set, in no order: one module's tests interleaved with
    others' set its module-scoped fixtures up and tear them down several times, and a stretch of only
    tests that start no worker failed test_serve_http's server teardown (the clean run failed, and a
    mutant would count as killed by an error no test meant). Each file's tests run together, in the
    file's order, as in a whole-suite run."""
    items.sort(key=lambda item: (str(item.location[0]), item.location[1] or 0))
