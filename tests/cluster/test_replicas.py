"""Money movements answered only once a replica has them (HELPCALL_REDIS_WAIT_REPLICAS)."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from common import replicas
from sessions.wallet import wallet_key
from tests.cluster.conftest import app_on
from tests.topologies import Node, Sentinels, started

TOP_UP = "/api/v1/wallet/topups"


@pytest.fixture
def sentinels(tmp_path: Path) -> Iterator[Sentinels]:
    """A set of its own: this test freezes its replica."""
    yield from started(Sentinels, tmp_path / "sentinels")


def _replica(sentinels: Sentinels) -> Node:
    return next(n for n in sentinels.servers if n.port != sentinels.primary_port())


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
        payer = await running.user("client")
        replica = _replica(sentinels)
        assert replica.process is not None
        replica.process.send_signal(signal.SIGSTOP)  # alive, but answers nothing
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


@pytest.mark.cluster  # the refusal itself runs in the Cluster phase of scripts/test
async def test_a_cluster_cannot_require_replicas_yet(redis: aioredis.Redis) -> None:
    replicas.require(redis, 0, 100)  # 0: nothing asked, on any Redis
    if not replicas.is_cluster(redis):
        replicas.require(redis, 1, 100)
        assert replicas.required(redis) == replicas.Replicas(1, 100)
        replicas.require(redis, 0, 100)
        assert replicas.required(redis) is None
        return
    with pytest.raises(ValueError, match="not supported on a Redis Cluster"):
        replicas.require(redis, 1, 100)
