"""``GET /metrics`` after a known sequence of calls, read by an operator's Prometheus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from prometheus_client.parser import text_string_to_metric_families

from server.worker import running_worker
from tests.billing.test_worker import Receiver, Request, next_of, receiver, worker_config
from tests.conftest import Running, StartApp
from tests.signaling.conftest import Connect, connect, funded_client, online_expert
from tests.signaling.multiprocess import candidate, numbered
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

__all__ = ["connect", "receiver"]  # fixtures used by the tests below

DOCS = Path(__file__).resolve().parents[2] / "docs"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(running: Running, **headers: str) -> Samples:
    answer = await running.client.get("/metrics", headers=headers)
    assert answer.status == 200, await answer.text()
    assert answer.headers["Content-Type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(await answer.text()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def calls(samples: Samples) -> dict[str, float]:
    return {state: value(samples, "helpcall_calls", state=state)
            for state in ("queued", "ringing", "accepted", "live", "paused")}


async def test_calls_rings_and_experts_after_a_known_sequence(
    start_app: StartApp, connect: Connect
) -> None:
    first = await start_app()
    second = await start_app()  # another process on the same Redis
    before = await scrape(first)
    assert set(calls(before).values()) == {0}
    assert value(before, "helpcall_rings_total") == 0

    expert, expert_socket = await online_expert(first, connect)
    _, client_socket = await funded_client(first, connect)
    online = await scrape(first)
    assert value(online, "helpcall_experts", status="online") == 1
    assert value(online, "helpcall_sockets_connected") == 2
    assert value(online, "helpcall_processes") == 2

    declined = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "a"})
    ringing = await scrape(second)  # figures kept in Redis read the same from any process
    assert calls(ringing) == {"queued": 0, "ringing": 1, "accepted": 0, "live": 0, "paused": 0}
    assert value(ringing, "helpcall_experts", status="busy") == 1
    assert value(ringing, "helpcall_sockets_connected") == 0  # no socket on the second
    await expert_socket.ok("call:decline", {"session_id": declined["session_id"]})
    await client_socket.wait_for("call:state", lambda d: d["state"] == "ended")

    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "b"})
    await expert_socket.ok("call:accept", {"session_id": started["session_id"]})
    accepted = await scrape(first)
    assert calls(accepted)["accepted"] == 1 and calls(accepted)["ringing"] == 0
    await client_socket.ok("call:hangup", {"session_id": started["session_id"]})
    await client_socket.wait_for(
        "call:state", lambda d: d["session_id"] == started["session_id"] and d["state"] == "ended")

    after = await scrape(first)
    assert set(calls(after).values()) == {0}
    assert value(after, "helpcall_rings_total") == 2
    assert value(after, "helpcall_ring_outcomes_total", outcome="declined") == 1
    assert value(after, "helpcall_ring_outcomes_total", outcome="accepted") == 1
    assert value(after, "helpcall_calls_ended_total", reason="declined") == 1
    assert value(after, "helpcall_calls_ended_total", reason="hangup") == 1
    assert value(after, "helpcall_billing_events_appended_total") == 1  # only the accepted call
    assert value(after, "helpcall_experts", status="online") == 1
    assert value(after, "helpcall_reaper_lag_seconds") >= 0
    assert value(after, "helpcall_redis_roundtrip_seconds") > 0
    # The second process counted nothing itself: the scripts ran on the first.
    assert value(await scrape(second), "helpcall_rings_total") == 0


async def test_billing_delivery_failures_then_delivered(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis, redis_url: str,
    receiver: Receiver,
) -> None:
    answers = iter([500])

    async def first_fails(_: Request) -> int:
        return next(answers, 200)

    receiver.policy = first_fails
    running = await start_app(HELPCALL_WEBHOOK_URL=receiver.url,
                              HELPCALL_WEBHOOK_SECRET="whsec-test-secret")
    expert, expert_socket = await online_expert(running, connect)
    _, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "a"})
    await expert_socket.ok("call:accept", {"session_id": started["session_id"]})
    await client_socket.ok("call:hangup", {"session_id": started["session_id"]})
    waiting = await scrape(running)
    assert value(waiting, "helpcall_billing_events_undelivered", target="platform") == 1
    assert value(waiting, "helpcall_billing_oldest_undelivered_seconds", target="platform") >= 0

    config = worker_config(redis_url, receiver.url)
    async with running_worker(redis, config, "w1"):
        await next_of(receiver.delivered)

        async def delivered() -> bool:
            samples = await scrape(running)
            return value(samples, "helpcall_billing_events_delivered_total",
                         target="platform") == 1

        await eventually(delivered, what="the delivery in /metrics")
    done = await scrape(running)
    assert value(done, "helpcall_billing_delivery_failures_total", target="platform") == 1
    assert value(done, "helpcall_billing_events_undelivered", target="platform") == 0
    assert value(done, "helpcall_billing_oldest_undelivered_seconds", target="platform") == 0


async def test_relayed_messages_show_which_calls_cross_processes(
    start_app: StartApp, connect: Connect
) -> None:
    first, second = await start_app(), await start_app()  # two processes on one Redis
    expert, expert_socket = await online_expert(first, connect)
    client, client_socket = await funded_client(first, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "a"})
    session_id = started["session_id"]
    await expert_socket.ok("call:accept", {"session_id": session_id})

    async def signals(numbers: range) -> None:
        for n in numbers:
            await expert_socket.ok("signal", candidate(n, session_id))
        await client_socket.wait_for("signal", numbered(numbers[-1]))

    before = value(await scrape(first), "helpcall_relay_published_total")
    await signals(range(10))
    together = value(await scrape(first), "helpcall_relay_published_total")
    assert together == before  # both sides here: nothing for Redis

    other_tab = await connect(second, client)  # the client's side now spans two processes
    await other_tab.ok("call:join", {"session_id": session_id})
    joined = value(await scrape(first), "helpcall_relay_published_total")
    await signals(range(100, 110))
    await other_tab.wait_for("signal", numbered(109))
    apart = await scrape(first)
    assert value(apart, "helpcall_relay_published_total") == joined + 10  # one per signal
    assert value(apart, "helpcall_relay_lost_total") == 0
    assert value(apart, "helpcall_relay_resubscriptions_total") == 0


async def test_a_metrics_token_is_required_when_set(start_app: StartApp) -> None:
    running = await start_app(HELPCALL_METRICS_TOKEN="s3cret-scrape")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-scrape"}):
        answer = await running.client.get("/metrics", headers=headers)
        assert answer.status == 401
        assert (await answer.json())["error"]["code"] == "unauthorized"
    samples = await scrape(running, Authorization="Bearer s3cret-scrape")
    assert ("helpcall_calls", (("state", "live"),)) in samples



async def test_the_dashboard_and_the_docs_name_only_metrics_that_exist(running: Running) -> None:
    answer = await running.client.get("/metrics")
    text = await answer.text()
    exposed = set(re.findall(r"^(?:# (?:HELP|TYPE) )?(helpcall_\w+)", text, re.MULTILINE))
    for doc in ("operations.md", "grafana-dashboard.json"):
        named = set(re.findall(r"helpcall_[a-z_]+[a-z]", (DOCS / doc).read_text()))
        assert named and named <= exposed, f"{doc} names {sorted(named - exposed)}"
