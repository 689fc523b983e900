"""The stage model: which stage a command builds, and the spec as that stage sees it.

A spec may declare `stages`: per-stage overrides deep-merged over the base spec (mappings merge,
lists and scalars replace, `null` removes a key, as Helm values do). When `stages` is present,
only its keys may be built, so a mistyped stack name cannot deploy an unconfigured stage.

Which stage: under Pulumi the stack config `stage`, else the stack name (the spec's `stage` key
never wins there: two stacks built from one spec must not share names); offline (`plan`) the
`--stage` flag, else the spec's `stage`, else `dev`.

Pulumi-free: `validate` checks every declared stage's merged result with the base's marks, and
a value that came from an override is reported at the override's line.
"""
from __future__ import annotations

import copy
from typing import Any, Optional

from .errors import Diagnostic, SpecError, render_path
from .loader import LoadedSpec, Path

DEFAULT_STAGE = "dev"
# Keys an override may not set: identity (`version`, `name`), the overrides themselves, and the
# stage (the override's own key is the stage).
NOT_OVERRIDABLE = ("$schema", "version", "name", "stages", "stage")


def declared(data: Any) -> Optional[list[str]]:
    """The declared stage names, sorted; None when the spec has no (well-formed) `stages`."""
    stages = data.get("stages") if isinstance(data, dict) else None
    return sorted(stages) if isinstance(stages, dict) else None


def offline_stage(data: dict, flag: Optional[str]) -> str:
    """`plan`'s stage: the flag, else the spec's `stage`, else dev."""
    return flag or data.get("stage") or DEFAULT_STAGE


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply(data: dict, stage: str) -> dict:
    """The document `stage` builds: the base without `stages`, its override merged over it."""
    base = {k: v for k, v in data.items() if k != "stages"}
    override = (data.get("stages") or {}).get(stage) or {}
    return _merge(base, {k: v for k, v in override.items() if k not in NOT_OVERRIDABLE})


def _under(path: Path, prefix: Path) -> bool:
    return path[: len(prefix)] == prefix


class StageView(LoadedSpec):
    """A stage's merged document, located in the operator's file: values from the override keep
    the override's marks and are reported under `stages.<stage>.…`."""

    stage: str = ""
    origin: frozenset = frozenset()  # merged paths whose value the override supplied

    def _from_override(self, path: Path, *, key: bool) -> bool:
        path = tuple(path)
        if not (key and path in self.key_marks):
            while path and path not in self.value_marks:
                path = path[:-1]
        return any(path[:n] in self.origin for n in range(1, len(path) + 1))

    def diagnostic(self, path: Path, code: str, message: str, hint: str = "", *, key: bool = False,
                   severity: str = "error") -> Diagnostic:
        found = super().diagnostic(path, code, message, hint, key=key, severity=severity)
        if self._from_override(path, key=key):
            shown = render_path(("stages", self.stage, *path))
            return Diagnostic(found.file, found.line, found.col, code, shown, message, hint, severity)
        return found


def view(spec: LoadedSpec, stage: str) -> StageView:
    """`spec` as `stage` builds it, with every value's mark (base or override)."""
    override = spec.data["stages"].get(stage) or {}
    root: Path = ("stages", stage)
    result = StageView(file=spec.file, data={k: v for k, v in spec.data.items() if k != "stages"})
    result.bool_texts = spec.bool_texts  # marks are positions in the same file
    result.value_marks = {p: m for p, m in spec.value_marks.items() if not _under(p, ("stages",))}
    result.key_marks = {p: m for p, m in spec.key_marks.items() if not _under(p, ("stages",))}
    origin: set[Path] = set()

    def drop(path: Path) -> None:
        for marks in (result.value_marks, result.key_marks):
            for p in [p for p in marks if _under(p, path)]:
                del marks[p]

    def graft(path: Path) -> None:
        source = root + path
        for into, marks in ((result.value_marks, spec.value_marks), (result.key_marks, spec.key_marks)):
            for p, mark in marks.items():
                if _under(p, source):
                    into[path + p[len(source):]] = mark

    def merge(into: dict, src: dict, path: Path) -> None:
        for key, value in src.items():
            if not path and key in NOT_OVERRIDABLE:
                continue  # the schema reports it on the base spec
            child = path + (key,)
            if value is None:
                into.pop(key, None)
                drop(child)
            elif isinstance(value, dict) and isinstance(into.get(key), dict):
                into[key] = dict(into[key])
                merge(into[key], value, child)
            else:
                into[key] = copy.deepcopy(value)
                drop(child)
                graft(child)
                origin.add(child)

    if isinstance(override, dict):
        merge(result.data, override, ())
    result.stage, result.origin = stage, frozenset(origin)
    return result


def check_declared(spec: LoadedSpec, stage: str, source: str) -> None:
    """SpecError when the spec declares `stages` and `stage` (named by `source`) is not one of them."""
    names = declared(spec.data)
    if names is None or stage in names:
        return
    raise SpecError([spec.diagnostic(("stages",), "E316", f"stage '{stage}' (from {source}) is not declared in stages",
                                     "declared stages: " + ", ".join(names) + "; add it under `stages:` or choose one of them",
                                     key=True)])
