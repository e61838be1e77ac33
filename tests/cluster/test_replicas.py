"""Money movements answered only once a replica has them (HELPCALL_REDIS_WAIT_REPLICAS)."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sessions.wallet import wallet_key
from tests.cluster.conftest import app_on
from tests.conftest import Running
from tests.signaling.conftest import Connect, connect, funded_client, online_expert
from tests.topologies import Cluster, Node, Sentinels, started

__all__ = ["connect"]

TOP_UP = "/api/v1/wallet/topups"


@pytest.fixture
def sentinels(tmp_path: Path) -> Iterator[Sentinels]:
    """A set of its own: this test freezes its replica."""
    yield from started(Sentinels, tmp_path / "sentinels")


def _replica(sentinels: Sentinels) -> Node:
    return next(n for n in sentinels.servers if n.port != sentinels.primary_port())


async def _top_up_with_a_frozen_replica(running: Running, replica_of: Callable[[str], Node],
                                        caplog: pytest.LogCaptureFixture) -> None:
    """A top-up while the replica of the payer's wallet is alive but answers nothing: it
    stands, and the warning names the script that was not confirmed."""
    payer = await running.user("client")
    replica = replica_of(wallet_key(payer.id))
    assert replica.process is not None
    replica.process.send_signal(signal.SIGSTOP)
    try:
        with caplog.at_level(logging.WARNING, logger="common.replicas"):
            topped = await running.client.post(TOP_UP, json={"amount_cents": 900},
                                               headers=payer.headers)
    finally:
        replica.process.send_signal(signal.SIGCONT)
    assert topped.status == 201
    assert (await topped.json())["balance_cents"] == 900
    assert any("sessions/lua/topup.lua: 0 of 1 replicas confirmed within 200 ms"
               in r.getMessage() for r in caplog.records)


async def test_a_top_up_is_answered_once_the_replica_holds_it(
        sentinels: Sentinels, tmp_path: Path) -> None:
    async with app_on(sentinels.url, tmp_path, HELPCALL_REDIS_WAIT_REPLICAS="1",
                      HELPCALL_REDIS_WAIT_TIMEOUT_MS="5000") as running:
        payer = await running.user("client")
        for amount in (2500, 700, 1300):
            topped = await running.client.post(TOP_UP, json={"amount_cents": amount},
                                               headers=payer.headers)
            assert topped.status == 201
            # Read from the replica itself at once: no waiting, it must already be there.
            with _replica(sentinels).client() as replica:
                wallet = replica.hgetall(wallet_key(payer.id))
            assert int(wallet["balance"]) == (await topped.json())["balance_cents"]


async def test_a_replica_that_does_not_confirm_is_reported_and_the_top_up_stands(
        sentinels: Sentinels, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with app_on(sentinels.url, tmp_path, HELPCALL_REDIS_WAIT_REPLICAS="1",
                      HELPCALL_REDIS_WAIT_TIMEOUT_MS="200") as running:
        await _top_up_with_a_frozen_replica(running, lambda _: _replica(sentinels), caplog)


async def test_scripts_that_move_no_money_do_not_wait(
        sentinels: Sentinels, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with app_on(sentinels.url, tmp_path, HELPCALL_REDIS_WAIT_REPLICAS="1",
                      HELPCALL_REDIS_WAIT_TIMEOUT_MS="200") as running:
        replica = _replica(sentinels)
        assert replica.process is not None
        replica.process.send_signal(signal.SIGSTOP)
        try:
            with caplog.at_level(logging.WARNING, logger="common.replicas"):
                # Signing up runs scripts too (accounts/lua/create.lua): none of them waits.
                await running.user("client")
        finally:
            replica.process.send_signal(signal.SIGCONT)
        assert not [r for r in caplog.records if r.name == "common.replicas"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A cluster of its own: these tests freeze one of its replicas."""
    yield from started(Cluster, tmp_path_factory.mktemp("cluster"))


def _replica_reads(cluster: Cluster, key: str) -> dict[str, str]:
    """The hash as the replica of the key's primary holds it, read there at once."""
    with cluster.replica_of(cluster.primary_of(key)).client() as replica:
        replica.execute_command("READONLY")  # a replica answers reads of its slots
        return {str(k): str(v) for k, v in replica.hgetall(key).items()}


async def test_on_a_cluster_a_top_up_is_answered_once_its_replica_holds_it(
        cluster: Cluster, tmp_path: Path) -> None:
    async with app_on(cluster.url, tmp_path, HELPCALL_REDIS_WAIT_REPLICAS="1",
                      HELPCALL_REDIS_WAIT_TIMEOUT_MS="5000") as running:
        payer = await running.user("client")
        wallet = wallet_key(payer.id)
        for amount in (2500, 700, 1300):
            topped = await running.client.post(TOP_UP, json={"amount_cents": amount},
                                               headers=payer.headers)
            assert topped.status == 201
            held = _replica_reads(cluster, wallet)
            assert int(held["balance"]) == (await topped.json())["balance_cents"]


async def test_on_a_cluster_a_silent_replica_is_reported_and_the_top_up_stands(
        cluster: Cluster, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with app_on(cluster.url, tmp_path, HELPCALL_REDIS_WAIT_REPLICAS="1",
                      HELPCALL_REDIS_WAIT_TIMEOUT_MS="200") as running:
        await _top_up_with_a_frozen_replica(
            running, lambda wallet: cluster.replica_of(cluster.primary_of(wallet)), caplog)


async def _call_with_a_frozen_replica(running: Running, connect: Connect,
                                      replica_of: Callable[[str], Node],
                                      caplog: pytest.LogCaptureFixture) -> None:
    """A paid call started while the replica of the payer's wallet answers nothing: the hold
    is a step of its own (sessions/holds.py), and it waits for that replica as the session
    script does for its own; the call rings all the same, and the warning names it."""
    expert, _ = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    replica = replica_of(wallet_key(client.id))
    assert replica.process is not None
    replica.process.send_signal(signal.SIGSTOP)
    try:
        with caplog.at_level(logging.WARNING, logger="common.replicas"):
            started = await client_socket.ok("call:start",
                                             {"expert_id": expert.id, "topic": "tap"})
    finally:
        replica.process.send_signal(signal.SIGCONT)
    assert started["state"] == "ringing"
    assert any("sessions/lua/hold_take.lua" in r.getMessage()
               and "0 of 1 replicas confirmed within 200 ms" in r.getMessage()
               for r in caplog.records)


async def test_a_calls_hold_waits_for_the_replica_too(
        sentinels: Sentinels, tmp_path: Path, connect: Connect,
        caplog: pytest.LogCaptureFixture) -> None:
    async with app_on(sentinels.url, tmp_path, HELPCALL_REDIS_WAIT_REPLICAS="1",
                      HELPCALL_REDIS_WAIT_TIMEOUT_MS="200") as running:
        await _call_with_a_frozen_replica(running, connect, lambda _: _replica(sentinels),
                                          caplog)


async def test_on_a_cluster_a_calls_hold_waits_for_its_wallets_replica(
        cluster: Cluster, tmp_path: Path, connect: Connect,
        caplog: pytest.LogCaptureFixture) -> None:
    async with app_on(cluster.url, tmp_path, HELPCALL_REDIS_WAIT_REPLICAS="1",
                      HELPCALL_REDIS_WAIT_TIMEOUT_MS="200") as running:
        await _call_with_a_frozen_replica(
            running, connect, lambda wallet: cluster.replica_of(cluster.primary_of(wallet)),
            caplog)
