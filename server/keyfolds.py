"""The moves of ``server/keymigration.py`` that are more than a new name for a key: what
each layout (named in that module's docstring) needs done to a value on the way, each
idempotent so that a start stopped half-way is finished by the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import redis.asyncio as aioredis

from appointments.keys import booking_pattern
from common.keyspace import HOME
from common.redistime import redis_ms
from mail import outbox as mail_outbox
from marketplace import keys as market_keys
from sessions.holds import Hold
from sessions.keys import HOME_DEADLINES, intent_deadlines, session_pattern
from sessions.states import HOLDS_EXPERT
from signaling.presence import ONLINE_INDEX, want_key

_WANTS = HOME + "presence:want"
_EXPERTS = HOME + "expert:"
_RATING_FIELDS = ("rating_sum", "reviews")


async def copy_then_delete(redis: aioredis.Redis, key: str, target: str) -> int:
    dumped = await redis.dump(key)
    if dumped is None:
        return 0  # gone meanwhile
    ttl = int(await redis.pttl(key))
    try:
        await redis.restore(target, max(ttl, 0), dumped)
    except aioredis.ResponseError as exc:
        if "BUSYKEY" not in str(exc):
            raise
        # Copied before a stop, or by another process starting now: the copy stands.
    await redis.delete(key)
    return 1


async def spread_deadlines(redis: aioredis.Redis, home: str = HOME_DEADLINES,
                           where: Callable[[str], str] = intent_deadlines) -> int:
    """Layout 7: each session's deadline to its bucket's deadlines (layout 11: each
    booking's, ``home`` and ``where`` the bookings')."""
    moved = 0
    scored = cast(list[tuple[str, float]], await redis.zrange(home, 0, -1, withscores=True))
    for member, due in scored:
        if (target := where(member)) != home:
            await redis.zadd(target, {member: due}, nx=True)
            await redis.zrem(home, member)
            moved += 1
    return moved


_STOPPED_SOCKETS = (HOME + "sockets:*", HOME + "watchers:*", HOME + "proc:*:accounts",
                    HOME + "presence:socks:*", HOME + "proc:*:experts")


async def forget_stopped_sockets(redis: aioredis.Redis) -> int:
    """Layouts 8 and 10: where the sockets of the earlier version's processes were."""
    forgotten = 0
    for pattern in _STOPPED_SOCKETS:
        async for key in redis.scan_iter(match=pattern, count=1000):
            forgotten += int(await redis.delete(key))
    return forgotten


LEGACY = "legacy"  # the nonce of a hold taken before layout 4


async def record_holds(redis: aioredis.Redis) -> int:
    """Layout 4: how many holds of calls and bookings in progress were recorded."""
    recorded = 0
    for pattern, holding, payer_field in ((session_pattern(), HOLDS_EXPERT, "payer_id"),
                                          (booking_pattern(), {"booked"}, "client_id")):
        async for key in redis.scan_iter(match=pattern, _type="hash", count=1000):
            if not key.endswith("}"):
                continue  # a hash beside one (a session's sockets)
            owner, state, payer, cents, nonce = await redis.hmget(
                key, "id", "state", payer_field, "hold_cents", "hold_nonce")
            if state not in holding or not payer or int(str(cents or 0)) <= 0 or nonce:
                continue
            hold = Hold(str(owner), str(payer), LEGACY)
            await redis.hsetnx(hold.keys()["holds"], hold.ref, int(str(cents)))
            await redis.hset(key, "hold_nonce", LEGACY)
            recorded += 1
    return recorded


async def fold_mail_records(redis: aioredis.Redis) -> int:
    """Layout 10: a key per queued or sent message into its sorted set."""
    folded = 0
    now = await redis_ms(redis)
    for record, kept_ms in ((mail_outbox.QUEUED_KEY, mail_outbox.DEDUP_MS),
                            (mail_outbox.SENT_KEY, mail_outbox.SENT_MS)):
        async for key in redis.scan_iter(match=record + ":*", count=1000):
            left = int(await redis.pttl(key))
            if left < 0:
                left = kept_ms  # kept for good by an earlier hand: as if written now
            await redis.zadd(record, {key[len(record) + 1:]: now - (kept_ms - left)}, nx=True)
            folded += int(await redis.delete(key))
    return folded


async def spread_wants(redis: aioredis.Redis) -> int:
    """Layout 10: each expert's wish to be online or not to their own slot."""
    spread = 0
    wants = cast(dict[str, str], await redis.hgetall(_WANTS))
    for expert_id, want in wants.items():
        if want == "online":
            await redis.sadd(ONLINE_INDEX, expert_id)
        await redis.set(want_key(expert_id), want, nx=True)
        spread += int(await redis.hdel(_WANTS, expert_id))
    return spread


async def move_profiles(redis: aioredis.Redis) -> int:
    """Layout 10: each expert's profile and photo to their slot, ratings home. The set of
    categories they asked for goes: since layout 12 nothing reads it but the profile."""
    moved = 0
    async for key in redis.scan_iter(match=_EXPERTS + "*", count=1000):
        expert_id, _, rest = key[len(_EXPERTS):].partition(":")
        if rest == "photo":
            moved += await copy_then_delete(redis, key, market_keys.photo(expert_id))
        elif rest == "wants":
            moved += int(await redis.delete(key))
        elif not rest:
            total, count = await redis.hmget(key, *_RATING_FIELDS)
            if count is not None:
                await redis.hset(market_keys.RATINGS, mapping={
                    f"{expert_id}:sum": str(total or 0), f"{expert_id}:n": str(count)})
            target = market_keys.expert(expert_id)
            moved += await copy_then_delete(redis, key, target)
            await redis.hdel(target, *_RATING_FIELDS)
    return moved


async def fold_verifications(redis: aioredis.Redis) -> int:
    """Layout 12: the categories an admin verified each expert in, from a set in the home
    slot to their hash's ``verified`` (the indexes already follow them: no version more).
    After ``move_profiles``, which would not copy a profile onto a hash already there."""
    folded = 0
    async for key in redis.scan_iter(match=_EXPERTS + "*:verified", count=1000):
        expert_id = key[len(_EXPERTS):-len(":verified")]
        verified = sorted(str(slug) for slug in await redis.smembers(key))
        if verified:
            await redis.hset(market_keys.expert(expert_id), "verified", ",".join(verified))
        folded += int(await redis.delete(key))
    return folded
