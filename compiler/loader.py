"""Safe YAML loading that remembers where every key and value came from.

The result is plain JSON-like data (dict, list, str, int, float, bool, None) plus the line and
column of each value and mapping key, so every later diagnostic can point at the operator's text.
Duplicate keys are errors (PyYAML silently keeps the last one); timestamps stay strings (JSON
Schema has no date type); anchors, aliases and merge keys work as in any YAML file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Diagnostic, SpecError, render_path

Path = tuple  # a spec path: keys (str) and list indexes (int)

# Expanding aliases copies nodes; this bounds "billion laughs" documents.
MAX_NODES = 200_000


class _SpecYamlLoader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: `2024-01-01` stays the string the operator wrote."""


_SpecYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class LoadedSpec:
    """A parsed spec: its data and the 1-based (line, col) of each value and each mapping key."""

    file: str
    data: Any
    value_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Where `path` is written; its key when `key` (unknown keys), else the nearest ancestor."""
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path:
            if path in self.value_marks:
                return self.value_marks[path]
            path = path[:-1]
        return self.value_marks.get((), (1, 1))

    def diagnostic(self, path: Path, code: str, message: str, hint: str = "", *, key: bool = False) -> Diagnostic:
        line, col = self.locate(path, key=key)
        return Diagnostic(self.file, line, col, code, render_path(path), message, hint)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Turns a composed node tree into data, recording marks and collecting problems."""

    def __init__(self, spec: LoadedSpec, loader: _SpecYamlLoader):
        self.spec = spec
        self.loader = loader
        self.problems: list[Diagnostic] = []
        self.count = 0

    def build(self, node: yaml.Node, path: Path, active: frozenset) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge()
        self.spec.value_marks.setdefault(path, _mark(node))
        if id(node) in active:
            self.problems.append(self.spec.diagnostic(path, "E106", "recursive YAML alias", "remove the alias that refers to its own anchor"))
            return None
        active = active | {id(node)}
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, active)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,), active) for i, child in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path, active: frozenset) -> dict:
        self.loader.flatten_mapping(node)  # resolves `<<` merge keys
        result: dict = {}
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node, deep=True) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                line, col = _mark(key_node)
                shown = "a collection" if key is None else repr(key)
                self.problems.append(Diagnostic(self.spec.file, line, col, "E105", render_path(path), f"mapping key {shown} is not a string", "write keys as plain strings; quote keys such as 'on', 'yes' or numbers"))
                continue
            child = path + (key,)
            if key in result:
                line, col = _mark(key_node)
                first_line = self.spec.key_marks[child][0]
                self.problems.append(Diagnostic(self.spec.file, line, col, "E102", render_path(child), f"duplicate key '{key}' (first defined on line {first_line})", "each key may appear once per mapping; remove or merge one of them"))
                continue
            self.spec.key_marks[child] = _mark(key_node)
            result[key] = self.build(value_node, child, active)
        return result


class _TooLarge(Exception):
    pass


def load_text(text: str, file: str) -> LoadedSpec:
    """Parse `text`; raise SpecError with every loading problem, or return the LoadedSpec."""
    spec = LoadedSpec(file=file, data=None)
    loader = _SpecYamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError([Diagnostic(file, 1, 1, "E103", "", "the spec is empty", "start with `version: 1`, then name, region and functions")])
        builder = _Builder(spec, loader)
        spec.data = builder.build(node, (), frozenset())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise SpecError([Diagnostic(file, line, col, "E101", "", f"invalid YAML: {problem}", _yaml_hint(problem))]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Diagnostic(file, 1, 1, "E101", "", f"invalid YAML: {exc}", "check the file's encoding and syntax")]) from None
    except _TooLarge:
        raise SpecError([Diagnostic(file, 1, 1, "E107", "", f"the document expands to more than {MAX_NODES} nodes", "reduce alias expansion")]) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise SpecError(builder.problems)
    if not isinstance(spec.data, dict):
        kind = "empty" if spec.data is None else type(spec.data).__name__
        line, col = spec.locate(())
        raise SpecError([Diagnostic(file, line, col, "E104", "", f"the spec's root must be a mapping, found {kind}", "start with `version: 1`, then name, region and functions")])
    return spec


def load_file(file: str) -> LoadedSpec:
    """Read and parse a spec file; unreadable files become diagnostics too."""
    try:
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise SpecError([Diagnostic(file, 1, 1, "E101", "", f"the file is not UTF-8 text ({exc.reason})", "save the spec as UTF-8")]) from None
    except OSError as exc:
        raise SpecError([Diagnostic(file, 1, 1, "E100", "", f"cannot read the spec: {exc.strerror}", "check the path")]) from None
    return load_text(text, file)


def _yaml_hint(problem: str) -> str:
    if "found character '\\t'" in problem or "\\t" in problem:
        return "YAML indents with spaces, never tabs"
    if "mapping values are not allowed" in problem:
        return "a ':' inside a value needs quotes; check the indentation of the line above"
    if "expected ',' or '}'" in problem or "found unexpected ':'" in problem:
        return "paths with {braces} must be quoted in flow style, e.g. path: '/items/{id}'"
    return "fix the YAML syntax at this position"
