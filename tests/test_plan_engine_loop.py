"""compiler/plan.py runs the mock engine's calls on the build's own event loop, not in worker
threads; the plans themselves are pinned by the golden and invariant tests, these pin the mechanism."""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from compiler import plan as plan_module
from compiler.offline import load_offline
from plan_support import ROOT, SAMPLE


def _app():
    return load_offline(SAMPLE, stage=None, project_root=ROOT, as_file=None).app


def test_the_engine_calls_run_on_the_loops_thread_and_the_threads_event_loop_is_left_as_it_was(monkeypatch):
    previous = asyncio.get_event_loop_policy().get_event_loop()
    threads: set[int] = set()
    register = plan_module.CaptureMonitor.RegisterResource

    def recording(self, request):
        threads.add(threading.get_ident())
        return register(self, request)

    monkeypatch.setattr(plan_module.CaptureMonitor, "RegisterResource", recording)
    resources, _ = plan_module.run_build(_app(), ROOT)
    assert len(resources) > 50
    assert threads == {threading.get_ident()}, "the engine's calls went to worker threads"
    assert asyncio.get_event_loop_policy().get_event_loop() is previous
    assert not previous.is_closed()


def test_two_builds_of_one_spec_give_the_same_resources():
    """Each build has a loop of its own: nothing of the first (futures, callbacks) reaches the second."""
    first, _ = plan_module.run_build(_app(), ROOT)
    second, _ = plan_module.run_build(_app(), ROOT)
    assert [r["urn"] for r in first] == [r["urn"] for r in second] and first == second


def test_the_inline_executor_runs_a_call_where_it_is_submitted_and_keeps_its_exception():
    executor = plan_module._InlineExecutor()
    assert executor.submit(threading.get_ident).result() == threading.get_ident()
    failed = executor.submit(lambda: 1 / 0)
    assert isinstance(failed.exception(), ZeroDivisionError)


def test_serializing_state_that_would_have_to_wait_fails_loudly():
    async def plain():
        return {"a": 1}

    async def waits():
        await asyncio.get_event_loop_policy().get_event_loop().create_future()

    assert plan_module._finish_now(plain()) == {"a": 1}
    with pytest.raises(RuntimeError, match="had to wait"):
        plan_module._finish_now(waits())


def test_the_sdks_own_sync_await_is_restored_after_a_build():
    from pulumi.runtime import mocks
    from pulumi.runtime.sync_await import _sync_await

    plan_module.run_build(_app(), ROOT)
    assert mocks._sync_await is _sync_await
