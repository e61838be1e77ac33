"""Reads of sessions that no script needs: one session, listings, receipts, chat, queues.

Each is one round trip (a pipeline) or two; the scripts of ``sessions/store.py`` are the
only writers of these keys.
"""

from __future__ import annotations

import json

import redis.asyncio as aioredis

from common.deadlines import due_in
from common.redistime import ms_of
from common.redisvalues import text_map, text_or_none
from sessions.keys import (
    EVERY_DEADLINES,
    LAST_RUNG,
    brand_sessions_key,
    chat_key,
    index_key,
    rung_key,
    session_key,
    timeline_key,
)
from sessions.model import SessionView
from sessions.wallet import wallet_key


class SessionQueries:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def get(self, session_id: str) -> tuple[SessionView, int] | None:
        """The session and the Redis time it was read at, or None."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(session_key(session_id))
            pipe.execute_command("TIME")  # not .time(): redis-py refuses it in a cluster pipeline
            fields, now = await pipe.execute()
        if not fields:
            return None
        return SessionView.from_hash(text_map(fields)), ms_of(now)

    async def list_for(self, account_id: str, limit: int = 50) -> tuple[list[SessionView], int]:
        """The account's sessions, newest first: those it is a party to, or was rung for."""
        views, now = await self._list(index_key(account_id), limit)
        others = [v.id for v in views if account_id not in (v.client_id, v.expert_id)]
        if others:
            # Listed before a script that refused, or for another expert's call: shown only
            # to an expert the call rang (sessions/listing.py).
            async with self._redis.pipeline(transaction=False) as pipe:
                for session_id in others:
                    pipe.sismember(rung_key(session_id), account_id)
                rang = dict(zip(others, await pipe.execute(), strict=True))
            views = [v for v in views if rang.get(v.id, True)]
        return views, now

    async def list_for_brand(
        self, brand_id: str, limit: int = 50
    ) -> tuple[list[SessionView], int]:
        return await self._list(brand_sessions_key(brand_id), limit)

    async def _list(self, index: str, limit: int) -> tuple[list[SessionView], int]:
        """The sessions of an index that still exist (sessions/listing.py)."""
        ids = await self._redis.zrevrange(index, 0, limit - 1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for session_id in ids:
                pipe.hgetall(session_key(str(session_id)))
            pipe.execute_command("TIME")  # as in get()
            *rows, now = await pipe.execute()
        views = [SessionView.from_hash(text_map(row)) for row in rows if row]
        return views, ms_of(now)

    async def receipt_facts(self, session_id: str) -> tuple[dict[str, str], list[str]]:
        """The session hash (empty when none) and its timeline, for a receipt."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(session_key(session_id))
            pipe.lrange(timeline_key(session_id), 0, -1)
            fields, timeline = await pipe.execute()
        return text_map(fields), [str(text_or_none(entry)) for entry in timeline]

    async def chat_history(self, session_id: str) -> list[dict[str, str]]:
        raw = await self._redis.lrange(chat_key(session_id), 0, -1)
        return [json.loads(str(text_or_none(m))) for m in raw]

    async def due_deadlines(self, limit: int = 200) -> list[str]:
        """What is due in every bucket's deadlines, at most ``limit`` of each: one round
        trip (on a Cluster, one per primary at once)."""
        return await due_in(self._redis, EVERY_DEADLINES, limit)

    # -- routing (the category queues themselves: sessions/queueing.py) ---------------

    async def routing_facts(
        self, session_id: str, expert_ids: list[str]
    ) -> tuple[set[str], dict[str, int], dict[str, str]]:
        """Experts already rung for a session, when each expert was last rung, and the
        session's state ('' when there is none), client, max rate and the availability of
        the payer's wallet."""
        key = session_key(session_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.smembers(rung_key(session_id))
            pipe.zmscore(LAST_RUNG, expert_ids or ["-"])
            pipe.hmget(key, "client_id", "max_rate_cents", "created_at", "payer_id", "state")
            rung, scores, (client, max_rate, created, payer, state) = await pipe.execute()
        wallet = text_map(await self._redis.hgetall(wallet_key(str(payer or client))))
        available = int(wallet.get("balance", 0)) - int(wallet.get("held", 0))
        last = {e: int(s or 0) for e, s in zip(expert_ids, scores or [], strict=False)}
        facts = {"state": str(state or ""),
                 "client_id": str(client), "max_rate_cents": str(max_rate or ""),
                 "available_cents": str(available), "created_at": str(created or 0)}
        return {str(text_or_none(r)) for r in rung}, last, facts
