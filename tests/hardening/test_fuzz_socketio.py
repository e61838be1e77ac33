"""Hypothesis over every Socket.IO event's payload, sent by a real client to a real app.

Whatever the payload, the ack is one JSON object of the documented shape (protocol §3):
``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}`` with a documented
code; and nothing is logged with a stack trace or at ERROR. Examples are derandomized so
that CI runs the same cases every time (and a failure is reproducible).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import StartApp
from tests.signaling.conftest import Connect, funded_client, online_expert

EVENTS = ["presence", "call:start", "call:accept", "call:decline", "call:cancel", "call:join",
          "booking:join", "call:hangup", "signal", "media", "chat", "no:such:event"]
CODES = {"unauthorized", "forbidden", "not_found", "invalid", "conflict", "unavailable",
         "insufficient_funds", "rate_limited", "too_large"}
FIELDS = ["session_id", "expert_id", "booking_id", "category", "brand", "topic", "text",
          "status", "state", "description", "candidate", "max_rate_cents", "sdp", "type"]
EXAMPLES_PER_EVENT = 40

# Text with what breaks naive code: lone surrogates, NUL, bidi overrides, very long runs.
text = st.one_of(
    st.text(max_size=50),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=20),
    st.sampled_from(["\ud800", "\x00", "\u202e", "a" * 70_000, "online", "connected",
                     "cooking", "offer", "answer"]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    text)
json_values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                     st.dictionaries(text, inner, max_size=4)),
    max_leaves=12)


def payloads(ids: list[str]) -> st.SearchStrategy[Any]:
    known = st.one_of(st.sampled_from(ids), json_values)
    shaped = st.fixed_dictionaries({}, optional={f: known for f in FIELDS}).map(dict)
    return st.one_of(shaped, json_values, st.integers(20, 300).map(nest))


def nest(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def documented(ack: object) -> bool:
    if not isinstance(ack, dict) or not isinstance(ack.get("ok"), bool):
        return False
    if ack["ok"]:
        return True
    error = ack.get("error")
    return (isinstance(error, dict) and error.get("code") in CODES
            and isinstance(error.get("message"), str))


def fuzz_one(event: str, ids: list[str], send: Any) -> Any:
    @settings(max_examples=EXAMPLES_PER_EVENT, deadline=None, derandomize=True,
              database=None, suppress_health_check=list(HealthCheck))
    @given(payload=payloads(ids), side=st.integers(0, 1))
    def fuzz(payload: Any, side: int) -> None:
        send(event, side, payload)

    return fuzz


class Trouble(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(self.format(record))


async def test_every_event_answers_the_documented_shape(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_MAX_SOCKETS_PER_ACCOUNT="100",
                              HELPCALL_RINGS_PER_EXPERT="100000",
                              HELPCALL_RINGS_PER_CLIENT="100000")
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "fuzz"})
    ids = [expert.id, client.id, started["session_id"], "s_0123456789abcdef0123"]
    loop = asyncio.get_running_loop()
    trouble = Trouble()
    logging.getLogger().addHandler(trouble)
    counts: Counter[str] = Counter()
    failures: list[tuple[str, Any, Any]] = []
    try:
        for event in EVENTS:
            # Each event gets its own sockets: one event's rate limit spares the others.
            senders = [await connect(running, client), await connect(running, expert)]

            def send(event: str, side: int, payload: Any, senders: list[Any] = senders) -> None:
                ack = asyncio.run_coroutine_threadsafe(
                    senders[side].call(event, payload), loop).result(30)
                counts[event] += 1
                if not documented(ack):
                    failures.append((event, payload, ack))

            await loop.run_in_executor(None, fuzz_one(event, ids, send))
            for sender in senders:
                await sender.close()
    finally:
        logging.getLogger().removeHandler(trouble)
    print(f"\nSocket.IO fuzz: {len(counts)} events, {sum(counts.values())} cases, "
          f"{len(failures)} failures, {len(trouble.records)} log records with a trace")
    assert not failures, failures[:5]
    assert not trouble.records, trouble.records[:3]
    assert set(counts) == set(EVENTS)
