"""Where a session is listed: its parties' and its brand's indexes, and its process's sockets.

These keys belong to others (an account, a brand, a web process: ``sessions/keys.py``), so
no session script writes them (docs/cluster.md, "The session's neighbours"). Each entry is
written as a step *before* the script that creates the session, rings an expert for it or
adds a socket to it: on a single Redis in the same pipeline as the script (no round trip
more), on a Cluster in one pipeline just before it. So an index never misses a session,
and a process's index never misses a socket it holds.

An entry may outlive what it names: a script that refused, or a process that stopped
before its script ran. Readers skip an index entry without its session, and an account's
entry for a session it takes no part in (``sessions/queries.py``); the retention job drops
them. A socket that leaves its session is taken out of its process's index at the reaper's
next tick, many in one command (``drop_left``); until then, or for good if the process
stops first, the entry names a socket the session no longer has, and detaching it again
when the process is buried changes nothing.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from common.lua import Lua, Step
from sessions.keys import brand_sessions_key, index_key, proc_sockets_key


class Listing:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._listed = Lua(redis, "sessions/lua/listed.lua")
        self._left: dict[str, set[str]] = {}

    def listed(self, session_id: str, *accounts: str, brand_id: str = "") -> list[Step]:
        """Steps that list the session for ``accounts`` (and the brand, if any)."""
        indexes = [index_key(account) for account in dict.fromkeys(accounts) if account]
        if brand_id:
            indexes.append(brand_sessions_key(brand_id))
        return [self.entry(index, session_id) for index in indexes]

    def entry(self, index: str, session_id: str) -> Step:
        """The step that puts the session in the sorted set ``index`` at Redis time, once."""
        return self._listed.step(keys={"index": index}, args={"id": session_id})

    @staticmethod
    def socket(proc: str, session_id: str, sid: str) -> Step:
        """The step that records the socket ``sid`` of ``proc`` as one of the session's."""
        return Step(("SADD", proc_sockets_key(proc), f"{session_id}|{sid}"))

    def left(self, proc: str, session_id: str, sid: str) -> None:
        """The socket left the session (or never joined it): out of the index at the next
        ``drop_left``."""
        self._left.setdefault(proc, set()).add(f"{session_id}|{sid}")

    async def drop_left(self) -> None:
        """The sockets that left since the last tick, out of their processes' indexes."""
        if not self._left:
            return
        left, self._left = self._left, {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for proc, members in left.items():
                pipe.srem(proc_sockets_key(proc), *members)
            await pipe.execute()
