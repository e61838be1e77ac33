"""Expert presence, shared by every process through Redis.

An expert is ``offline`` until they ask to be online and while no socket of theirs is
connected (on any process); ``busy`` while a session holds them (the sessions' busy
key); ``online`` otherwise.

Keys, each expert's in their own slot beside their busy flag (docs/cluster.md), so that
ringing an expert reads no key every call shares: ``hc:{a:<expert>}:presence:want``
(``online`` or ``offline``), ``hc:{a:<expert>}:presence:socks`` (their socket ids),
``hc:{a:<expert>}:presence:unanswered`` (clients whose rings went unanswered in a row).
``hc:{p:<proc>}:experts`` (``expert|sid`` held by a process, cleared when it dies) is the
process's. ``hc:{0}:presence:online`` lists the experts who asked to be online, for the
metrics' counts only: added before the want, so it never misses one; a member who went
offline since is read and left out.
"""

from __future__ import annotations

from enum import StrEnum

import redis.asyncio as aioredis

from common.keyspace import account_prefix, process_prefix
from common.lua import Lua, Step, in_order
from common.redisvalues import text_or_none
from sessions.keys import busy_key

ONLINE_INDEX = "hc:{0}:presence:online"
# An expert is set away after unanswered rings from this many different clients in a row
# (docs/security.md, 6): one client ringing and leaving it ring out is not enough.
AWAY_AFTER_CLIENTS = 2
UNANSWERED_TTL_MS = 3600 * 1000


class Status(StrEnum):
    ONLINE = "online"
    BUSY = "busy"
    OFFLINE = "offline"


def want_key(expert_id: str) -> str:
    return account_prefix(expert_id) + "presence:want"


def socks_key(expert_id: str) -> str:
    return account_prefix(expert_id) + "presence:socks"


def unanswered_key(expert_id: str) -> str:
    return account_prefix(expert_id) + "presence:unanswered"


def proc_key(proc: str) -> str:
    return process_prefix(proc) + "experts"


class PresenceStore:
    def __init__(self, redis: aioredis.Redis, proc: str) -> None:
        self._redis = redis
        self.proc = proc
        self._gone = Lua(redis, "signaling/lua/presence_gone.lua")
        self._unanswered = Lua(redis, "signaling/lua/unanswered.lua")

    async def socket_connected(self, expert_id: str, sid: str) -> None:
        """Lists the socket for this process (which a survivor reads if it dies), then
        counts it in, in that order."""
        await in_order(self._redis, Step(("SADD", socks_key(expert_id), sid)),
                       first=[Step(("SADD", proc_key(self.proc), f"{expert_id}|{sid}"))])

    async def socket_gone(self, expert_id: str, sid: str, proc: str | None = None) -> int:
        """Forget a socket: counted out (the expert goes offline with their last), then
        unlisted; answers how many the expert still has."""
        left, _ = await in_order(
            self._redis,
            self._gone.step(keys={"socks": socks_key(expert_id), "want": want_key(expert_id)},
                            args={"sid": sid}),
            Step(("SREM", proc_key(proc or self.proc), f"{expert_id}|{sid}")))
        if int(left) == 0:
            await self._redis.srem(ONLINE_INDEX, expert_id)
        return int(left)

    async def set_wanted(self, expert_id: str, status: Status) -> None:
        if status == Status.ONLINE:
            await in_order(self._redis, Step(("SET", want_key(expert_id), status.value)),
                           Step(("DEL", unanswered_key(expert_id))),  # back: a fresh start
                           first=[Step(("SADD", ONLINE_INDEX, expert_id))])
        else:
            await in_order(self._redis, Step(("SET", want_key(expert_id), status.value)),
                           Step(("SREM", ONLINE_INDEX, expert_id)))

    async def unanswered(self, expert_id: str, client_id: str) -> bool:
        """Record a ring of ``client_id`` left unanswered; True: the expert is away now."""
        away = await self._unanswered(
            keys={"clients": unanswered_key(expert_id)},
            args={"client": client_id, "away_after": AWAY_AFTER_CLIENTS,
                  "ttl_ms": UNANSWERED_TTL_MS})
        return bool(away)

    async def answered(self, expert_id: str) -> None:
        await self._redis.delete(unanswered_key(expert_id))

    async def statuses(self, expert_ids: list[str]) -> dict[str, Status]:
        return {expert_id: status for expert_id, (_, status) in
                (await self._read(expert_ids)).items()}

    async def _read(self, expert_ids: list[str]) -> dict[str, tuple[bool, Status]]:
        """Whether each expert asked to be online, and what callers see of them."""
        if not expert_ids:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            # Three reads each, all in the expert's own slot.
            for expert_id in expert_ids:
                pipe.get(want_key(expert_id))
                pipe.get(busy_key(expert_id))
                pipe.scard(socks_key(expert_id))
            answers = await pipe.execute()
        result = {}
        for n, expert_id in enumerate(expert_ids):
            want, busy, count = answers[3 * n:3 * n + 3]
            wanted = text_or_none(want) == Status.ONLINE.value
            if busy is not None:
                result[expert_id] = wanted, Status.BUSY
            elif wanted and count > 0:
                result[expert_id] = wanted, Status.ONLINE
            else:
                result[expert_id] = wanted, Status.OFFLINE
        return result

    async def status(self, expert_id: str) -> Status:
        return (await self.statuses([expert_id]))[expert_id]

    async def bury_process(self, proc: str) -> list[str]:
        """Drop a dead process's expert sockets; answers the experts it concerned."""
        members = [str(text_or_none(m)) for m in await self._redis.smembers(proc_key(proc))]
        experts = []
        for member in members:
            expert_id, _, sid = member.partition("|")
            await self.socket_gone(expert_id, sid, proc)
            experts.append(expert_id)
        await self._redis.delete(proc_key(proc))
        return experts

    async def counts(self) -> dict[Status, int]:
        """Experts who asked to be online, by what callers see now (read at scrape time)."""
        listed = [str(text_or_none(e)) for e in await self._redis.smembers(ONLINE_INDEX)]
        counts = dict.fromkeys(Status, 0)
        for wanted, status in (await self._read(listed)).values():
            if wanted:
                counts[status] += 1
        return counts
