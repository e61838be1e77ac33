"""A Sentinel-managed primary fails: the app reconnects to the promoted replica, money intact."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.cluster.conftest import app_on
from tests.conftest import Running
from tests.topologies import Sentinels, started
from tests.waiting import eventually


@pytest.fixture
def sentinels(tmp_path: Path) -> Iterator[Sentinels]:
    """A set of its own: this test kills its primary."""
    yield from started(Sentinels, tmp_path / "sentinels")


@pytest.fixture
async def on_sentinel(sentinels: Sentinels, tmp_path: Path) -> AsyncIterator[Running]:
    async with app_on(sentinels.url, tmp_path) as running:
        yield running


async def test_the_app_follows_a_failover_and_the_wallet_survives(
    sentinels: Sentinels, on_sentinel: Running
) -> None:
    running = on_sentinel
    payer = await running.user("client")
    topped = await running.client.post("/api/v1/wallet/topups", json={"amount_cents": 2500},
                                       headers=payer.headers)
    assert topped.status == 201
    old = sentinels.servers[0]
    assert sentinels.primary_port() == old.port
    with old.client() as primary:
        # Replication is asynchronous: what a test asserts after the failover must have
        # reached the replica (docs/cluster.md, WAIT).
        assert primary.wait(1, 5000) == 1

    old.kill()

    async def promoted() -> bool:
        return sentinels.primary_port() != old.port

    await eventually(promoted, within=60, what="the sentinels to promote the replica")

    async def wallet_answers() -> bool:
        answer = await running.client.get("/api/v1/wallet", headers=payer.headers)
        return answer.status == 200

    await eventually(wallet_answers, within=30, what="the app to reach the new primary")
    wallet = await (await running.client.get("/api/v1/wallet", headers=payer.headers)).json()
    assert wallet["balance_cents"] == 2500
    # Writes go to the new primary too: a new account, a new top-up.
    newcomer = await running.user("client")
    again = await running.client.post("/api/v1/wallet/topups", json={"amount_cents": 700},
                                      headers=newcomer.headers)
    assert again.status == 201
