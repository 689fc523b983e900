"""The HTTP side: a threading stdlib server whose every request goes through the gateway.

`build_server` builds it from a spec path (validated and normalized as `plan` does) and returns
it with its bound port (port 0 picks a free one); `running` is the context manager tests use: it
serves on a background thread and stops the server and every worker on exit.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Iterator, Mapping, Optional
from urllib.parse import urlsplit

from . import responses as gw
from .events import Request
from .gateway import MAX_PAYLOAD_BYTES, Gateway
from .keys import ApiKeys
from .limits import Clock
from ..validate import root_for
from .load import load_app
from .logs import LogSink

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "serverless-spec-serve"
    timeout = 120  # an idle keep-alive connection does not hold its thread forever

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the access log replaces it
        pass

    def _body(self) -> tuple[bytes, Optional[gw.GatewayError]]:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, size = [], 0
            while True:
                length = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if length == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks), None
                size += length
                if size > MAX_PAYLOAD_BYTES:
                    self.close_connection = True
                    return b"", gw.too_large()
                chunks.append(self.rfile.read(length))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_PAYLOAD_BYTES:
            self.close_connection = True
            return b"", gw.too_large()
        return self.rfile.read(length) if length > 0 else b"", None

    def _serve(self) -> None:
        try:
            body, reject = self._body()
        except ValueError:
            self.send_error(400, "Bad Request")
            return
        # Origin-form ("/dev/items?x=1") as sent; absolute-form ("http://host/dev/items") from proxies.
        if self.path.lower().startswith(("http://", "https://")):
            split = urlsplit(self.path)
            path, query = split.path, split.query
        else:
            path, _, query = self.path.partition("?")
        request = Request(self.command, path or "/", query, list(self.headers.items()), body,
                          self.client_address[0], self.server.server_port)
        response = self.server.gateway.handle(request, reject)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)


for _method in METHODS:
    setattr(_Handler, f"do_{_method}", _Handler._serve)


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], gateway: Gateway, keys: ApiKeys, log: LogSink):
        self.gateway, self.keys, self.log = gateway, keys, log
        self._closed = False
        super().__init__(address, _Handler)

    @property
    def app(self):
        return self.gateway.app

    def close(self) -> None:
        """Stop listening, stop every worker, close the log file (idempotent; after serve_forever returned)."""
        if self._closed:
            return
        self._closed = True
        self.server_close()
        self.gateway.close()
        self.log.close()


def build_server(spec_file: str, *, stage: Optional[str] = None, host: str = "127.0.0.1", port: int = 0,
                 aws_endpoint: Optional[str] = None, api_keys: Optional[Mapping[str, str]] = None,
                 log_file: Optional[str] = None, log_stream: Optional[IO[str]] = None, clock: Optional[Clock] = None,
                 project_root: Optional[Path] = None, max_workers: int = 4) -> tuple[LocalServer, int]:
    """The server for `spec_file` bound to (host, port) and that port; SpecError/NoApi for a bad spec,
    ValueError for unknown --api-key names, OSError when the address is taken."""
    project_root = project_root or root_for(spec_file)
    app, warnings = load_app(spec_file, stage, project_root)
    keys = ApiKeys(app.api, app.name, app.stage, api_keys)
    log = LogSink(log_stream, log_file)
    for warning in warnings:
        log.write(warning)
    gateway = Gateway(app, project_root, keys=keys, clock=clock or Clock(), log=log, aws_endpoint=aws_endpoint,
                      max_workers=max_workers)
    try:
        server = LocalServer((host, port), gateway, keys, log)
    except BaseException:
        gateway.close()
        log.close()
        raise
    return server, server.server_port


@dataclass
class Running:
    server: LocalServer
    port: int
    host: str

    @property
    def url(self) -> str:
        """The stage's base URL, as the deployed stage's invoke URL ends in /<stage>."""
        return f"http://{self.host}:{self.port}/{self.server.app.stage}"

    @property
    def keys(self) -> dict[str, str]:
        return {key.name: key.value for key in self.server.keys.keys}


@contextmanager
def running(spec_file: str, **options) -> Iterator[Running]:
    """Serve `spec_file` on a background thread (port 0 by default); stop everything on exit."""
    server, port = build_server(spec_file, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Running(server, port, options.get("host", "127.0.0.1"))
    finally:
        server.shutdown()
        thread.join()
        server.close()
