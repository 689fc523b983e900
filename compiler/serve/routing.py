"""Routing as API Gateway's REST APIs do it: a resource tree of the route paths (and every prefix
of them, which the import creates as resources too), where at each level a static segment beats a
`{param}`, which beats a greedy `{name+}` (one or more segments). The resource is chosen by path
alone; then the method: its own route, else an ANY route, else (with CORS) the gateway's preflight
for OPTIONS. A path with no resource, or a resource without the method, is a 403 Missing
Authentication Token, as deployed.

Requests may carry the stage prefix (`/<stage>/items`, as on the execute-api URL) or not (as on a
custom domain's base path mapping).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import unquote

from ..model import Api, Route

_PARAM = re.compile(r"^\{([^{}+]+)\}$")
_GREEDY = re.compile(r"^\{([^{}+]+)\+\}$")
PREFLIGHT = "preflight"


@dataclass
class Node:
    path: str
    static: dict[str, "Node"] = field(default_factory=dict)
    param: Optional[tuple[str, "Node"]] = None
    greedy: Optional[tuple[str, "Node"]] = None
    methods: dict[str, Route] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """What a request reached: `resource` is the resource path ('/items/{id}') or None,
    `target` a Route, PREFLIGHT or None (no such method), `path` the decoded path without the stage."""

    path: str
    stage_prefixed: bool
    resource: Optional[str] = None
    path_parameters: Optional[dict[str, str]] = None
    target: Optional[object] = None

    @property
    def route(self) -> Optional[Route]:
        return self.target if isinstance(self.target, Route) else None

    @property
    def preflight(self) -> bool:
        return self.target == PREFLIGHT


class Router:
    def __init__(self, api: Api, stage: str):
        self.stage = stage
        self.cors = api.cors is not None
        self.root = Node("/")
        for route in api.routes:
            node = self.root
            for segment in [s for s in route.path.split("/") if s]:
                node = self._child(node, segment)
            node.methods[route.method] = route

    @staticmethod
    def _child(node: Node, segment: str) -> Node:
        prefix = node.path.rstrip("/")
        greedy, param = _GREEDY.match(segment), _PARAM.match(segment)
        if greedy:
            if node.greedy is None:
                node.greedy = (greedy.group(1), Node(f"{prefix}/{segment}"))
            return node.greedy[1]
        if param:
            if node.param is None:
                node.param = (param.group(1), Node(f"{prefix}/{segment}"))
            return node.param[1]
        return node.static.setdefault(segment, Node(f"{prefix}/{segment}"))

    def _walk(self, node: Node, segments: list[str], params: dict[str, str]) -> Optional[tuple[Node, dict[str, str]]]:
        if not segments:
            return node, params
        head, rest = segments[0], segments[1:]
        if head in node.static:
            found = self._walk(node.static[head], rest, params)
            if found:
                return found
        if node.param is not None:
            found = self._walk(node.param[1], rest, {**params, node.param[0]: head})
            if found:
                return found
        if node.greedy is not None:
            return node.greedy[1], {**params, node.greedy[0]: "/".join(segments)}
        return None

    def match(self, method: str, raw_path: str) -> Match:
        segments = [unquote(s) for s in raw_path.split("/") if s]
        prefixed = bool(segments) and segments[0] == self.stage
        if prefixed:
            segments = segments[1:]
        path = "/" + "/".join(segments)
        found = self._walk(self.root, segments, {})
        if found is None:
            return Match(path, prefixed)
        node, params = found
        target: object = node.methods.get(method) or node.methods.get("ANY")
        if method == "OPTIONS" and self.cors and node.methods and "OPTIONS" not in node.methods:
            target = PREFLIGHT  # the gateway's own OPTIONS method beats ANY
        return Match(path, prefixed, node.path, params or None, target)

    def methods_of(self, resource: str) -> list[str]:
        """The route methods of a resource path (for the preflight's Allow-Methods)."""
        node = self.root
        for segment in [s for s in resource.split("/") if s]:
            greedy, param = _GREEDY.match(segment), _PARAM.match(segment)
            node = (node.greedy[1] if greedy else node.param[1] if param else node.static[segment])
        return sorted(node.methods)
