"""The only code that touches dispute keys (``trust.keys``); each change is one script
(``trust/lua/dispute_*.lua``) that checks the state and writes it together. A refund
decided, and its ``session.refunded`` event, are a step of their own after the decision's
script (``sessions/holds.py``: the wallet lives in its owner's slot, the event goes to the
session's own stream)."""

from __future__ import annotations

import logging
from typing import Any

import redis.asyncio as aioredis

from common.errors import Conflict, Invalid
from common.lua import Lua
from common.redisvalues import pairs, text_map, text_or_none
from sessions.errors import NoSuchSession
from sessions.holds import WalletHolds
from sessions.keys import HOME_DEADLINES, session_key
from trust import keys
from trust.disputes import Decision, DisputeRequest, Split
from trust.errors import NoSuchDispute, NotDisputable

log = logging.getLogger(__name__)

_REFUSALS = {
    "not_ended": "a call is disputed once it has ended",
    "not_paid": "this call was not charged: nothing to dispute",
    "too_late": "this call ended too long ago to be disputed",
    "already": "this call is disputed already",
}


_SESSION_FACTS = ("state", "client_id", "expert_id", "amount_cents", "ended_at", "currency",
                  "brand_id", "booking_id", "paid_by")


class DisputeStore:
    def __init__(self, redis: aioredis.Redis, wallets: WalletHolds, lease_ms: int) -> None:
        self._redis = redis
        self._wallets = wallets
        self._lease_ms = lease_ms
        self._scripts = {name: Lua(redis, f"trust/lua/dispute_{name}.lua")
                         for name in ("open", "answer", "decide")}

    async def open(self, session_id: str, client_id: str, request: DisputeRequest,
                   window_ms: int) -> dict[str, str]:
        facts = await self._session_facts(session_id)
        reply = await self._scripts["open"](
            keys={"dispute": keys.dispute(session_id), "open": keys.disputes_in("open")},
            args={"session_id": session_id, "client_id": client_id,
                  "reason": request.reason.value, "text": request.text,
                  "window_ms": window_ms, "state": facts["state"],
                  "session_client": facts["client_id"],
                  **{name: facts[name] for name in
                     ("expert_id", "amount_cents", "ended_at", "currency", "brand_id")}})
        status, detail = text_or_none(reply[0]), reply[1]
        if status == "err":
            code = str(text_or_none(detail))
            if code == "not_found":
                raise NoSuchSession()
            raise NotDisputable(_REFUSALS[code], code)
        return pairs(detail)

    async def answer(self, session_id: str, expert_id: str, text: str) -> dict[str, str]:
        reply = await self._scripts["answer"](
            keys={"dispute": keys.dispute(session_id), "open": keys.disputes_in("open"),
                  "answered": keys.disputes_in("answered")},
            args={"expert_id": expert_id, "text": text})
        if text_or_none(reply[0]) == "err":
            state = str(text_or_none(reply[1]))
            if state == "not_found":
                raise NoSuchDispute()
            raise Conflict(f"this dispute is {state} already")
        return pairs(reply[1])

    async def decide(self, session_id: str, payer_id: str, admin_id: str, decision: Decision,
                     split: Split) -> dict[str, str]:
        """The decision's script, then the refund's event and credit (a step of its own)."""
        fields, credit = await self.record_decision(session_id, payer_id, admin_id, decision,
                                                    split)
        if credit:
            try:
                await self._wallets.credit(credit)
            except (aioredis.RedisError, OSError) as exc:
                log.warning("dispute %s: refund left to the reaper (%s)", session_id, exc)
        return fields

    async def record_decision(self, session_id: str, payer_id: str, admin_id: str,
                              decision: Decision, split: Split) -> tuple[dict[str, str], str]:
        """The decision's script: the dispute, and the ``credit`` intent of its refund
        ('' for none)."""
        facts = await self._session_facts(session_id)
        reply = await self._scripts["decide"](
            keys={"dispute": keys.dispute(session_id),
                  "deadlines": HOME_DEADLINES,
                  **{state: keys.disputes_in(state) for state in keys.DISPUTE_STATES},
                  "log": keys.MODERATION_LOG},
            args={"admin_id": admin_id, "outcome": decision.outcome.value,
                  "refund_cents": split.refund_cents,
                  "fee_refund_cents": split.platform_fee_refund_cents,
                  "payout_refund_cents": split.expert_payout_refund_cents,
                  "note": decision.note, "payer": payer_id, "lease_ms": self._lease_ms,
                  **{name: facts[name] for name in (
                      "amount_cents", "client_id", "expert_id", "brand_id", "booking_id",
                      "currency")},
                  "paid_by": facts["paid_by"] or "client"})
        if text_or_none(reply[0]) == "err":
            code = str(text_or_none(reply[1]))
            if code == "not_found":
                raise NoSuchDispute()
            if code == "too_much":
                raise Invalid("refund_cents is more than was paid", "refund_cents")
            raise Conflict("this dispute is decided already")
        return pairs(reply[1]), str(text_or_none(reply[2]) or "")

    async def _session_facts(self, session_id: str) -> dict[str, str]:
        """What the dispute scripts read of the session ('' for what it lacks; ``state``
        '' when there is none). Read before them: the session is in its bucket's slot
        (common/keyspace.py), and what a dispute reads of it is final once it has ended,
        which the scripts check."""
        values = await self._redis.hmget(session_key(session_id), _SESSION_FACTS)
        return {name: str(text_or_none(value) or "") for name, value in
                zip(_SESSION_FACTS, values, strict=True)}

    async def get(self, session_id: str) -> dict[str, str] | None:
        fields = text_map(await self._redis.hgetall(keys.dispute(session_id)))
        return fields or None

    async def listed(self, states: tuple[str, ...], limit: int = 200) -> list[dict[str, Any]]:
        """Disputes in these states, newest first."""
        ids: list[tuple[str, float]] = []
        for state in states:
            rows = await self._redis.zrevrange(keys.disputes_in(state), 0, limit - 1,
                                               withscores=True)
            ids += [(str(text_or_none(row[0])), float(row[1])) for row in rows]
        ids.sort(key=lambda pair: pair[1], reverse=True)
        async with self._redis.pipeline(transaction=False) as pipe:
            for session_id, _ in ids[:limit]:
                pipe.hgetall(keys.dispute(session_id))
            hashes = await pipe.execute()
        return [text_map(row) for row in hashes if row]
