"""Expert presence, shared by every process through Redis.

An expert is ``offline`` until they ask to be online and while no socket of theirs is
connected (on any process); ``busy`` while a session holds them (the sessions' busy
key); ``online`` otherwise. Keys: ``hc:presence:want`` (expert -> online/offline),
``hc:presence:socks:<expert>`` (their socket ids), ``hc:proc:<proc>:experts``
(``expert|sid`` held by a process, cleared when it dies).
"""

from __future__ import annotations

from enum import StrEnum

import redis.asyncio as aioredis

from common.lua import Lua
from common.redisvalues import text_or_none
from sessions.keys import busy_key

WANT = "hc:{0}:presence:want"
# An expert is set away after unanswered rings from this many different clients in a row
# (docs/security.md, 6): one client ringing and leaving it ring out is not enough.
AWAY_AFTER_CLIENTS = 2
UNANSWERED_TTL_MS = 3600 * 1000



class Status(StrEnum):
    ONLINE = "online"
    BUSY = "busy"
    OFFLINE = "offline"


def _socks_key(expert_id: str) -> str:
    return f"hc:{{0}}:presence:socks:{expert_id}"


def _proc_key(proc: str) -> str:
    return f"hc:{{0}}:proc:{proc}:experts"


def _unanswered_key(expert_id: str) -> str:
    return f"hc:{{0}}:presence:unanswered:{expert_id}"


class PresenceStore:
    def __init__(self, redis: aioredis.Redis, proc: str) -> None:
        self._redis = redis
        self.proc = proc
        self._gone = Lua(redis, "signaling/lua/presence_gone.lua")
        self._unanswered = Lua(redis, "signaling/lua/unanswered.lua")

    async def socket_connected(self, expert_id: str, sid: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(_socks_key(expert_id), sid)
            pipe.sadd(_proc_key(self.proc), f"{expert_id}|{sid}")
            await pipe.execute()

    async def socket_gone(self, expert_id: str, sid: str, proc: str | None = None) -> int:
        """Forget a socket; answers how many the expert still has."""
        left = await self._gone(
            keys={"socks": _socks_key(expert_id), "proc_experts": _proc_key(proc or self.proc),
                  "want": WANT},
            args={"sid": sid, "member": f"{expert_id}|{sid}", "expert": expert_id})
        return int(left)

    async def set_wanted(self, expert_id: str, status: Status) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(WANT, expert_id, status.value)
            if status == Status.ONLINE:
                pipe.delete(_unanswered_key(expert_id))  # back: a fresh start
            await pipe.execute()

    async def unanswered(self, expert_id: str, client_id: str) -> bool:
        """Record a ring of ``client_id`` left unanswered; True: the expert is away now."""
        away = await self._unanswered(
            keys={"clients": _unanswered_key(expert_id)},
            args={"client": client_id, "away_after": AWAY_AFTER_CLIENTS,
                  "ttl_ms": UNANSWERED_TTL_MS})
        return bool(away)

    async def answered(self, expert_id: str) -> None:
        await self._redis.delete(_unanswered_key(expert_id))

    async def statuses(self, expert_ids: list[str]) -> dict[str, Status]:
        if not expert_ids:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hmget(WANT, expert_ids)
            # One GET each: every busy flag is in its expert's own slot.
            for expert_id in expert_ids:
                pipe.get(busy_key(expert_id))
            for expert_id in expert_ids:
                pipe.scard(_socks_key(expert_id))
            answers = await pipe.execute()
        wants, n = answers[0], len(expert_ids)
        busies, counts = answers[1:1 + n], answers[1 + n:]
        result = {}
        for expert_id, want, busy, count in zip(expert_ids, wants, busies, counts, strict=True):
            if busy is not None:
                result[expert_id] = Status.BUSY
            elif text_or_none(want) == "online" and count > 0:
                result[expert_id] = Status.ONLINE
            else:
                result[expert_id] = Status.OFFLINE
        return result

    async def status(self, expert_id: str) -> Status:
        return (await self.statuses([expert_id]))[expert_id]

    async def bury_process(self, proc: str) -> list[str]:
        """Drop a dead process's expert sockets; answers the experts it concerned."""
        members = [str(text_or_none(m)) for m in await self._redis.smembers(_proc_key(proc))]
        experts = []
        for member in members:
            expert_id, _, sid = member.partition("|")
            await self.socket_gone(expert_id, sid, proc)
            experts.append(expert_id)
        await self._redis.delete(_proc_key(proc))
        return experts

    async def counts(self) -> dict[Status, int]:
        """Experts who asked to be online, by what callers see now (read at scrape time)."""
        wanted = [str(text_or_none(e)) for e, want in (await self._redis.hgetall(WANT)).items()
                  if text_or_none(want) == Status.ONLINE.value]
        counts = dict.fromkeys(Status, 0)
        for status in (await self.statuses(wanted)).values():
            counts[status] += 1
        return counts
