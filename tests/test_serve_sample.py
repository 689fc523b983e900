"""The sample app served locally: end to end against a moto server standing in for DynamoDB, and
the real command line (`python -m compiler serve`): the banner, Ctrl-C stopping every worker
process, and bad specs failing like `plan`."""
from __future__ import annotations

import http.client
import io
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import boto3
import pytest

from compiler.__main__ import main
from compiler.serve import running

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = str(ROOT / "specs" / "serverless-app.yaml")
KEY = "local-acme-key-0123456789abcdef"


def request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.fixture
def moto_endpoint():
    # ThreadedMotoServer needs moto's `server` extra (flask, flask-cors) besides the moto extras.
    pytest.importorskip("flask_cors", reason="moto.server needs flask and flask-cors (moto[server])")
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_the_sample_app_stores_and_reads_items_in_a_local_dynamodb(moto_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    boto3.client("dynamodb", region_name="us-east-1", endpoint_url=moto_endpoint).create_table(
        TableName="serverless-app-dev-items", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    log = io.StringIO()
    with running(SAMPLE, aws_endpoint=moto_endpoint, api_keys={"acme": KEY}, log_stream=log) as served:
        item = json.dumps({"name": "Desk lamp", "price": 19.9, "currency": "EUR", "tags": ["Home"]})
        origin = {"Origin": "https://app.example.com"}
        status, headers, body = request(served.port, "POST", "/dev/items", item, {"x-api-key": KEY, **origin})
        assert status == 201, (body, log.getvalue())
        created = json.loads(body)
        assert created["price"] == "19.90" and created["tags"] == ["home"]
        assert headers["Location"] == f"/dev/items/{created['id']}"
        assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        status, _, body = request(served.port, "GET", headers["Location"])
        assert status == 200 and json.loads(body) == created
        status, _, body = request(served.port, "GET", "/items")
        assert status == 200 and [i["id"] for i in json.loads(body)["items"]] == [created["id"]]
        assert request(served.port, "POST", "/dev/items", item)[0] == 403
    stored = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=moto_endpoint).scan(TableName="serverless-app-dev-items")
    assert stored["Count"] == 1


def _with_marker(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_the_command_serves_until_ctrl_c_and_leaves_no_worker_behind(tmp_path):
    marker = f"SERVE_TEST_MARKER={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    log_file = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "compiler", "serve", "specs/serverless-app.yaml", "--port", "0", "--api-key", f"acme={KEY}",
         "--log-file", str(log_file)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: "queue.Queue[str]" = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    banner: list[str] = []
    try:
        deadline = time.monotonic() + 20
        while not banner or "Listening on" not in banner[-1]:
            banner.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/dev/", banner[-1]).group(1))
        text = "".join(banner)
        assert re.search(r"POST\s+/items\s+items\s+required", text) and KEY in text
        assert request(port, "GET", "/dev/health")[0] == 200
        assert request(port, "POST", "/dev/items", "{}")[0] == 403
        workers = [pid for pid in _with_marker(marker) if pid != process.pid]
        assert len(workers) == 1  # the health function's worker
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert _with_marker(marker) == []
    stderr = process.stderr.read()
    assert '"path":"/dev/health"' in stderr and "[health] START RequestId" in stderr
    assert log_file.read_text().count('{"apiKeyId"') == 2


def test_a_bad_spec_or_an_undeclared_stage_exits_1_with_the_diagnostics(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(SAMPLE).read_text().replace("memory_mb: 256", "memory_mb: 64"))
    assert main(["serve", str(bad), "--port", "0"]) == 1
    assert "E201 functions.items.memory_mb" in capsys.readouterr().err
    assert main(["serve", SAMPLE, "--stage", "qa", "--port", "0"]) == 1
    assert "E316" in capsys.readouterr().err
    assert main(["serve", SAMPLE, "--port", "0", "--api-key", "nobody=x"]) == 2
