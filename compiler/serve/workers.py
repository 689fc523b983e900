"""Functions in worker processes: one small pool per function, each worker a separate Python
process (worker.py) with the function's own environment, started on demand like a cold start,
reused while warm, killed and replaced when it overruns the function's timeout, and retired when
the function's code changes (the next request gets a fresh worker).
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..model import Function
from .logs import LogSink

WORKER = Path(__file__).resolve().parent / "worker.py"
INIT_TIMEOUT_S = 10.0  # Lambda's init phase limit
_SKIP_DIRS = {"__pycache__", "node_modules", ".venv", "venv", ".git", ".build"}


@dataclass
class Outcome:
    ok: bool
    response: Any = None
    error: Optional[dict] = None
    timed_out: bool = False
    latency_ms: int = 0


def code_fingerprint(folder: Path) -> tuple:
    """The Python files under `folder` with their size and modification time."""
    found = []
    for base, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                try:
                    stat = os.stat(os.path.join(base, name))
                except OSError:
                    continue
                found.append((os.path.join(base, name), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


class Worker:
    def __init__(self, pool: "FunctionPool", generation: int):
        self.pool, self.generation = pool, generation
        self.messages: "queue.Queue[dict]" = queue.Queue()
        self.request_id: Optional[str] = None
        config = {"handler": pool.fn.handler, "project_root": str(pool.project_root)}
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), json.dumps(config)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=pool.environment, cwd=str(pool.project_root), start_new_session=True)
        threading.Thread(target=self._read_protocol, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_protocol(self) -> None:
        for raw in self.process.stdout:
            try:
                message = json.loads(raw)
            except ValueError:
                self.pool.log.function(self.pool.fn.key, raw.decode("utf-8", "replace").rstrip("\n"))
                continue
            if message.get("t") == "log":
                self.pool.log.function(self.pool.fn.key, message["line"])
            else:
                self.messages.put(message)
        self.process.stdout.close()
        self.messages.put({"t": "exit"})

    def _read_stderr(self) -> None:
        for raw in self.process.stderr:
            self.pool.log.function(self.pool.fn.key, raw.decode("utf-8", "replace").rstrip("\n"))
        self.process.stderr.close()

    def _next(self, deadline: float) -> Optional[dict]:
        try:
            return self.messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None

    def start(self) -> Optional[dict]:
        """None when the handler imported, else the init error (the worker is then gone)."""
        message = self._next(time.monotonic() + INIT_TIMEOUT_S)
        if message is not None and message.get("t") == "ready":
            return None
        self.kill()
        if message is None:
            return {"errorType": "Runtime.InitTimeout", "errorMessage": f"init took longer than {INIT_TIMEOUT_S:.0f} s"}
        return message.get("error") or {"errorType": "Runtime.ExitError", "errorMessage": "the runtime exited during init"}

    def invoke(self, event: dict, info: dict, timeout_s: float) -> Outcome:
        deadline = time.monotonic() + timeout_s
        request = {"id": info["aws_request_id"], "event": event, "context": {**info, "timeout_ms": int(timeout_s * 1000)}}
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return Outcome(False, error={"errorType": "Runtime.ExitError", "errorMessage": "the runtime exited"})
        while True:
            message = self._next(deadline)
            if message is None:
                self.kill()
                return Outcome(False, error={"errorType": "Sandbox.Timedout",
                                             "errorMessage": f"Task timed out after {timeout_s:.2f} seconds"}, timed_out=True)
            if message.get("t") == "exit":
                return Outcome(False, error={"errorType": "Runtime.ExitError",
                                             "errorMessage": f"the runtime exited with code {self.process.wait()}"})
            if message.get("t") == "result" and message.get("id") == request["id"]:
                return Outcome(message["ok"], message.get("response"), message.get("error"))

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Stop the worker and anything it started (its own session), then reap it."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin,):
            try:
                stream.close()
            except OSError:
                pass

    def stop(self) -> None:
        """End a warm worker: close its stdin (it exits at EOF), kill it if it lingers."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.kill()


class FunctionPool:
    def __init__(self, fn: Function, physical_name: str, environment: dict[str, str], project_root: Path,
                 log: LogSink, region: str, max_workers: int = 4):
        self.fn, self.name, self.environment, self.project_root, self.log = fn, physical_name, environment, project_root, log
        self.region, self.max_workers = region, max_workers
        self.code_dir = project_root / fn.code
        self._fingerprint = code_fingerprint(self.code_dir)
        self._checked = time.monotonic()
        self._generation = 0
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._cond = threading.Condition()
        self._closed = False

    def _refresh(self) -> None:
        """Retire idle workers when the code changed (checked at most every 0.2 s)."""
        if time.monotonic() - self._checked < 0.2:
            return
        self._checked = time.monotonic()
        current = code_fingerprint(self.code_dir)
        if current != self._fingerprint:
            self._fingerprint, self._generation = current, self._generation + 1
            stale, self._idle = self._idle, []
            for worker in stale:
                self._all.discard(worker)
                threading.Thread(target=worker.stop, daemon=True).start()
            self.log.note(f"{self.fn.key}: code changed, the next request starts a fresh worker")

    def _acquire(self) -> tuple[Optional[Worker], bool]:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("the server is stopping")
                self._refresh()
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive and worker.generation == self._generation:
                        return worker, False
                    self._all.discard(worker)
                    worker.kill()
                if len(self._all) < self.max_workers:
                    worker = Worker(self, self._generation)
                    self._all.add(worker)
                    return worker, True
                self._cond.wait()

    def _release(self, worker: Worker, keep: bool) -> None:
        with self._cond:
            if keep and worker.alive and not self._closed and worker.generation == self._generation:
                self._idle.append(worker)
            else:
                self._all.discard(worker)
                worker.kill()
            self._cond.notify()

    def invoke(self, event: dict, timeout_s: Optional[float] = None) -> Outcome:
        timeout_s = float(timeout_s or self.fn.timeout_s)
        worker, cold = self._acquire()
        started = time.monotonic()
        if cold:
            error = worker.start()
            if error is not None:
                self._release(worker, keep=False)
                self._log_error(error)
                return Outcome(False, error=error)
        request_id = str(uuid.uuid4())
        info = {"function_name": self.name, "function_arn": f"arn:aws:lambda:{self.region}:123456789012:function:{self.name}",
                "memory_mb": self.fn.memory_mb, "aws_request_id": request_id, "log_group": f"/aws/lambda/{self.name}",
                "log_stream": f"local/[$LATEST]{worker.process.pid}"}
        self.log.function(self.fn.key, f"START RequestId: {request_id} Version: $LATEST")
        invoked = time.monotonic()
        outcome = worker.invoke(event, info, timeout_s)
        duration = (time.monotonic() - invoked) * 1000
        outcome.latency_ms = int((time.monotonic() - started) * 1000)
        if not outcome.ok:
            self._log_error(outcome.error or {}, request_id)
        self.log.function(self.fn.key, f"END RequestId: {request_id}")
        self.log.function(self.fn.key, f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\t"
                                       f"Memory Size: {self.fn.memory_mb} MB" + ("\tInit: cold start" if cold else "")
                                       + ("\tStatus: timeout" if outcome.timed_out else ""))
        self._release(worker, keep=outcome.ok or not (outcome.timed_out or not worker.alive))
        return outcome

    def _log_error(self, error: dict, request_id: str = "") -> None:
        head = f"[ERROR] {error.get('errorType')}: {error.get('errorMessage')}"
        self.log.function(self.fn.key, f"{request_id + ' ' if request_id else ''}{head}")
        for chunk in error.get("stackTrace") or []:
            for line in str(chunk).rstrip("\n").split("\n"):
                self.log.function(self.fn.key, f"  {line}")

    def pids(self) -> list[int]:
        with self._cond:
            return [w.process.pid for w in self._all]

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers, self._idle = list(self._all), []
            self._all.clear()
            self._cond.notify_all()
        for worker in workers:
            worker.stop()
