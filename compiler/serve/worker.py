"""One function's execution environment, in its own process: the child side of workers.py.

Standalone and stdlib-only (it must not import the compiler, nor anything next to it: this
folder is removed from sys.path before anything else). Protocol, one JSON object per line:
the parent writes {"id", "event", "context"} to stdin; the worker writes to its original stdout
{"t": "ready"} or {"t": "init_error", "error"} once, then per invocation any number of
{"t": "log", "line"} (what the handler prints, stdout and stderr alike) and one
{"t": "result", "id", "ok", "response" | "error"}. Writes to file descriptor 1 itself (C code,
subprocesses) land on stderr, which the parent also forwards.
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import importlib  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402


class LogStream:
    """A text stream sending each complete line to the parent."""

    def __init__(self, send):
        self._send = send
        self._pending = ""
        self._lock = threading.Lock()
        self.encoding = "utf-8"
        self.errors = "replace"

    def write(self, text):
        with self._lock:
            self._pending += str(text)
            *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._send({"t": "log", "line": line})
        return len(text)

    def flush(self):
        with self._lock:
            line, self._pending = self._pending, ""
        if line:
            self._send({"t": "log", "line": line})

    def isatty(self):
        return False

    def writable(self):
        return True


class Context:
    """The attributes and method of the Lambda runtime's context object."""

    def __init__(self, info, deadline):
        self.function_name = info["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = info["function_arn"]
        self.memory_limit_in_mb = info["memory_mb"]
        self.aws_request_id = info["aws_request_id"]
        self.log_group_name = info["log_group"]
        self.log_stream_name = info["log_stream"]
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error(exc):
    return {"errorMessage": str(exc), "errorType": type(exc).__name__,
            "stackTrace": traceback.format_exception(type(exc), exc, exc.__traceback__)}


def main():
    config = json.loads(sys.argv[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    lock = threading.Lock()

    def send(message):
        text = json.dumps(message)
        with lock:
            protocol.write(text + "\n")
            protocol.flush()

    sys.stdout = LogStream(send)
    sys.stderr = LogStream(send)
    sys.path.insert(0, config["project_root"])
    module_name, _, attribute = config["handler"].rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except Exception as exc:  # noqa: BLE001 - Runtime.ImportModuleError, reported to the parent
        sys.stdout.flush()
        send({"t": "init_error", "error": {**_error(exc), "errorType": f"Runtime.ImportModuleError ({type(exc).__name__})"}})
        return 1
    sys.stdout.flush()
    send({"t": "ready"})
    for line in sys.stdin:
        request = json.loads(line)
        context = Context(request["context"], time.monotonic() + request["context"]["timeout_ms"] / 1000)
        try:
            response = handler(request["event"], context)
            try:
                message = json.dumps({"t": "result", "id": request["id"], "ok": True, "response": response})
            except (TypeError, ValueError) as exc:
                raise TypeError(f"Runtime.MarshalError: Unable to marshal response: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - the function's error, as Lambda reports it
            message = json.dumps({"t": "result", "id": request["id"], "ok": False, "error": _error(exc)})
        sys.stdout.flush()
        sys.stderr.flush()
        with lock:
            protocol.write(message + "\n")
            protocol.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
