"""Where sockets are, in Redis: the processes holding each account's and session's sockets.

- A session's sockets are already recorded by the session scripts, in
  ``hc:{s:<id>}:socks`` (socket id -> ``c|<proc>`` or ``e|<proc>``): the relay rooms
  ``s:<id>:client`` and ``s:<id>:expert`` are read from there.
- An account's sockets (room ``a:<account>``, every tab) are counted per process in
  ``hc:sockets:<account>`` (process -> number of sockets), with ``hc:proc:<proc>:accounts``
  listing the accounts a process holds, so that its entries go when it dies.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from common.lua import Lua
from common.redisvalues import text_or_none
from sessions.keys import session_key, sockets_key
from signaling.frames import Kind, room_kind, session_of, session_rooms

SOCKETS_PREFIX = "hc:{0}:sockets:"
WATCHERS_PREFIX = "hc:{0}:watchers:"
# A process that reads where an account's sockets are is a watcher of that account for this
# long (refreshed at each read); it trusts what it read for a quarter of it
# (signaling/locations.py), so it is always told before its copy could go stale.
WATCH_SECONDS = 60.0


def _account_key(account_id: str) -> str:
    return SOCKETS_PREFIX + account_id


def _watchers_key(account_id: str) -> str:
    return WATCHERS_PREFIX + account_id


def _proc_key(proc: str) -> str:
    return f"hc:{{0}}:proc:{proc}:accounts"


def account_of(room: str) -> str:
    return room[2:]


class SocketDirectory:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._enter = Lua(redis, "signaling/lua/enter.lua")
        self._leave = Lua(redis, "signaling/lua/leave.lua")

    @staticmethod
    def _keys(account_id: str, proc: str) -> dict[str, str]:
        return {"sockets": _account_key(account_id), "proc_accounts": _proc_key(proc)}

    async def account_entered(self, account_id: str, proc: str) -> list[str] | None:
        """Counts a socket in. When it is the account's first on ``proc``, answers the
        processes that may hold a copy of where the account's sockets were (its watchers,
        ``proc`` aside), which must forget it; else None."""
        answer = await self._enter(keys={**self._keys(account_id, proc),
                                         "watchers": _watchers_key(account_id)},
                                   args={"proc": proc, "account": account_id})
        if int(answer[0]) != 1:
            return None
        return [str(text_or_none(w)) for w in answer[1:] if text_or_none(w) != proc]

    async def account_left(self, account_id: str, proc: str) -> None:
        await self._leave(keys=self._keys(account_id, proc),
                          args={"proc": proc, "account": account_id})

    async def bury(self, proc: str) -> int:
        """Forget a dead process's sockets; idempotent, so a survivor may finish it."""
        accounts = [str(text_or_none(a)) for a in await self._redis.smembers(_proc_key(proc))]
        async with self._redis.pipeline(transaction=False) as pipe:
            for account_id in accounts:
                pipe.hdel(_account_key(account_id), proc)
            pipe.delete(_proc_key(proc))
            await pipe.execute()
        return len(accounts)

    async def session_entered(self, room: str) -> tuple[dict[str, frozenset[str]], bool]:
        """Where a session's two rooms are, just after a socket entered ``room``; and
        whether that socket was the first of its side ever in the session (the count the
        session scripts keep: ``add_socket`` in sessions/lua/prelude.lua)."""
        session_id = session_of(room)
        side = "c" if room == session_rooms(session_id)[0] else "e"
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(sockets_key(session_id))
            pipe.hget(session_key(session_id), f"entries_{side}")
            socks, entries = await pipe.execute()
        return parse_read(room, socks), text_or_none(entries) == "1"


def queue_read(pipe: Pipeline, room: str, proc: str) -> int:
    """Queues the read that locates ``room`` for ``proc``; answers how many commands it
    queued (its last reply is the one to parse), 0 for a room Redis does not locate.

    An account room's reader registers as its watcher first: an account arriving on a
    process after the registration tells it; one arriving before is in what it reads."""
    match room_kind(room):
        case Kind.ACCOUNT:
            watchers = _watchers_key(account_of(room))
            pipe.sadd(watchers, proc)
            pipe.pexpire(watchers, int(WATCH_SECONDS * 1000))
            pipe.hkeys(_account_key(account_of(room)))
            return 3
        case Kind.SESSION:
            pipe.hgetall(sockets_key(session_of(room)))
            return 1
    return 0


def parse_read(room: str, reply: Any) -> dict[str, frozenset[str]]:
    """The processes of ``room`` (and, for a session, of its other room too)."""
    if room_kind(room) == Kind.ACCOUNT:
        return {room: frozenset(str(text_or_none(p)) for p in reply)}
    by_role: dict[str, set[str]] = {"c": set(), "e": set()}
    for value in dict(reply).values():
        role, _, proc = str(text_or_none(value)).partition("|")
        by_role.setdefault(role, set()).add(proc)
    client, expert = session_rooms(session_of(room))
    return {client: frozenset(by_role["c"]), expert: frozenset(by_role["e"])}
