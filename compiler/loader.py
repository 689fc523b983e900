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
# A spec is a few levels deep; this stops pathological nesting before Python's recursion limit.
MAX_DEPTH = 64
# Python refuses to print integers past 4300 digits; no setting needs more than a few.
MAX_INT_BITS = 256


class _SpecYamlLoader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: `2024-01-01` stays the string the operator wrote."""


_SpecYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# libyaml composes the same nodes with the same marks several times faster (most of a large spec's
# validation time). It is used only for text the pure-Python reader would accept; any YAML error is
# re-parsed by the pure-Python loader, whose messages and positions the diagnostics are built on.
_CBase = getattr(yaml, "CSafeLoader", None)
_CSpecYamlLoader = type("_CSpecYamlLoader", (_CBase,), {"yaml_implicit_resolvers": _SpecYamlLoader.yaml_implicit_resolvers}) \
    if _CBase is not None else None


def _compose(text: str):
    """(loader, root node): libyaml when it can, else (and on any error) the pure-Python loader."""
    if _CSpecYamlLoader is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        fast = _CSpecYamlLoader(text)
        try:
            return fast, fast.get_single_node()
        except yaml.YAMLError:
            fast.dispose()
    slow = _SpecYamlLoader(text)  # its reader rejects control characters right here
    return slow, slow.get_single_node()


@dataclass
class LoadedSpec:
    """A parsed spec: its data and the 1-based (line, col) of each value and each mapping key."""

    file: str
    data: Any
    value_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    # The text of each plain scalar YAML read as a boolean (`NO`, `yes`, `on`), by its (line, col):
    # a diagnostic can then say which word YAML turned into true or false.
    bool_texts: dict[tuple[int, int], str] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)  # set by validation

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

    def diagnostic(self, path: Path, code: str, message: str, hint: str = "", *, key: bool = False,
                   severity: str = "error") -> Diagnostic:
        line, col = self.locate(path, key=key)
        return Diagnostic(self.file, line, col, code, render_path(path), message, hint, severity)


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
            raise _TooLarge(f"the document expands to more than {MAX_NODES} values", "reduce alias expansion")
        if len(path) > MAX_DEPTH:
            raise _TooLarge(f"the document nests deeper than {MAX_DEPTH} levels", "a spec needs only a few levels")
        self.spec.value_marks.setdefault(path, _mark(node))
        if id(node) in active:
            self.problems.append(self.spec.diagnostic(path, "E106", "recursive YAML alias", "remove the alias that refers to its own anchor"))
            return None
        active = active | {id(node)}
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, active)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,), active) for i, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: yaml.Node, path: Path) -> Any:
        """The scalar's value, or None and an E108 when its tag cannot convert it (`!!int 256MB`)."""
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as exc:
            tag = node.tag.rsplit(":", 1)[-1]
            shown = str(node.value) if len(str(node.value)) <= 40 else str(node.value)[:37] + "..."
            self.problems.append(self.spec.diagnostic(path, "E108", f"'{shown}' cannot be read as !!{tag} ({type(exc).__name__})",
                                                      f"remove the explicit !!{tag} tag or write a valid {tag}"))
            return None
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            self.problems.append(self.spec.diagnostic(path, "E108", "integer too large", "no setting needs more than 18 digits"))
            return None
        if isinstance(value, bool) and not node.style:  # plain (None in PyYAML, "" in libyaml)
            self.spec.bool_texts[_mark(node)] = str(node.value)
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path, active: frozenset) -> dict:
        own = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
        self.loader.flatten_mapping(node)  # resolves `<<` merge keys: merged pairs come first
        merged = len(node.value) - own
        result: dict = {}
        from_merge: set[str] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            key = self._scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                line, col = _mark(key_node)
                shown = "a mapping or list" if not isinstance(key_node, yaml.ScalarNode) else "null" if key is None else f"{key!r}".lower()
                self.problems.append(Diagnostic(self.spec.file, line, col, "E105", render_path(path), f"mapping key {shown} is not a string",
                                                "write keys as plain strings; quote keys such as 'on', 'yes' or numbers"))
                continue
            child = path + (key,)
            if key in result and key not in from_merge:
                line, col = _mark(key_node)
                first_line = self.spec.key_marks[child][0]
                self.problems.append(Diagnostic(self.spec.file, line, col, "E102", render_path(child), f"duplicate key '{key}' (first defined on line {first_line})",
                                                "each key may appear once per mapping; remove or merge one of them"))
                continue
            # YAML merge semantics: a key written in the mapping overrides one merged in (`<<`).
            from_merge.discard(key)
            if index < merged:
                from_merge.add(key)
            self.spec.key_marks[child] = _mark(key_node)
            self.spec.value_marks.pop(child, None)
            result[key] = self.build(value_node, child, active)
        return result


class _TooLarge(Exception):
    pass


def load_text(text: str, file: str) -> LoadedSpec:
    """Parse `text`; raise SpecError with every loading problem, or return the LoadedSpec."""
    spec = LoadedSpec(file=file, data=None)
    loader = None
    try:
        loader, node = _compose(text)
        if node is None:
            raise SpecError([Diagnostic(file, 1, 1, "E103", "", "the spec is empty", "start with `version: 1`, then name, region and functions")])
        builder = _Builder(spec, loader)
        spec.data = builder.build(node, (), frozenset())
    except yaml.MarkedYAMLError as exc:
        line, col, message, hint = _yaml_error(exc, text)
        raise SpecError([Diagnostic(file, line, col, "E101", "", f"invalid YAML: {message}", hint)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise SpecError([Diagnostic(file, line, col, "E101", "", f"invalid YAML: character U+{exc.character:04X} is not allowed",
                                    "remove control characters; write them escaped inside double quotes")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Diagnostic(file, 1, 1, "E101", "", f"invalid YAML: {exc}", "check the file's encoding and syntax")]) from None
    except (_TooLarge, RecursionError) as exc:
        message, hint = exc.args if isinstance(exc, _TooLarge) else (f"the document nests deeper than {MAX_DEPTH} levels", "a spec needs only a few levels")
        raise SpecError([Diagnostic(file, 1, 1, "E107", "", message, hint)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if builder.problems:
        raise SpecError(builder.problems)
    if not isinstance(spec.data, dict):
        kind = {type(None): "nothing", str: "a string", list: "a list", int: "a number", float: "a number", bool: "true or false"}.get(type(spec.data), "a scalar")
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


_CLOSERS = {"{": "}", "[": "]"}
_FLOW_NAMES = {"{": "flow mapping", "[": "flow sequence"}


def _yaml_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str, str]:
    """Line, column, message and hint of a YAML syntax error, placed where the problem starts.

    PyYAML notices an unclosed `{`, `[` or quote only where the document stops making sense, often
    lines later; its `context_mark` is where the collection or quoted string began, so an error
    that is really "never closed" is reported there."""
    problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    start = exc.context_mark
    if start is not None and exc.problem_mark is not None:
        stopped = f"line {line}, column {col}" if exc.problem_mark.index < len(text) else "the end of the file"
        opener = text[start.index] if 0 <= start.index < len(text) else ""
        if (str(exc.context).startswith("while parsing a flow") and opener in _CLOSERS
                and not _is_closed(text, start.index)):
            closer = _CLOSERS[opener]
            return (start.line + 1, start.column + 1,
                    f"this {_FLOW_NAMES[opener]} is never closed (the parser stopped at {stopped}: {exc.problem})",
                    f"this '{opener}' is never closed: add '{closer}' after its last entry")
        if str(exc.context).startswith("while scanning a quoted scalar") and "end of stream" in str(exc.problem) and opener in "'\"":
            name = "double quote" if opener == '"' else "single quote"
            return (start.line + 1, start.column + 1, f"this quoted string is never closed (it runs to {stopped})",
                    f"this {name} ({opener}) is never closed: end the value with {opener}")
    return line, col, problem, _yaml_hint(problem)


def _is_closed(text: str, start: int) -> bool:
    """Whether the flow collection opened at text[start] has its matching bracket later in the text,
    brackets paired outside quoted strings and comments. A closed one has another problem (a
    missing ',', an unquoted '{' in a value), which the parser's own position shows best."""
    open_brackets: list[str] = []
    i, previous = start, " "
    while i < len(text):
        ch = text[i]
        if ch in "'\"" and previous in " \t\n{[,:":
            end = _quote_end(text, i)
            if end < 0:
                return False
            i, previous = end + 1, ch
            continue
        if ch == "#" and previous in " \t\n":
            newline = text.find("\n", i)
            if newline < 0:
                return False
            i, previous = newline, " "
            continue
        if ch in _CLOSERS:
            open_brackets.append(ch)
        elif ch in "}]":
            if _CLOSERS[open_brackets.pop()] != ch:
                return False  # `[1, 2}`: the bracket opened last is the one never closed
            if not open_brackets:
                return True
        previous = ch
        i += 1
    return False


def _quote_end(text: str, start: int) -> int:
    """The index of the quote closing the quoted string opened at text[start], or -1."""
    quote, i = text[start], start + 1
    while i < len(text):
        if quote == '"' and text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            if quote == "'" and text[i + 1:i + 2] == "'":
                i += 2  # '' is an escaped quote inside single quotes
                continue
            return i
        i += 1
    return -1


def _yaml_hint(problem: str) -> str:
    if "found character '\\t'" in problem or "\\t" in problem:
        return "YAML indents with spaces, never tabs"
    if "mapping values are not allowed" in problem:
        return "a ':' inside a value needs quotes; check the indentation of the line above"
    if ("expected ','" in problem and "but got '{'" in problem) or "found unexpected ':'" in problem:
        return "paths with {braces} must be quoted in flow style, e.g. path: '/items/{id}'"
    if "expected ',' or '}'" in problem or "expected ',' or ']'" in problem:
        return "separate the entries of a flow collection with ','; quote values holding '{', '}', '[', ']' or ','"
    return "fix the YAML syntax at this position"
