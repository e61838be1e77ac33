"""A sign-up is four single-slot steps (accounts/claims.py); stopped after any of them, the
state heals: the address is never lost to an account that does not exist, and no account
is left that nobody can reach.

Each test leaves Redis as a process killed at that point would (the steps run, the rest
never does), then shows what a person sees next. Claims last 300 ms here, not 60 s.
"""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from accounts.claims import claim_key
from accounts.errors import EmailTaken
from accounts.models import Account, Role
from accounts.store import AccountStore, account_key
from tests.waiting import eventually

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

PENDING_MS = 300
EMAIL = "ann@example.org"


@pytest.fixture
def store(redis: aioredis.Redis) -> AccountStore:
    return AccountStore(redis, pending_ms=PENDING_MS)


def half_done(account_id: str) -> Account:
    return Account(account_id, EMAIL, "Ann", Role.CLIENT, 0, email_verified=True)


async def sign_up(store: AccountStore) -> Account:
    return await store.create(EMAIL, "Ann", Role.CLIENT, "hash")


async def gone(redis: aioredis.Redis, *keys: str) -> None:
    async def none_left() -> bool:
        return not await redis.exists(*keys)
    await eventually(none_left, within=5, what=f"{keys} to expire")


async def test_a_sign_up_leaves_an_account_and_a_claim_that_do_not_expire(
        store: AccountStore, redis: aioredis.Redis) -> None:
    account = await sign_up(store)
    assert await redis.pttl(account_key(account.id)) == -1
    assert await redis.pttl(claim_key(EMAIL)) == -1
    assert await store.id_of(EMAIL) == account.id
    with pytest.raises(EmailTaken):
        await sign_up(store)


async def test_stopped_after_the_claim_the_address_is_free_again_soon(
        store: AccountStore, redis: aioredis.Redis) -> None:
    assert await store.claims.take(EMAIL, "a_dead", store.exists)
    with pytest.raises(EmailTaken):  # while it may still finish
        await sign_up(store)
    await gone(redis, claim_key(EMAIL))
    assert (await sign_up(store)).email == EMAIL


async def test_stopped_after_the_hash_both_expire(
        store: AccountStore, redis: aioredis.Redis) -> None:
    assert await store.claims.take(EMAIL, "a_dead", store.exists)
    await store.write_pending(half_done("a_dead"), "hash")
    assert await store.credentials(EMAIL) == ("a_dead", "hash")  # finishing, not yet told
    await gone(redis, claim_key(EMAIL), account_key("a_dead"))
    assert await store.credentials(EMAIL) is None
    account = await sign_up(store)
    assert await store.id_of(EMAIL) == account.id
    assert await store.get("a_dead") is None


async def test_stopped_after_keeping_the_claim_the_dangling_claim_is_freed(
        store: AccountStore, redis: aioredis.Redis) -> None:
    assert await store.claims.take(EMAIL, "a_dead", store.exists)
    await store.write_pending(half_done("a_dead"), "hash")
    assert await store.claims.keep(EMAIL, "a_dead")
    await gone(redis, account_key("a_dead"))
    assert await redis.get(claim_key(EMAIL)) == "a_dead"  # left for good, naming nobody
    assert await store.id_of(EMAIL) is None
    assert await store.credentials(EMAIL) is None  # a login is refused, not an error
    account = await sign_up(store)
    assert await store.id_of(EMAIL) == account.id


async def test_an_erasure_stopped_half_way_frees_the_address_too(
        store: AccountStore, redis: aioredis.Redis) -> None:
    first = await sign_up(store)
    await redis.delete(account_key(first.id))  # erasure's first step, then a stop
    second = await sign_up(store)
    assert second.id != first.id and await store.id_of(EMAIL) == second.id


async def test_a_sign_up_too_slow_to_keep_its_claim_gives_up_without_a_trace(
        store: AccountStore, redis: aioredis.Redis) -> None:
    assert await store.claims.take(EMAIL, "a_slow", store.exists)
    await gone(redis, claim_key(EMAIL))
    winner = await sign_up(store)  # someone else meanwhile
    assert not await store.claims.keep(EMAIL, "a_slow")
    assert await store.id_of(EMAIL) == winner.id


async def test_one_address_signed_up_ten_times_at_once_makes_one_account(
        store: AccountStore, redis: aioredis.Redis) -> None:
    results = await asyncio.gather(*(sign_up(store) for _ in range(10)),
                                   return_exceptions=True)
    made = [r for r in results if isinstance(r, Account)]
    assert len(made) == 1
    assert all(isinstance(r, EmailTaken) for r in results if r not in made)
    assert await store.id_of(EMAIL) == made[0].id
