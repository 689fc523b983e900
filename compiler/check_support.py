"""What every semantic check shares: the context they get, and defensive readers of the raw
document (the schema already reported values of the wrong type, so these skip them)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Callable, Iterable, Iterator

from .errors import Diagnostic
from .loader import LoadedSpec


@dataclass(frozen=True)
class CheckContext:
    """What checks may need besides the document: where handlers live."""

    project_root: FsPath


Check = Callable[[LoadedSpec, CheckContext], Iterable[Diagnostic]]


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _items(value) -> list:
    return value if isinstance(value, list) else []


def _integer(value) -> int | None:
    """JSON Schema counts 30.0 as an integer, so the checks do too; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _routes(spec: LoadedSpec) -> Iterator[tuple[int, dict]]:
    for i, route in enumerate(_items(_mapping(spec.data.get("api")).get("routes"))):
        if isinstance(route, dict):
            yield i, route


def _functions(spec: LoadedSpec) -> dict:
    return {k: v for k, v in _mapping(spec.data.get("functions")).items() if isinstance(v, dict)}


def _segments(path: str) -> list[str]:
    return [] if path == "/" else path[1:].split("/")
