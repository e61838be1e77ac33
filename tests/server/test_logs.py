"""Logs as JSON lines (``HELPCALL_LOG_FORMAT=json``), each carrying the request, session and
account ids of what it is about: HTTP requests and Socket.IO events alike."""

from __future__ import annotations

import io
import json
import logging
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.logs import ContextIds, JsonLines
from tests.conftest import Running, base_env
from tests.processes import ServerProcess
from tests.signaling.conftest import Connect, funded_client, online_expert


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The app's log, as the JSON-lines handler of ``configure_logging`` writes it."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(ContextIds())
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    was = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(was)


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


async def test_lines_of_a_call_carry_its_session_account_and_request_ids(
    running: Running, connect: Connect, json_log: io.StringIO
) -> None:
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "Sauce"})
    session_id = started["session_id"]

    answer = await running.client.get(f"/api/v1/sessions/{session_id}",
                                      headers={**client.headers, "X-Request-ID": "trace-42"})
    assert answer.status == 200
    assert answer.headers["X-Request-ID"] == "trace-42"
    # A request without an id of its own (or with junk for one) gets a fresh one.
    junk = await running.client.get("/api/v1/me", headers={**client.headers,
                                                           "X-Request-ID": "<script>"})
    assert junk.headers["X-Request-ID"] != "<script>"

    lines = _lines(json_log)
    # Logged inside the Socket.IO event that started the call.
    ringing = next(line for line in lines if line["message"].startswith(f"session {session_id} "
                                                                         "ringing"))
    assert ringing["session_id"] == session_id
    assert ringing["account_id"] == client.id
    assert ringing["level"] == "INFO" and ringing["logger"] == "sessions.service"
    # aiohttp's access line of the HTTP request, with the ids of that request.
    access = next(line for line in lines if line.get("request_id") == "trace-42")
    assert access["logger"] == "aiohttp.access"
    assert access["session_id"] == session_id
    assert access["account_id"] == client.id
    assert access["status"] == 200
    # An id never leaks from one request or event to lines of another.
    me = next(line for line in lines if line.get("request") and "/api/v1/me" in line["request"])
    assert me["request_id"] == junk.headers["X-Request-ID"]
    assert "session_id" not in me
    token_lines = [line for line in lines if line["message"].startswith("token issued to")]
    assert token_lines and all("session_id" not in line for line in token_lines)
    assert all(line["account_id"] in line["message"] for line in token_lines)


def test_the_server_writes_json_lines_when_asked(redis_url: str, tmp_path: Path) -> None:
    env = base_env(redis_url, tmp_path) | {"HELPCALL_LOG_FORMAT": "json",
                                           "HELPCALL_LOG_LEVEL": "INFO"}
    server = ServerProcess(env).wait_ready()
    try:
        request = urllib.request.Request(server.url + "/api/v1/categories",
                                         headers={"X-Request-ID": "from-the-proxy"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.headers["X-Request-ID"] == "from-the-proxy"
    finally:
        assert server.stop() == 0
    lines = [json.loads(line) for line in server.output().splitlines() if line.strip()]
    assert any(line.get("request_id") == "from-the-proxy" and line["status"] == 200
               for line in lines)
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
