"""Findings 7, 8 and 13 (input): deep nesting, lone surrogates, hidden characters in names,
API headers, half-sent requests. Each answered 4xx in the §2 envelope, no stack trace."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest

from tests.conftest import Running, StartApp
from tests.signaling.conftest import Connect, funded_client, online_expert

NESTED = "[" * 1000 + "]" * 1000


def no_stack_trace(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert record.levelno < logging.ERROR, record.getMessage()


@pytest.mark.parametrize("path", ["/api/v1/accounts", "/api/v1/tokens", "/api/v1/wallet/topups"])
async def test_deeply_nested_json_is_invalid_without_a_stack_trace(
    running: Running, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    caplog.set_level(logging.INFO)
    user = await running.user()
    for body in (NESTED, json.dumps({"email": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})):
        answer = await running.client.post(path, data=body, headers={
            **user.headers, "Content-Type": "application/json"})
        assert answer.status == 400
        assert (await answer.json())["error"]["code"] == "invalid"
    no_stack_trace(caplog)


async def test_deeply_nested_socket_packets_get_an_invalid_ack(
    running: Running, connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    user = await running.user()
    peer = await connect(running, user)
    nested: object = []
    for _ in range(200):
        nested = [nested]
    assert await peer.error("chat", nested) == "invalid"
    # A thousand levels: what python's own decoder cannot even parse, sent as a raw packet.
    url = running.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        assert (await ws.receive_str()).startswith("0")
        await ws.send_str("40" + json.dumps({"token": user.token}))
        assert (await ws.receive_str()).startswith("40")
        await ws.send_str('4217["chat",' + NESTED + "]")
        ack = await asyncio.wait_for(ws.receive_str(), 10)
        assert ack.startswith("4317")
        assert json.loads(ack[4:])[0]["error"]["code"] == "invalid"
        await ws.send_str("4[[[[[" + NESTED)  # not even a Socket.IO packet: dropped
        await ws.send_str('4218["chat",{"session_id":"s_x","text":"still here"}]')
        ack = await asyncio.wait_for(ws.receive_str(), 10)
        assert ack.startswith("4318")
    no_stack_trace(caplog)


async def test_lone_surrogates_are_invalid_in_names_emails_and_chat(
    running: Running, connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for field, value in (("display_name", "Ann \ud800"), ("email", "a\ud800@example.test")):
        body = {"email": "ann@example.test", "password": "correct horse",
                "display_name": "Ann", "role": "client", field: value}
        answer = await running.client.post("/api/v1/accounts", json=body)
        assert answer.status == 400, await answer.text()
        assert (await answer.json())["error"]["code"] == "invalid"
    answer = await running.client.post(
        "/api/v1/tokens", data='{"email": "a\\udc00@example.test", "password": "x"}',
        headers={"Content-Type": "application/json"})
    assert answer.status == 400
    expert, _ = await online_expert(running, connect)
    _, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "x"})
    assert await client_socket.error(
        "chat", {"session_id": started["session_id"], "text": "hi \ud800"}) == "invalid"
    assert await client_socket.error(
        "call:start", {"expert_id": expert.id, "topic": "\udfff"}) == "invalid"
    no_stack_trace(caplog)


@pytest.mark.parametrize("name", ["Ann\x00", "Ann \u202egnp.exe", "A\u200bnn", "\ufeffAnn",
                                  "Ann\u2066x", "Ann\nBob"])
async def test_names_refuse_controls_bidi_overrides_and_invisible_characters(
    running: Running, name: str
) -> None:
    body = {"email": "ann@example.test", "password": "correct horse", "display_name": name,
            "role": "client"}
    answer = await running.client.post("/api/v1/accounts", json=body)
    assert answer.status == 400, await answer.text()
    assert (await answer.json())["error"]["field"] == "display_name"


async def test_names_keep_emoji_sequences_and_accents(running: Running) -> None:
    body = {"email": "ann@example.test", "password": "correct horse",
            "display_name": "Zoë 👩\u200d💻", "role": "client"}
    answer = await running.client.post("/api/v1/accounts", json=body)
    assert answer.status == 201, await answer.text()
    assert (await answer.json())["display_name"] == "Zoë 👩\u200d💻"


async def test_api_answers_are_not_cached_nor_sniffed(running: Running) -> None:
    user = await running.user()
    for answer in (await running.client.get("/api/v1/me", headers=user.headers),
                   await running.client.get("/api/v1/me"),
                   await running.client.post("/api/v1/tokens", json={})):
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


async def _closed(reader: asyncio.StreamReader) -> bytes:
    # Everything the server still sends, up to its closing the connection.
    return await asyncio.wait_for(reader.read(), 20)


async def test_half_sent_requests_are_closed(start_app: StartApp) -> None:
    running = await start_app(HELPCALL_HTTP_READ_TIMEOUT_SECONDS="0.5")
    port = running.client.port
    assert port is not None
    # Headers that never end.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: appl")
    await writer.drain()
    assert await _closed(reader) == b""
    writer.close()
    # A body that stops after a few bytes: 408, then closed.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                 b"\r\nContent-Length: 100\r\n\r\n{\"email\"")
    await writer.drain()
    answer = await _closed(reader)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    writer.close()
    # The server still answers everyone else.
    assert (await running.client.get("/healthz")).status == 200


async def test_a_request_aiohttp_cannot_parse_is_one_log_line(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by the fuzzing of scripts/fuzz_api.py: a NUL in a header logged a stack trace.
    caplog.set_level(logging.INFO)
    host, port = running.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET /api/v1/categories HTTP/1.1\r\nHost: x\r\nX-Probe: a\x00b\r\n\r\n")
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    await writer.wait_closed()
    assert b" 400 " in status
    refused = [r for r in caplog.records if "malformed request refused" in r.getMessage()]
    assert len(refused) == 1 and refused[0].levelno == logging.WARNING
    no_stack_trace(caplog)
    assert (await running.client.get("/api/v1/categories")).status == 200  # nothing else broke


async def test_a_whole_number_written_with_a_point_is_an_integer(running: Running) -> None:
    # JSON Schema counts 500.0 as an integer, so openapi.json allows it (found by fuzzing);
    # 500.5 stays refused.
    user = await running.user()
    topped = await running.client.post("/api/v1/wallet/topups", json={"amount_cents": 500.0},
                                       headers=user.headers)
    assert topped.status == 201, await topped.text()
    assert (await topped.json())["balance_cents"] == 500
    half = await running.client.post("/api/v1/wallet/topups", json={"amount_cents": 500.5},
                                     headers=user.headers)
    assert half.status == 400 and (await half.json())["error"]["field"] == "amount_cents"
