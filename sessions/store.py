"""The only code that touches session keys: each operation is one atomic Lua script.

Keys: ``hc:{s:<id>}`` (the session hash), ``hc:{s:<id>}:socks`` (socket id ->
``role|process``), ``hc:{s:<id>}:chat``, ``hc:{s:<id>}:timeline`` (what happened, for
the receipt) and ``hc:{s:<id>}:file:<id>`` (a shared file's record, see
``sessions/filestore.py``) share a hash tag; ``hc:deadlines`` (zset of ``kind|session`` by
due ms), ``hc:busy:<expert>`` (the session holding the expert), ``hc:sessions:<account>``
(index by creation), the payer's wallet and ledger (the client's, or the sponsoring
brand's: ``payer_id`` in the session hash),
``hc:brand:<id>:sessions`` (a brand's sessions by creation), and the billing stream.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from common.lua import ArgValue, KeyValue, Lua
from common.redistime import ms_of
from common.redisvalues import pairs, text_map, text_or_none
from sessions.errors import (
    AccountQuotaFull,
    ExpertUnavailable,
    NoSuchSession,
    NotAParticipant,
    NotEnoughFunds,
    PriceChanged,
    TooManyFiles,
    WrongState,
)
from sessions.files import (
    MAX_BYTES_PER_SESSION,
    MAX_FILES_PER_SESSION,
    FileLimits,
    SharedFile,
    file_url,
)
from sessions.model import SessionView
from sessions.pricing import Pricing, PricingMode
from sessions.states import State, lua_table
from sessions.wallet import ledger_key, wallet_key

DEADLINES = "hc:{0}:deadlines"
CHAT_KEPT = 200  # messages kept per session: what a re-joining participant gets back
KNOWN_PARTIES = 10_000  # sessions whose parties a process keeps in memory


@dataclass(frozen=True)
class Timing:
    """The session rules from configuration, in the units the scripts use."""

    ring_ms: int
    connect_ms: int
    grace_ms: int
    queue_ms: int
    guarantee_seconds: int
    increment_seconds: int
    fee_percent: int
    currency: str
    billing_stream: str
    low_balance_ms: int = 60_000
    start_cover_seconds: int = 60  # how much of a per-minute call must be covered to start

    def start_hold_cents(self, pricing: Pricing) -> int:
        if pricing.mode == PricingMode.PER_MINUTE:
            return -(-pricing.amount_cents * self.start_cover_seconds // 60)
        return pricing.start_hold_cents()


@dataclass(frozen=True)
class NewSession:
    client_id: str
    expert_id: str
    topic: str
    pricing: Pricing
    sid: str
    proc: str
    brand_id: str = ""
    category: str = ""
    # Who pays: the client (empty means the client) or a brand that sponsors the call.
    payer_id: str = ""
    # The platform fee for this session; None is the platform's configured fee.
    fee_percent: int | None = None
    # A booked call: its booking, and who is rung ("e"; "c" when the expert joined first).
    booking_id: str = ""
    rung: str = "e"
    # The expert's profile hash: the start script checks that ``pricing`` is still the
    # price there (protocol §7.2). Empty: no check (a booked call keeps its booking's price).
    profile_key: str = ""

    @property
    def payer(self) -> str:
        return self.payer_id or self.client_id

    def fee(self, timing: Timing) -> int:
        return timing.fee_percent if self.fee_percent is None else self.fee_percent


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


@dataclass(frozen=True)
class Outcome:
    """What a script did: its status, the session after it, and the Redis time."""

    status: str
    session: SessionView | None = None
    now_ms: int = 0
    previous: State | None = None
    low_seconds_left: int | None = None
    # The expert a requeued category call stopped ringing, and why (declined, no_answer).
    released_expert: str | None = None
    released_reason: str | None = None

    @property
    def state_changed(self) -> bool:
        return self.session is not None and self.session.state != self.previous


def session_key(session_id: str) -> str:
    return f"hc:{{0}}:{{s:{session_id}}}"


def sockets_key(session_id: str) -> str:
    """Socket id -> ``c|<proc>`` or ``e|<proc>``: where a session's sockets are."""
    return f"{session_key(session_id)}:socks"


def timeline_key(session_id: str) -> str:
    return f"{session_key(session_id)}:timeline"


def busy_key(expert_id: str) -> str:
    return f"hc:{{0}}:busy:{expert_id}"


def booking_session_key(booking_id: str) -> str:
    return f"hc:{{0}}:booking:{booking_id}:session"


def queue_key(category: str) -> str:
    return f"hc:{{0}}:queue:{category}"


QUEUES = "hc:{0}:queues"
LAST_RUNG = "hc:{0}:lastrung"


def proc_sockets_key(proc: str) -> str:
    return f"hc:{{0}}:proc:{proc}:socks"


def index_key(account_id: str) -> str:
    return f"hc:{{0}}:sessions:{account_id}"


def brand_sessions_key(brand_id: str) -> str:
    return f"hc:{{0}}:brand:{brand_id}:sessions"


def _paid_by(new: NewSession) -> str:
    return "client" if new.payer == new.client_id else "brand"


def _profile(profile_key: str) -> list[str]:
    """The ``...profile`` keys of start and route: the profile whose price is checked, if any."""
    return [profile_key] if profile_key else []


def _raise(reply: list[Any]) -> None:
    """Turn a script's ``{'err', code, ...}`` into the domain error."""
    match text_or_none(reply[1]):
        case "conflict":
            state = text_or_none(reply[2]) if len(reply) > 2 else None
            raise WrongState(f"the session is {state}" if state else "the session already exists")
        case "not_found":
            raise NoSuchSession()
        case "forbidden":
            raise NotAParticipant()
        case "unavailable":
            raise ExpertUnavailable("the expert is busy or offline")
        case "insufficient_funds":
            raise NotEnoughFunds("your wallet does not cover this call")
        case "price_changed":
            mode, amount = text_or_none(reply[2]), text_or_none(reply[3])
            raise PriceChanged(Pricing(PricingMode(str(mode)), int(str(amount))))
        case "too_large":
            raise TooManyFiles(str(text_or_none(reply[2])))
        case "quota":
            raise AccountQuotaFull(str(text_or_none(reply[2])))
        case code:
            raise RuntimeError(f"unexpected script error {code!r}")


def _outcome(reply: list[Any]) -> Outcome:
    status = str(text_or_none(reply[0]))
    if status == "err":
        _raise(reply)
    if len(reply) < 5:
        return Outcome(status)
    fields = pairs(reply[4])
    previous = text_or_none(reply[3])
    extra = text_or_none(reply[1])
    requeued = status == "requeued"
    released, _, reason = (extra or "").partition("|") if requeued else ("", "", "")
    return Outcome(
        status=status,
        session=SessionView.from_hash(fields),
        now_ms=int(reply[2]),
        previous=State(previous) if previous else None,
        low_seconds_left=int(extra) if extra and not requeued else None,
        released_expert=released or None,
        released_reason=reason or None,
    )


class SessionStore:
    def __init__(self, redis: aioredis.Redis, timing: Timing) -> None:
        self._redis = redis
        self.timing = timing
        self._known: dict[str, Parties] = {}
        self._scripts = {
            name: Lua(redis, f"sessions/lua/{name}.lua", prefix=lua_table())
            for name in ("start", "accept", "act", "attach", "detach", "media", "fire", "chat",
                         "share", "enqueue", "route", "abandon", "queue_position")
        }
        self._release = Lua(redis, "common/lua/release_lock.lua")
        self._due = Lua(redis, "common/lua/due.lua")

    def _keys(self, session_id: str, parties: Parties, proc: str) -> dict[str, KeyValue]:
        """The keys every session script shares (``sessions/lua/prelude.lua``)."""
        key = session_key(session_id)
        expert = parties.expert_id or "-"
        return {
            "session": key, "socks": sockets_key(session_id), "deadlines": DEADLINES,
            "busy": busy_key(expert), "wallet": wallet_key(parties.payer),
            "ledger": ledger_key(parties.payer), "billing": self.timing.billing_stream,
            "client_index": index_key(parties.client_id), "expert_index": index_key(expert),
            "proc_socks": proc_sockets_key(proc), "chat": key + ":chat",
            "queue": queue_key(parties.category or "-"), "queues": QUEUES,
            "rung": key + ":rung", "last_rung": LAST_RUNG,
            "brand_index": brand_sessions_key(parties.brand_id or "-"),
            "timeline": timeline_key(session_id),
        }

    def _args(self, session_id: str) -> dict[str, ArgValue]:
        """The arguments every session script shares: the session and the rules."""
        t = self.timing
        return {"id": session_id, "guarantee": t.guarantee_seconds,
                "increment": t.increment_seconds, "connect_ms": t.connect_ms,
                "grace_ms": t.grace_ms, "ring_ms": t.ring_ms, "low_ms": t.low_balance_ms,
                "queue_ms": t.queue_ms}

    async def _eval(
        self, name: str, session_id: str, parties: Parties | None,
        args: Mapping[str, ArgValue] | None = None, proc: str = "-",
        keys: Mapping[str, KeyValue] | None = None,
    ) -> Any:
        """A session script's reply: ``keys`` and ``args`` are its own, after the shared
        ones. The keys are named from ``parties`` (None: what this process knows of them);
        a script that finds them stale gets them read again."""
        if parties is None:
            parties = await self.parties(session_id)
        for _ in range(5):
            reply = await self._scripts[name](
                keys={**self._keys(session_id, parties, proc), **(keys or {})},
                args={**self._args(session_id), **(args or {})},
            )
            if not (isinstance(reply, list) and len(reply) > 1
                    and text_or_none(reply[0]) == "err" and text_or_none(reply[1]) == "stale"):
                return reply
            parties = await self.parties(session_id, fresh=True)
        raise RuntimeError(f"session {session_id} kept changing under {name}")

    async def _run(
        self, name: str, session_id: str, parties: Parties | None,
        args: Mapping[str, ArgValue] | None = None, proc: str = "-",
        keys: Mapping[str, KeyValue] | None = None,
    ) -> Outcome:
        return _outcome(await self._eval(name, session_id, parties, args, proc, keys))

    async def parties(self, session_id: str, fresh: bool = False) -> Parties:
        """Who a session concerns; ``not_found`` when there is none.

        Kept per process: they never change after creation, except the expert of a
        category call, which the scripts detect (they answer ``stale``). This saves a
        round trip before every script (5 per call lifecycle, measured in bench/).
        """
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
        self._remember(session_id, parties)
        return parties

    def _remember(self, session_id: str, parties: Parties) -> None:
        self._known.pop(session_id, None)
        self._known[session_id] = parties
        if len(self._known) > KNOWN_PARTIES:
            del self._known[next(iter(self._known))]  # the least recently learnt

    async def start(self, session_id: str, new: NewSession) -> Outcome:
        parties = Parties(new.client_id, new.expert_id, new.category, new.payer, new.brand_id)
        outcome = await self._run(
            "start", session_id, parties, {
                "client_id": new.client_id, "expert_id": new.expert_id, "topic": new.topic,
                "pricing_mode": new.pricing.mode.value, "rate_cents": new.pricing.amount_cents,
                "currency": self.timing.currency, "fee_percent": new.fee(self.timing),
                "hold_cents": self.timing.start_hold_cents(new.pricing), "sid": new.sid,
                "proc": new.proc, "brand_id": new.brand_id,
                "paid_by": _paid_by(new) if new.pricing.is_paid else "none",
                "category": new.category, "payer_id": new.payer, "booking_id": new.booking_id,
                "rung": new.rung,
            }, proc=new.proc, keys={"profile": _profile(new.profile_key)},
        )
        self._remember(session_id, parties)
        return outcome

    async def accept(self, session_id: str, account_id: str, sid: str, proc: str) -> Outcome:
        return await self._run(
            "accept", session_id, None, {
                "account": account_id, "sid": sid, "proc": proc,
                "start_cover_seconds": self.timing.start_cover_seconds,
            }, proc=proc,
        )

    async def act(self, session_id: str, account_id: str, event: str) -> Outcome:
        return await self._run("act", session_id, None, {"account": account_id, "event": event})

    async def attach(self, session_id: str, account_id: str, sid: str, proc: str) -> Outcome:
        return await self._run(
            "attach", session_id, None, {"account": account_id, "sid": sid, "proc": proc},
            proc=proc,
        )

    async def detach(
        self, session_id: str, sid: str, proc: str, at_ms: int | None = None
    ) -> Outcome:
        try:
            parties = await self.parties(session_id)
        except NoSuchSession:
            return Outcome("noop")
        return await self._run(
            "detach", session_id, parties, {"sid": sid, "at": "" if at_ms is None else at_ms},
            proc=proc,
        )

    async def chat(self, session_id: str, account_id: str, sid: str, text: str) -> dict[str, str]:
        reply = await self._eval("chat", session_id, None, {
            "account": account_id, "sid": sid, "text": text, "kept": CHAT_KEPT})
        if text_or_none(reply[0]) == "err":
            _raise(reply)
        message: dict[str, str] = json.loads(str(text_or_none(reply[1])))
        return message

    async def share(
        self, session_id: str, account_id: str, shared: SharedFile, blob: str,
        limits: FileLimits, claimed: int, quota_message: str, file_keys: Mapping[str, str],
    ) -> dict[str, Any]:
        """Record a file already in the blob store and post it in the chat (the message,
        as for ``chat``); refused for the call's or the account's limits. ``file_keys``:
        the file's keys, as ``FileStore.share_keys`` names them."""
        reply = await self._eval("share", session_id, None, {
            "account": account_id, "file_id": shared.file_id, "name": shared.name,
            "size": shared.size, "content_type": shared.content_type, "blob": blob,
            "url": file_url(session_id, shared.file_id), "kept_ms": limits.kept_ms,
            "max_files": MAX_FILES_PER_SESSION, "max_bytes": MAX_BYTES_PER_SESSION,
            "kept": CHAT_KEPT, "quota_bytes": limits.quota_bytes,
            "quota_files": limits.quota_files, "claimed": claimed,
            "quota_message": quota_message,
        }, keys=file_keys)
        if text_or_none(reply[0]) == "err":
            _raise(reply)
        message: dict[str, Any] = json.loads(str(text_or_none(reply[1])))
        return message

    async def chat_history(self, session_id: str) -> list[dict[str, str]]:
        raw = await self._redis.lrange(session_key(session_id) + ":chat", 0, -1)
        return [json.loads(str(text_or_none(m))) for m in raw]

    async def sockets_of_process(self, proc: str) -> list[tuple[str, str]]:
        """(session id, socket id) pairs a process had attached."""
        members = await self._redis.smembers(proc_sockets_key(proc))
        pairs = (str(text_or_none(m)).partition("|") for m in members)
        return [(session_id, sid) for session_id, _, sid in pairs]

    async def forget_process(self, proc: str) -> None:
        await self._redis.delete(proc_sockets_key(proc))

    async def media(self, session_id: str, account_id: str, state: str, sid: str) -> Outcome:
        return await self._run(
            "media", session_id, None, {"account": account_id, "state": state, "sid": sid}
        )

    async def fire(self, member: str) -> Outcome:
        session_id = member.partition("|")[2]
        try:
            parties = await self.parties(session_id)
        except NoSuchSession:
            await self._redis.zrem(DEADLINES, member)
            return Outcome("gone")
        return await self._run("fire", session_id, parties, {"member": member})

    # -- category calls ----------------------------------------------------------------

    async def enqueue(
        self, session_id: str, new: NewSession, max_rate_cents: int | None
    ) -> Outcome:
        parties = Parties(new.client_id, "", new.category, new.payer, new.brand_id)
        outcome = await self._run(
            "enqueue", session_id, parties, {
                "client_id": new.client_id, "category": new.category, "topic": new.topic,
                "max_rate_cents": "" if max_rate_cents is None else max_rate_cents,
                "currency": self.timing.currency, "fee_percent": new.fee(self.timing),
                "sid": new.sid, "proc": new.proc, "brand_id": new.brand_id,
                "payer_id": new.payer,
            }, proc=new.proc,
        )
        self._remember(session_id, parties)
        return outcome

    async def route(self, session_id: str, expert_id: str, pricing: Pricing,
                    profile_key: str = "") -> Outcome:
        """Ring ``expert_id`` at ``pricing``; with ``profile_key``, only if that is still
        the price in the expert's profile (a change since the router read it is refused)."""
        parties = await self.parties(session_id)
        ringing = Parties(parties.client_id, expert_id, parties.category, parties.payer_id,
                          parties.brand_id)
        return await self._run(
            "route", session_id, ringing, {
                "expert_id": expert_id, "pricing_mode": pricing.mode.value,
                "rate_cents": pricing.amount_cents,
                "hold_cents": self.timing.start_hold_cents(pricing),
            }, keys={"profile": _profile(profile_key)},
        )

    async def abandon(self, session_id: str) -> Outcome:
        return await self._run("abandon", session_id, None)

    async def position_changed(self, session_id: str, position: int) -> bool:
        reply = await self._eval("queue_position", session_id, None, {"position": position})
        return isinstance(reply, int) and reply == 1

    async def queues(self) -> list[str]:
        return sorted(str(text_or_none(q)) for q in await self._redis.smembers(QUEUES))

    async def waiting(self, category: str) -> list[str]:
        """Queued sessions of a category, in arrival order; an empty queue is forgotten."""
        ids = [str(text_or_none(i)) for i in await self._redis.zrange(queue_key(category), 0, -1)]
        if not ids:
            await self._redis.srem(QUEUES, category)
        return ids

    async def routing_facts(
        self, session_id: str, expert_ids: list[str]
    ) -> tuple[set[str], dict[str, int], dict[str, str]]:
        """Experts already rung for a session, when each expert was last rung, and the
        session's client, max rate and the availability of the payer's wallet."""
        key = session_key(session_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.smembers(key + ":rung")
            pipe.zmscore(LAST_RUNG, expert_ids or ["-"])
            pipe.hmget(key, "client_id", "max_rate_cents", "created_at", "payer_id")
            rung, scores, (client, max_rate, created, payer) = await pipe.execute()
        wallet = text_map(await self._redis.hgetall(wallet_key(str(payer or client))))
        available = int(wallet.get("balance", 0)) - int(wallet.get("held", 0))
        last = {e: int(s or 0) for e, s in zip(expert_ids, scores or [], strict=False)}
        facts = {"client_id": str(client), "max_rate_cents": str(max_rate or ""),
                 "available_cents": str(available), "created_at": str(created or 0)}
        return {str(text_or_none(r)) for r in rung}, last, facts

    # -- booked calls ------------------------------------------------------------------

    async def session_of_booking(self, booking_id: str) -> str | None:
        return text_or_none(await self._redis.get(booking_session_key(booking_id)))

    async def remember_booking(self, booking_id: str, session_id: str) -> None:
        await self._redis.set(booking_session_key(booking_id), session_id)

    @asynccontextmanager
    async def booking_lock(self, booking_id: str) -> AsyncIterator[None]:
        """Serialises the two sides joining one booking at once (one creates, one accepts)."""
        key = booking_session_key(booking_id) + ":lock"
        token = secrets.token_hex(8)
        for _ in range(100):
            if await self._redis.set(key, token, nx=True, px=5000):
                break
            await asyncio.sleep(0.02)
        else:
            raise WrongState("someone is joining this booking right now; try again")
        try:
            yield
        finally:
            await self._release(keys={"lock": key}, args={"token": token})

    async def due_deadlines(self, limit: int = 200) -> list[str]:
        members = await self._due(keys={"deadlines": DEADLINES}, args={"limit": limit})
        return [str(text_or_none(m)) for m in members]

    async def get(self, session_id: str) -> tuple[SessionView, int] | None:
        """The session and the Redis time it was read at, or None."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(session_key(session_id))
            pipe.execute_command("TIME")  # not .time(): redis-py refuses it in a cluster pipeline
            fields, now = await pipe.execute()
        if not fields:
            return None
        return SessionView.from_hash(text_map(fields)), ms_of(now)

    async def receipt_facts(self, session_id: str) -> tuple[dict[str, str], list[str]]:
        """The session hash (empty when none) and its timeline, for a receipt."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(session_key(session_id))
            pipe.lrange(timeline_key(session_id), 0, -1)
            fields, timeline = await pipe.execute()
        return text_map(fields), [str(text_or_none(entry)) for entry in timeline]

    async def list_for(self, account_id: str, limit: int = 50) -> tuple[list[SessionView], int]:
        return await self._list(index_key(account_id), limit)

    async def list_for_brand(
        self, brand_id: str, limit: int = 50
    ) -> tuple[list[SessionView], int]:
        return await self._list(brand_sessions_key(brand_id), limit)

    async def _list(self, index: str, limit: int) -> tuple[list[SessionView], int]:
        ids = await self._redis.zrevrange(index, 0, limit - 1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for session_id in ids:
                pipe.hgetall(session_key(str(session_id)))
            pipe.execute_command("TIME")  # as in get()
            *rows, now = await pipe.execute()
        views = [SessionView.from_hash(text_map(row)) for row in rows if row]
        return views, ms_of(now)

