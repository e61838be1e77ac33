"""Where sockets are, in Redis: the processes holding each account's and session's sockets.

- A session's sockets are already recorded by the session scripts, in
  ``hc:{s:<id>}:socks`` (socket id -> ``c|<proc>`` or ``e|<proc>``): the relay rooms
  ``s:<id>:client`` and ``s:<id>:expert`` are read from there.
- An account's sockets (room ``a:<account>``, every tab) are counted per process in
  ``hc:{a:<account>}:sockets`` (process -> number of sockets), beside the processes that
  read it lately, ``:watchers``; each process's ``hc:{p:<proc>}:accounts`` lists
  ``<account>|<socket id>`` for every account socket it holds, so that its counts go when
  it dies. The two are in different slots: a socket is listed for its process before it
  is counted, and unlisted after (``account_entered``, ``account_left``), so that a
  process never holds a count its list does not name; an entry left behind by a stop in
  between only has burying the process delete a count that is gone already.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from common.keyspace import account_prefix, process_prefix
from common.lua import Lua, Step, in_order
from common.redisvalues import text_or_none
from sessions.keys import session_key, sockets_key
from signaling.frames import Kind, room_kind, session_of, session_rooms

# A process that reads where an account's sockets are is a watcher of that account for this
# long (refreshed at each read); it trusts what it read for a quarter of it
# (signaling/locations.py), so it is always told before its copy could go stale.
WATCH_SECONDS = 60.0


def _account_key(account_id: str) -> str:
    return account_prefix(account_id) + "sockets"


def watchers_key(account_id: str) -> str:
    return account_prefix(account_id) + "watchers"


def _proc_key(proc: str) -> str:
    return process_prefix(proc) + "accounts"


def account_of(room: str) -> str:
    return room[2:]


class SocketDirectory:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._enter = Lua(redis, "signaling/lua/enter.lua")
        self._leave = Lua(redis, "signaling/lua/leave.lua")

    async def account_entered(self, account_id: str, proc: str,
                              sid: str) -> list[str] | None:
        """Lists the socket ``sid`` for ``proc``, then counts it in (one pipeline on one
        Redis). When it is the account's first on ``proc``, answers the processes that may
        hold a copy of where the account's sockets were (its watchers, ``proc`` aside),
        which must forget it; else None."""
        listed = Step(("SADD", _proc_key(proc), f"{account_id}|{sid}"))
        _, answer = await in_order(self._redis, self._enter.step(
            keys={"sockets": _account_key(account_id), "watchers": watchers_key(account_id)},
            args={"proc": proc}), first=[listed])
        if int(answer[0]) != 1:
            return None
        return [str(text_or_none(w)) for w in answer[1:] if text_or_none(w) != proc]

    async def account_left(self, account_id: str, proc: str, sid: str) -> None:
        """Counts the socket out, then unlists it (in order)."""
        await in_order(
            self._redis,
            self._leave.step(keys={"sockets": _account_key(account_id)}, args={"proc": proc}),
            Step(("SREM", _proc_key(proc), f"{account_id}|{sid}")))

    async def bury(self, proc: str) -> int:
        """Forget a dead process's sockets; idempotent, so a survivor may finish it. Answers
        how many accounts it held."""
        listed = await self._redis.smembers(_proc_key(proc))
        accounts = {str(text_or_none(m)).partition("|")[0] for m in listed}
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
            watchers = watchers_key(account_of(room))
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
