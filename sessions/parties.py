"""Who a session concerns (client, expert, payer, brand, category), kept per process.

The session scripts' keys are named from them, so they are read before every script.
They never change after creation, except the expert of a category call, which the
scripts detect (they answer ``stale``, and the caller reads them again). Keeping them saves
a round trip before every script (5 per call lifecycle, measured in bench/).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from sessions.errors import NoSuchSession
from sessions.keys import session_key

KNOWN_PARTIES = 10_000  # sessions whose parties a process keeps in memory


@dataclass(frozen=True)
class Parties:
    """Who a session concerns: read before a script to name its keys."""

    client_id: str
    expert_id: str
    category: str
    payer_id: str = ""
    brand_id: str = ""

    @property
    def payer(self) -> str:
        return self.payer_id or self.client_id


class KnownParties:
    """The parties of the sessions this process touched last, least recently learnt out first."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._known: dict[str, Parties] = {}

    async def of(self, session_id: str, fresh: bool = False) -> Parties:
        """Who a session concerns (read again when ``fresh``); ``not_found`` when none."""
        known = self._known.get(session_id)
        if known is not None and not fresh:
            return known
        client, expert, category, payer, brand = await self._redis.hmget(
            session_key(session_id), "client_id", "expert_id", "category", "payer_id", "brand_id"
        )
        if client is None:
            raise NoSuchSession()
        parties = Parties(str(client), str(expert or ""), str(category or ""), str(payer or ""),
                          str(brand or ""))
        self.remember(session_id, parties)
        return parties

    def remember(self, session_id: str, parties: Parties) -> None:
        self._known.pop(session_id, None)
        self._known[session_id] = parties
        if len(self._known) > KNOWN_PARTIES:
            del self._known[next(iter(self._known))]  # the least recently learnt
