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
