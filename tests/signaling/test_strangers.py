"""Nobody joins, steers, hears or reads a call that isn't theirs; bad input breaks nothing."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import Running
from tests.sessions.test_metering import accepted_call, go_live
from tests.signaling.conftest import Connect

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

EVENTS = ["call:accept", "call:decline", "call:cancel", "call:join", "call:hangup"]


async def test_a_stranger_tries_every_event_on_someone_elses_session(
    running: Running, connect: Connect
) -> None:
    client, client_socket, _, expert_socket, session_id = await accepted_call(running, connect)
    await go_live(client_socket, expert_socket, session_id)
    stranger_client = await running.user("client")
    stranger_expert = await running.user("expert")
    for user in (stranger_client, stranger_expert):
        socket = await connect(running, user)
        for event in EVENTS:
            assert await socket.error(event, {"session_id": session_id}) == "forbidden", event
        ref = {"session_id": session_id}
        assert await socket.error("signal", {**ref, "candidate": None}) == "forbidden"
        assert await socket.error("media", {**ref, "state": "connected"}) == "forbidden"
        assert await socket.error("chat", {**ref, "text": "hi"}) == "forbidden"
        assert await socket.error("call:join", {"session_id": "s_00000000000000000000"}) == "not_found"
        answer = await running.client.get(f"/api/v1/sessions/{session_id}", headers=user.headers)
        assert answer.status == 404
    # The call is untouched and nobody else heard anything.
    assert (await running.client.get(f"/api/v1/sessions/{session_id}",
                                     headers=client.headers)).status == 200
    assert [d["state"] for d in client_socket.events["call:state"]][-1] == "live"
    assert "chat" not in client_socket.events and "signal" not in client_socket.events


async def test_bad_payloads_get_clear_errors_and_the_call_goes_on(
    running: Running, connect: Connect
) -> None:
    _, client_socket, _, expert_socket, session_id = await accepted_call(running, connect)
    ref = {"session_id": session_id}
    cases = [
        ("call:start", None, "invalid"),
        ("call:start", "text", "invalid"),
        ("call:hangup", {"session_id": "../../etc"}, "invalid"),
        ("call:hangup", {"session_id": 42}, "invalid"),
        ("signal", ref, "invalid"),
        ("signal", {**ref, "description": {"type": "bogus", "sdp": ""}}, "invalid"),
        ("signal", {**ref, "description": {"type": "offer", "sdp": "x" * 70_000}}, "too_large"),
        ("chat", {**ref, "text": ""}, "invalid"),
        ("chat", {**ref, "text": "é" * 2001}, "invalid"),
        ("media", {**ref, "state": "maybe"}, "invalid"),
        ("presence", {"status": "online"}, "forbidden"),  # clients have no presence
        ("no-such-event", {}, "invalid"),
    ]
    for event, payload, code in cases:
        assert await client_socket.error(event, payload) == code, (event, payload)
    assert (await client_socket.ok("chat", {**ref, "text": "é" * 2000}))["message_id"]
    chat = await expert_socket.wait_for("chat")
    assert chat["from"] == client_socket.user.id and len(chat["text"]) == 2000  # type: ignore[union-attr]
    assert chat["at"].endswith("Z")
    candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host", "sdpMid": "0",
                 "sdpMLineIndex": 0, "usernameFragment": "abc"}
    await client_socket.ok("signal", {**ref, "candidate": candidate})
    relayed = await expert_socket.wait_for("signal")
    assert relayed == {"session_id": session_id, "from": client_socket.user.id,  # type: ignore[union-attr]
                       "candidate": candidate}
    await go_live(client_socket, expert_socket, session_id)


async def test_a_flood_is_rate_limited_for_that_socket_only(
    running: Running, connect: Connect
) -> None:
    _, client_socket, _, expert_socket, session_id = await accepted_call(running, connect)
    ref = {"session_id": session_id}
    answers = await asyncio.gather(
        *(client_socket.call("chat", {**ref, "text": f"spam {n}"}) for n in range(40))
    )
    codes = [a["error"]["code"] for a in answers if not a["ok"]]
    assert codes and set(codes) == {"rate_limited"}
    assert (await expert_socket.ok("chat", {**ref, "text": "I can still talk"}))["ok"]


async def test_signals_stop_when_the_call_ends(running: Running, connect: Connect) -> None:
    _, client_socket, _, expert_socket, session_id = await accepted_call(running, connect)
    ref = {"session_id": session_id}
    await client_socket.ok("signal", {**ref, "candidate": None})
    await client_socket.ok("call:hangup", ref)
    await expert_socket.state("ended")
    assert await client_socket.error("signal", {**ref, "candidate": None}) == "conflict"
    assert await expert_socket.error("signal", {**ref, "candidate": None}) == "conflict"
