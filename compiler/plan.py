"""`plan`: validate, normalize, then build under Pulumi's mock runtime and capture exactly what the
engine would receive (type, name, parent, provider, inputs and their dependencies) as one JSON
document. The same spec always gives byte-identical JSON.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import hashlib
import json
from pathlib import Path
from typing import Any, Optional

from . import fast_imports

fast_imports.install()  # before pulumi_aws is first imported: see fast_imports

import pulumi  # noqa: E402
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from .build import build
from .mocks import AwsMocks
from .offline import load_offline

PLAN_FORMAT_VERSION = 1


class CaptureMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also recording each RegisterResource request as the engine would get it."""

    def __init__(self, mocks: AwsMocks):
        super().__init__(mocks)
        self.requests: list[dict[str, Any]] = []

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.requests.append({
                "urn": response.urn,
                "type": request.type,
                "name": request.name,
                "parent": request.parent,
                "provider": request.provider,
                "custom": request.custom,
                "inputs": pulumi.runtime.rpc.deserialize_properties(request.object, keep_unknowns=True),
                "dependencies": {k: sorted(v.urns) for k, v in request.propertyDependencies.items() if v.urns},
                "all_dependencies": sorted(request.dependencies),
                "options": resource_options(request),
                "secret_outputs": list(request.additionalSecretOutputs),
                "id": response.id,
            })
        return response


def resource_options(request) -> dict[str, Any]:
    """The lifecycle options the engine received, only those set (absent = the engine's default:
    not protected, deleted on destroy, create-before-replace, default timeouts, no ignored or
    replace-triggering inputs), so the document stays compact and byte-stable."""
    options: dict[str, Any] = {}
    if request.HasField("protect") and request.protect:
        options["protect"] = True
    if request.HasField("retainOnDelete") and request.retainOnDelete:
        options["retain_on_delete"] = True
    if request.ignoreChanges:
        options["ignore_changes"] = sorted(request.ignoreChanges)
    if request.replaceOnChanges:
        options["replace_on_changes"] = sorted(request.replaceOnChanges)
    if request.deleteBeforeReplace:
        options["delete_before_replace"] = True
    if request.HasField("customTimeouts"):
        timeouts = {k: getattr(request.customTimeouts, k) for k in ("create", "update", "delete") if getattr(request.customTimeouts, k)}
        if timeouts:
            options["custom_timeouts"] = timeouts
    if request.deletedWith:
        options["deleted_with"] = request.deletedWith
    return options


def project_name(project_root: Path, fallback: str) -> str:
    """The Pulumi project's name from Pulumi.yaml (URNs contain it), else `fallback`."""
    import yaml

    try:
        with open(project_root / "Pulumi.yaml", encoding="utf-8") as handle:
            return str(yaml.safe_load(handle).get("name") or fallback)
    except (OSError, AttributeError, yaml.YAMLError):
        return fallback


# How the wire marks a secret value (pulumi.runtime.rpc's special signature for secrets).
_SECRET_SIG, _SECRET_MARK = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
SECRET_PLACEHOLDER = "(secret)"


def _plain(value: Any) -> Any:
    """Engine inputs as JSON: integral floats back to ints (the wire has only doubles), assets and
    archives as stable placeholders with a content hash."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        if value.get(_SECRET_SIG) == _SECRET_MARK:
            # A secret (a generated API key value): the document never shows it.
            return SECRET_PLACEHOLDER
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.AssetArchive):
        entries = {name: _plain(asset) for name, asset in sorted(value.assets.items())}
        digest = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()
        return {"$archive": {"sha256": digest, "entries": entries}}
    if isinstance(value, pulumi.FileAsset):
        return "sha256:" + hashlib.sha256(Path(value.path).read_bytes()).hexdigest()
    if isinstance(value, pulumi.StringAsset):
        return "sha256:" + hashlib.sha256(value.text.encode()).hexdigest()
    if isinstance(value, pulumi.FileArchive):
        return {"$file_archive": value.path}
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        return {"$asset": type(value).__name__}
    return value


def _resource(request: dict, outputs: dict) -> dict:
    implied = {urn for urns in request["dependencies"].values() for urn in urns}
    return {
        "urn": request["urn"],
        "type": request["type"],
        "name": request["name"],
        "id": request["id"],
        "provider": request["provider"],
        "parent": request["parent"],
        "inputs": _plain(request["inputs"]),
        "dependencies": request["dependencies"],
        # Explicit dependencies (depends_on, parents' depends_on) not already implied by an input.
        "depends_on": sorted(set(request["all_dependencies"]) - implied),
        "options": request["options"],
        # Outputs the program marked secret are never shown (the engine keeps them encrypted).
        "outputs": _plain({k: SECRET_PLACEHOLDER if k in request["secret_outputs"] else v for k, v in outputs.items()}),
    }


def _no_stack_trace():
    """The engine stores each registration's source position; the mock monitor ignores it, and
    walking the stack (traceback.extract_stack + linecache) for every resource cost ~5 % of a plan."""
    from pulumi.runtime.proto import source_pb2

    return source_pb2.StackTrace()


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """The build loop's default executor. The SDK sends every engine call through
    `loop.run_in_executor` because a real monitor is a blocking gRPC stub; the mock monitor
    answers at once, so the hop to a worker thread and back (and the loop's wait for it) only cost
    time: about a fifth of the engine's share of a plan. Calls run where they are submitted."""

    def submit(self, fn, /, *args, **kwargs):
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - delivered to the awaiting coroutine, as a worker thread would
            future.set_exception(exc)
        return future


def _finish_now(awaitable):
    """The mock monitor's `_sync_await`, while calls run on the loop's own thread: it serializes the
    mock's plain-value state, a coroutine that never has to wait. (The SDK's version would pump the
    running loop from inside one of its callbacks.) Should it ever have to wait, fail loudly."""
    try:
        awaitable.send(None)
    except StopIteration as done:
        return done.value
    awaitable.close()
    raise RuntimeError("the mock monitor had to wait while serializing a resource's state")


def run_build(app, project_root: Path) -> tuple[list[dict], dict]:
    """Build `app` under fresh mocks, on a loop of its own; return (resources, stack outputs),
    resources sorted by URN."""
    try:
        previous = asyncio.get_event_loop_policy().get_event_loop()  # the thread's loop, as the SDK would make it
    except RuntimeError:
        previous = None
    loop = asyncio.new_event_loop()
    loop.set_default_executor(_InlineExecutor())
    asyncio.set_event_loop(loop)
    try:
        return _run_build(app, project_root)
    finally:
        asyncio.set_event_loop(previous)
        loop.close()


def _run_build(app, project_root: Path) -> tuple[list[dict], dict]:
    mocks = AwsMocks(app.region)
    monitor = CaptureMonitor(mocks)
    pulumi_settings.ROOT.set(None)  # mocks are process-wide: never inherit a previous run's stack
    pulumi.runtime.set_mocks(mocks, project=project_name(project_root, app.name), stack=app.stage,
                             preview=False, monitor=monitor)
    resolved: dict[str, Any] = {}

    def program() -> None:
        outputs = build(app, project_root, offline=True)
        pulumi.Output.from_input(outputs).apply(resolved.update)

    # The build makes hundreds of thousands of short-lived objects and no reference cycles worth
    # collecting before it ends: the cyclic collector's passes were almost half of a large plan.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    stack_trace = pulumi_resource._get_stack_trace
    pulumi_resource._get_stack_trace = _no_stack_trace
    pulumi_mocks._sync_await = _finish_now
    try:
        _sync_await(run_pulumi_func(program))
    finally:
        pulumi_mocks._sync_await = _sync_await
        pulumi_resource._get_stack_trace = stack_trace
        if gc_was_enabled:
            gc.enable()
    state = {urn: registration.state for urn, registration in monitor.resources.items()}
    resources = [_resource(r, state.get(r["urn"], {})) for r in monitor.requests]
    resources.sort(key=lambda r: r["urn"])
    _assert_unique(resources)
    return resources, _plain(resolved)


def _assert_unique(resources: list[dict]) -> None:
    """The real engine rejects two resources with one type and name; the mock monitor does not."""
    seen: set[tuple[str, str]] = set()
    for resource in resources:
        key = (resource["type"], resource["name"])
        if key in seen:
            raise RuntimeError(f"two resources share type {key[0]} and name {key[1]}")
        seen.add(key)


def plan_file(spec_file: str, *, stage: Optional[str] = None, project_root: Path, as_file: Optional[str] = None) -> dict:
    """Validate `spec_file` (SpecError on any error), then build its stage offline: the plan
    document. The stage is `stage` (the flag), else the spec's `stage`, else dev. The document
    names the spec relative to the project root, so it does not depend on how the path was spelled."""
    loaded = load_offline(spec_file, stage=stage, project_root=project_root, as_file=as_file)
    app = loaded.app
    resources, outputs = run_build(app, project_root)
    document = {"format": PLAN_FORMAT_VERSION, "spec": loaded.spec_path, "stage": app.stage, "region": app.region,
                "resources": resources, "outputs": outputs, "warnings": loaded.warnings}
    if app.availability is not None:
        # What `plan --diff` compares to warn about a region removed without being drained.
        document["availability"] = {"mode": app.availability.mode, "regions": list(app.availability.regions),
                                    "drain": list(app.availability.drain), "domain": app.domain.name if app.domain else None}
    return document


def to_json(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def render_summary(document: dict) -> str:
    from .summary import summary

    return summary(document)
