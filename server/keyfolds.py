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
from common.redisvalues import text_or_none
from mail import outbox as mail_outbox
from marketplace import keys as market_keys
from sessions.holds import Hold
from sessions.keys import HOME_DEADLINES, intent_deadlines, session_pattern
from sessions.states import HOLDS_EXPERT
from signaling.presence import ONLINE_INDEX, want_key

_WANTS = HOME + "presence:want"
_EXPERTS = HOME + "expert:"
_RATINGS = HOME + "experts:ratings"


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
    """Layout 10: each expert's profile and photo to their slot (their rating with it, as
    since layout 12). The set of categories they asked for goes: nothing reads it now but
    the profile."""
    moved = 0
    async for key in redis.scan_iter(match=_EXPERTS + "*", count=1000):
        expert_id, _, rest = key[len(_EXPERTS):].partition(":")
        if rest == "photo":
            moved += await copy_then_delete(redis, key, market_keys.photo(expert_id))
        elif rest == "wants":
            moved += int(await redis.delete(key))
        elif not rest:
            moved += await copy_then_delete(redis, key, market_keys.expert(expert_id))
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


async def fold_ratings(redis: aioredis.Redis) -> int:
    """Layout 12: each expert's rating, from ``hc:{0}:experts:ratings`` to their hash,
    counted anew from their reviews, each recorded as counted at version 1 (the version a
    review has until it is first hidden or shown again, marketplace/ratings.py). Answers
    how many reviews were recorded."""
    folded = 0
    experts: set[str] = set()
    prefix = market_keys.review("")
    async for key in redis.scan_iter(match=prefix + "*", count=1000):
        review_id = key[len(prefix):]
        if review_id.startswith("session:"):
            continue  # a session's marker
        expert_id, rating, hidden = (text_or_none(value) for value in await redis.hmget(
            key, "expert_id", "rating", "hidden"))
        if expert_id is not None and rating is not None:
            counted = "1|0" if hidden == "1" else f"1|{rating}"
            folded += int(await redis.hsetnx(market_keys.counted(expert_id), review_id,
                                             counted))
            experts.add(expert_id)
    for expert_id in experts:
        ratings = [int(str(value).partition("|")[2])
                   for value in await redis.hvals(market_keys.counted(expert_id))]
        if await redis.exists(market_keys.expert(expert_id)):  # not erased
            await redis.hset(market_keys.expert(expert_id), mapping={
                "rating_sum": sum(ratings), "reviews": sum(1 for r in ratings if r)})
    await redis.delete(_RATINGS)
    return folded
