"""The operations that change a session: each is one atomic Lua script of ``sessions/lua/``.

``SessionStore`` is the one object the rest of the code holds for sessions: it runs the
scripts (``sessions/scripts.py`` lays out their keys and arguments, ``sessions/replies.py``
decodes what they answer), and answers the reads of ``SessionQueries`` and the booking
link of ``BookedSessions`` too. Key names are in ``sessions/keys.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from common import faults
from common.errors import HelpcallError
from common.lua import ArgValue, KeyValue, Step
from common.redisvalues import text_or_none
from sessions.agreed import still_agreed
from sessions.booked import BookedSessions
from sessions.errors import NoSuchSession, NotAParticipant
from sessions.files import (
    MAX_BYTES_PER_SESSION,
    MAX_FILES_PER_SESSION,
    SharedFile,
    file_url,
)
from sessions.holds import hold_args
from sessions.keys import FREE, PAY, intent_deadlines, proc_sockets_key
from sessions.model import SessionView
from sessions.parties import KnownParties, Parties
from sessions.pricing import Pricing
from sessions.queries import SessionQueries
from sessions.replies import Outcome, outcome_of, raise_refusal
from sessions.scripts import SessionScripts, Timing
from sessions.states import State
from sessions.steps import CallSteps

CHAT_KEPT = 200  # messages kept per session: what a re-joining participant gets back


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
    # The expert's profile hash: ``pricing`` must still be the price there when the money is
    # held (protocol §7.2). Empty: no check (a booked call keeps its booking's price).
    profile_key: str = ""

    @property
    def payer(self) -> str:
        return self.payer_id or self.client_id

    def fee(self, timing: Timing) -> int:
        return timing.fee_percent if self.fee_percent is None else self.fee_percent


def _paid_by(new: NewSession) -> str:
    return "client" if new.payer == new.client_id else "brand"


class SessionStore(SessionQueries, BookedSessions):
    def __init__(self, redis: aioredis.Redis, timing: Timing) -> None:
        SessionQueries.__init__(self, redis)
        BookedSessions.__init__(self, redis)
        self.timing = timing
        self._known = KnownParties(redis)
        self._scripts = SessionScripts(redis, timing, self._known)
        self.steps = CallSteps(redis, timing.lease_ms, timing.billing_stream)
        self.listing = self.steps.listing
        self.queues = self.steps.queues  # the category queues (sessions/queueing.py)

    async def _run(
        self, name: str, session_id: str, parties: Parties | None,
        args: Mapping[str, ArgValue] | None = None,
        keys: Mapping[str, KeyValue] | None = None, first: Sequence[Step] = (),
        before: Sequence[Step] = (),
    ) -> Outcome:
        reply = await self._scripts.run(name, session_id, parties, args, keys, first, before)
        return await self._carried_out(name, session_id, reply)

    async def _carried_out(self, name: str, session_id: str, reply: Any) -> Outcome:
        """What the script ``name`` did, once the steps it asked for are taken (a refusal
        raises and asks for none)."""
        outcome = outcome_of(reply)
        faults.reached(f"call.script:{name}")
        await self.steps.carry_out(session_id, reply, outcome)
        return outcome

    async def _holding(self, expert_id: str, session_id: str, script: str,
                       parties: Parties, args: Mapping[str, ArgValue], hold_cents: int,
                       first: Sequence[Step], pricing: Pricing, profile_key: str) -> Outcome:
        """Run ``script`` (start, route) once the expert's busy flag is this session's and
        the payer's wallet holds ``hold_cents`` for it (``steps.py``), after ``first``
        (``listing.py``) and, with ``profile_key``, only if ``pricing`` is still the
        expert's price, read in the same pipeline (``agreed.py``)."""
        read = [Step(("HGET", profile_key, "profile"))] if profile_key else []
        hold, earlier = await self.steps.take(expert_id, session_id, parties.payer,
                                              hold_cents, [*read, *first])
        faults.reached("call.taken")
        try:
            if profile_key:
                still_agreed(text_or_none(earlier[0]), pricing)
            return await self._run(script, session_id, parties, {**args, **hold_args(hold)})
        except HelpcallError:
            await self.steps.refused(expert_id, session_id, hold)
            raise

    async def get(self, session_id: str) -> tuple[SessionView, int] | None:
        found = await super().get(session_id)
        if found is not None:
            # Read anyway (call:accept reads the session first): its next script on this
            # process then needs no read of its parties.
            view = found[0]
            self._known.remember(session_id, Parties(view.client_id, view.expert_id,
                                                     view.category, view.payer_id,
                                                     view.brand_id))
        return found

    async def parties(self, session_id: str, fresh: bool = False) -> Parties:
        """Who a session concerns (``sessions/parties.py``); ``not_found`` when none."""
        return await self._known.of(session_id, fresh)

    async def start(self, session_id: str, new: NewSession) -> Outcome:
        parties = Parties(new.client_id, new.expert_id, new.category, new.payer, new.brand_id)
        # A booked call's price is held by its booking until accept (accept.lua).
        hold_cents = 0 if new.booking_id else self.timing.start_hold_cents(new.pricing)
        outcome = await self._holding(
            new.expert_id, session_id, "start", parties, {
                "client_id": new.client_id, "expert_id": new.expert_id, "topic": new.topic,
                "pricing_mode": new.pricing.mode.value, "rate_cents": new.pricing.amount_cents,
                "currency": self.timing.currency, "fee_percent": new.fee(self.timing),
                "hold_cents": hold_cents, "sid": new.sid,
                "proc": new.proc, "brand_id": new.brand_id,
                "paid_by": _paid_by(new) if new.pricing.is_paid else "none",
                "category": new.category, "payer_id": new.payer, "booking_id": new.booking_id,
                "rung": new.rung,
            }, hold_cents=hold_cents,
            first=[*self.listing.listed(session_id, new.client_id, new.expert_id,
                                        brand_id=new.brand_id),
                   self.listing.socket(new.proc, session_id, new.sid)],
            pricing=new.pricing, profile_key=new.profile_key,
        )
        self._known.remember(session_id, parties)
        return outcome

    async def accept(self, session_id: str, account_id: str, sid: str, proc: str) -> Outcome:
        args: dict[str, ArgValue] = {
            "account": account_id, "sid": sid, "proc": proc,
            "start_cover_seconds": self.timing.start_cover_seconds, **hold_args(None)}
        reply = await self._scripts.run("accept", session_id, None, args,
                                        first=[self.listing.socket(proc, session_id, sid)])
        if text_or_none(reply[0]) == "hold":
            # A booked call: its money is held now, then accept.lua runs again.
            parties = await self.parties(session_id)
            hold = await self.steps.hold_booked(session_id, parties.payer, parties.expert_id,
                                                int(reply[1]))
            reply = await self._scripts.run("accept", session_id, parties,
                                            {**args, **hold_args(hold)})
            if text_or_none(reply[0]) == "err":
                await self.steps.holds.refused(hold)
        return await self._carried_out("accept", session_id, reply)

    async def act(self, session_id: str, account_id: str, event: str) -> Outcome:
        return await self._run("act", session_id, None, {"account": account_id, "event": event})

    async def attach(self, session_id: str, account_id: str, sid: str, proc: str) -> Outcome:
        try:
            return await self._run("attach", session_id, None,
                                   {"account": account_id, "sid": sid, "proc": proc},
                                   first=[self.listing.socket(proc, session_id, sid)])
        except (NoSuchSession, NotAParticipant):
            self.listing.left(proc, session_id, sid)  # it cannot be in that session
            raise

    async def detach(
        self, session_id: str, sid: str, proc: str, at_ms: int | None = None
    ) -> Outcome:
        try:
            parties = await self.parties(session_id)
        except NoSuchSession:
            self.listing.left(proc, session_id, sid)
            return Outcome("noop")
        outcome = await self._run(
            "detach", session_id, parties, {"sid": sid, "at": "" if at_ms is None else at_ms})
        self.listing.left(proc, session_id, sid)  # once the session has let it go
        return outcome

    async def media(self, session_id: str, account_id: str, state: str, sid: str) -> Outcome:
        return await self._run(
            "media", session_id, None, {"account": account_id, "state": state, "sid": sid}
        )

    async def fire(self, member: str) -> Outcome:
        kind, _, session_id = member.partition("|")
        if await self.steps.fire(member):
            return await self._healed(kind, session_id.partition("|")[0])
        try:
            parties = await self.parties(session_id)
        except NoSuchSession:
            await self._redis.zrem(intent_deadlines(member), member)
            return Outcome("gone")
        held = (await self.steps.grown(session_id, parties.payer)
                if kind in ("balance", "low") else None)
        return await self._run("fire", session_id, parties,
                               {"member": member, "held": "" if held is None else held})

    async def _healed(self, kind: str, session_id: str) -> Outcome:
        """After an intent fell due: a call it shows ended is told as ended again. Its
        process died between ending it and telling the people (its intents would have
        gone at its next tick), so they may not know; hearing it twice changes nothing."""
        found = await self.get(session_id) if kind in (FREE, PAY) else None
        if found is None or found[0].state != State.ENDED:
            return Outcome("gone")
        return Outcome("healed", session=found[0], now_ms=found[1])

    # -- chat and files ------------------------------------------------------------------

    async def chat(self, session_id: str, account_id: str, sid: str, text: str) -> dict[str, str]:
        reply = await self._scripts.run("chat", session_id, None, {
            "account": account_id, "sid": sid, "text": text, "kept": CHAT_KEPT})
        if text_or_none(reply[0]) == "err":
            raise_refusal(reply)
        message: dict[str, str] = json.loads(str(text_or_none(reply[1])))
        return message

    async def share(self, session_id: str, account_id: str,
                    shared: SharedFile) -> dict[str, Any]:
        """Post a file the account keeps already (``FileStore.keep``) in the chat (the
        message, as for ``chat``); refused for the call's limits, or once it is not in
        progress."""
        reply = await self._scripts.run("share", session_id, None, {
            "account": account_id, "file_id": shared.file_id, "name": shared.name,
            "size": shared.size, "content_type": shared.content_type,
            "url": file_url(session_id, shared.file_id),
            "max_files": MAX_FILES_PER_SESSION, "max_bytes": MAX_BYTES_PER_SESSION,
            "kept": CHAT_KEPT,
        })
        if text_or_none(reply[0]) == "err":
            raise_refusal(reply)
        message: dict[str, Any] = json.loads(str(text_or_none(reply[1])))
        return message

    # -- category calls ------------------------------------------------------------------

    async def enqueue(
        self, session_id: str, new: NewSession, max_rate_cents: int | None
    ) -> Outcome:
        parties = Parties(new.client_id, "", new.category, new.payer, new.brand_id)
        joined, categorised = self.queues.joining(session_id, new.category)
        outcome = await self._run(
            "enqueue", session_id, parties, {
                "client_id": new.client_id, "category": new.category, "topic": new.topic,
                "max_rate_cents": "" if max_rate_cents is None else max_rate_cents,
                "currency": self.timing.currency, "fee_percent": new.fee(self.timing),
                "sid": new.sid, "proc": new.proc, "brand_id": new.brand_id,
                "payer_id": new.payer,
            }, first=[*self.listing.listed(session_id, new.client_id, brand_id=new.brand_id),
                      self.listing.socket(new.proc, session_id, new.sid), joined],
            before=[categorised],
        )
        self._known.remember(session_id, parties)
        return outcome

    async def route(self, session_id: str, expert_id: str, pricing: Pricing,
                    profile_key: str = "") -> Outcome:
        """Ring ``expert_id`` at ``pricing``; with ``profile_key``, only if that is still
        the price in the expert's profile (a change since the router read it is refused)."""
        parties = await self.parties(session_id)
        ringing = Parties(parties.client_id, expert_id, parties.category, parties.payer_id,
                          parties.brand_id)
        hold_cents = self.timing.start_hold_cents(pricing)
        return await self._holding(
            expert_id, session_id, "route", ringing, {
                "expert_id": expert_id, "pricing_mode": pricing.mode.value,
                "rate_cents": pricing.amount_cents, "hold_cents": hold_cents,
            }, hold_cents=hold_cents, first=self.listing.listed(session_id, expert_id),
            pricing=pricing, profile_key=profile_key,
        )

    async def abandon(self, session_id: str) -> Outcome:
        return await self._run("abandon", session_id, None)

    async def position_changed(self, session_id: str, position: int) -> bool:
        reply = await self._scripts.run("queue_position", session_id, None,
                                        {"position": position})
        return isinstance(reply, int) and reply == 1

    # -- a process's sockets -------------------------------------------------------------

    async def sockets_of_process(self, proc: str) -> list[tuple[str, str]]:
        """(session id, socket id) pairs a process had attached."""
        members = await self._redis.smembers(proc_sockets_key(proc))
        pairs = (str(text_or_none(m)).partition("|") for m in members)
        return [(session_id, sid) for session_id, _, sid in pairs]

    async def forget_process(self, proc: str) -> None:
        await self._redis.delete(proc_sockets_key(proc))
