"""The payer's money a call holds: taken and settled as steps in the wallet's own keys.

No session script touches the wallet (docs/cluster.md, "A call as single-slot steps"):
the wallet can then live in its owner's slot, not in the session's. Each hold a call takes
is named ``<session>|<nonce>`` (``Hold``; a category call holds anew for each expert it
rings) and recorded in the wallet's ``holds`` hash, beside ``held``, their sum with the
bookings' and refunds' holds.

Taking one (``start``, ``route``, and ``accept`` of a booked call; a call names its hold
after the expert rung and the amount, ``Hold.of_call``):

1. an intent ``pay|session|payer|nonce|0`` a lease ahead in the session's deadlines
   (``sessions/intents.py``), with the busy flag's;
2. the hold, if the wallet covers it (``hold_take.lua``; taking it again does nothing);
3. the session script, which drops the intent and records the nonce (``hold_nonce``) only
   while the intent is still there: a reaper that already gave the money back has the
   script refuse, so no session counts on money the wallet no longer holds for it.

Settling it: a script that ends the call (or sends a category call back to its queue)
writes ``pay|session|payer|nonce|charge`` a lease ahead and answers it; the process then
settles the hold (``hold_settle.lua``: everything given back, ``charge`` of it taken, once),
and drops the intent at its reaper's next tick. A process stopped anywhere in between
leaves an intent that falls due: the reaper that finds it settles the hold unless the
session still holds it (``intent_check.lua``). So money is never held without a call for more
than a lease, never charged twice, and never given back during a call.

A live per-minute call grows its hold to all the wallet has left (``grow``) when its
low-balance or balance deadline falls due, just before the deadline's script reads it.

A dispute decided with a refund gives money back the same way: the decision writes
``credit|session|payer|cents|event`` in the calls' deadlines, and the process that decided,
or a reaper a lease later, appends the ``session.refunded`` event to the session's billing
stream (``event_once.lua``: the stream its ``session.ended`` is in, so that a reader of a
Cluster's streams sees them in that order, protocol §5) and credits the refund
(``wallet_credit.lua``), each once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis

from common.keyspace import bucket_of, bucket_stream
from common.lua import Lua, Step, in_order
from common.redisvalues import text_or_none
from sessions.intents import Intents
from sessions.keys import (
    EVERY_DEADLINES,
    parse_credit_member,
    parse_pay_member,
    pay_member,
    refunded_key,
    session_key,
)
from sessions.states import HOLDS_EXPERT
from sessions.wallet import holds_key, ledger_key, settled_key, wallet_key

log = logging.getLogger(__name__)

SETTLED_KEPT_MS = 86_400_000  # how long a settled hold is remembered: far past any retry


@dataclass(frozen=True)
class Holders:
    """What holds money: calls or bookings. ``deadlines``: every zset their intents are in;
    ``key``: the hash of one (by id), whose ``state`` is one of ``holding`` while it holds
    its money, and whose ``hold_nonce`` names the hold; ``booking``: the ledger entries
    name the booking too."""

    deadlines: tuple[str, ...]
    key: Callable[[str], str]
    holding: tuple[str, ...]
    booking: bool = False


CALLS = Holders(EVERY_DEADLINES, session_key, tuple(sorted(HOLDS_EXPERT)))


@dataclass(frozen=True)
class Hold:
    """One hold of a call's (or a booking's) money in its payer's wallet."""

    owner_id: str  # the session, or the booking
    payer_id: str
    nonce: str

    @classmethod
    def new(cls, owner_id: str, payer_id: str) -> Hold:
        return cls(owner_id, payer_id, secrets.token_hex(4))

    @classmethod
    def of_call(cls, session_id: str, payer_id: str, expert_id: str, cents: int) -> Hold:
        """A call's hold for ringing ``expert_id`` with ``cents`` held: the same name each
        time, so that two processes routing one call to one expert at once take one hold,
        and the one whose script is refused leaves it to the other's session (a name
        settled already is taken again under a new one: ``CallSteps.take``)."""
        digest = hashlib.sha1(f"{expert_id}|{cents}".encode()).hexdigest()
        return cls(session_id, payer_id, digest[:8])

    @classmethod
    def of_intent(cls, member: str) -> tuple[Hold, int] | None:
        """The hold a ``pay`` deadline settles, and what it charges; None for another kind."""
        parsed = parse_pay_member(member)
        if parsed is None:
            return None
        owner_id, payer_id, nonce, charge = parsed
        return cls(owner_id, payer_id, nonce), charge

    @property
    def ref(self) -> str:
        return f"{self.owner_id}|{self.nonce}"

    def intent(self, charge_cents: int = 0) -> str:
        return pay_member(self.owner_id, self.payer_id, self.nonce, charge_cents)

    def keys(self) -> dict[str, str]:
        payer = self.payer_id
        return {"wallet": wallet_key(payer), "ledger": ledger_key(payer),
                "holds": holds_key(payer), "settled": settled_key(payer)}


def _left_to_the_intent(hold: Hold, exc: Exception) -> None:
    log.warning("%s: could not settle its hold %s now (%s); a reaper does within a lease",
                hold.owner_id, hold.nonce, exc)


def hold_args(hold: Hold | None) -> dict[str, str]:
    """What a script that keeps a hold (start, route, a booked call's accept, book) is told
    of it: '' for none."""
    return {"hold_nonce": hold.nonce if hold else "", "hold_intent": hold.intent() if hold else ""}


def took(answer: list[object]) -> bool:
    """Whether ``take_step`` holds the money."""
    return text_or_none(answer[0]) == "ok"


class WalletHolds:
    def __init__(self, redis: aioredis.Redis, intents: Intents,
                 holders: Holders = CALLS, billing_stream: str = "") -> None:
        self._redis = redis
        self._intents = intents
        self._holders = holders
        self._billing_stream = billing_stream  # bucket 0's (only calls' refunds post events)
        self._take = Lua(redis, "sessions/lua/hold_take.lua")
        self._settle = Lua(redis, "sessions/lua/hold_settle.lua")
        self._check = Lua(redis, "sessions/lua/intent_check.lua")
        self._credit = Lua(redis, "sessions/lua/wallet_credit.lua")
        self._event = Lua(redis, "sessions/lua/event_once.lua")

    def _named(self, hold: Hold) -> dict[str, str]:
        """What the ledger entries say the money is for."""
        return {"ref": hold.ref, "session": hold.owner_id,
                "booking": hold.owner_id if self._holders.booking else ""}

    def take_step(self, hold: Hold, amount_cents: int) -> Step:
        """Step 2, after ``Intents.step`` has recorded ``hold.intent()`` (step 1)."""
        return self._take.step(keys=hold.keys(),
                               args={**self._named(hold), "amount": amount_cents, "mode": "take"})

    async def take(self, hold: Hold, amount_cents: int) -> bool:
        """Steps 1 and 2; False when the wallet does not cover ``amount_cents`` (and then
        nothing is owed: the intent goes at once)."""
        _, answer = await in_order(self._redis, self._intents.step(hold.intent()),
                                   self.take_step(hold, amount_cents))
        if not took(answer):
            await self._intents.drop(hold.intent())
        return took(answer)

    async def grow(self, hold: Hold) -> int | None:
        """Hold everything the wallet has left for this call: the cents it now holds; None
        when the hold is already settled (the call has ended)."""
        answer = await self._take(keys=hold.keys(),
                                  args={**self._named(hold), "amount": 0, "mode": "grow"})
        return int(answer[1]) if took(answer) else None

    def settle_step(self, hold: Hold, charge_cents: int) -> Step:
        return self._settle.step(keys=hold.keys(), args={
            **self._named(hold), "charge": charge_cents, "kept_ms": SETTLED_KEPT_MS})

    def settled(self, member: str) -> None:
        """The settle step of the ``pay`` intent ``member`` was taken."""
        self._intents.done(member)

    async def settle(self, hold: Hold, charge_cents: int) -> None:
        await in_order(self._redis, self.settle_step(hold, charge_cents))
        self.settled(hold.intent(charge_cents))

    async def settle_after(self, member: str) -> None:
        """The settle a script asked for (its ``pay`` intent): when Redis cannot take it now
        (a primary failing over), the intent has a reaper do it a lease later."""
        parsed = Hold.of_intent(member)
        if parsed is None:
            return
        try:
            await self.settle(*parsed)
        except (aioredis.RedisError, OSError) as exc:
            _left_to_the_intent(parsed[0], exc)

    async def refused(self, hold: Hold) -> None:
        """Step 3 refused: give the money back, unless the holder keeps it after all (a
        start retried after its reply was lost)."""
        try:
            state, nonce = await self._redis.hmget(self._holders.key(hold.owner_id),
                                                   "state", "hold_nonce")
            if (text_or_none(nonce) != hold.nonce
                    or text_or_none(state) not in self._holders.holding):
                await self.settle(hold, 0)
        except (aioredis.RedisError, OSError) as exc:
            _left_to_the_intent(hold, exc)

    async def credit(self, member: str) -> bool:
        """The refund a ``credit`` intent records: its event appended and the money
        credited (each once), then the intent dropped. False when ``member`` is not a
        ``credit`` intent."""
        parsed = parse_credit_member(member)
        if parsed is None:
            return False
        session_id, payer_id, cents, event = parsed
        if event:
            await self._event(
                keys={"billing": bucket_stream(self._billing_stream, bucket_of(session_id)),
                      "marker": refunded_key(session_id)},
                args={"kept_ms": SETTLED_KEPT_MS, "event": event})
        await self._credit(
            keys={"wallet": wallet_key(payer_id), "ledger": ledger_key(payer_id),
                  "settled": settled_key(payer_id)},
            args={"ref": f"refund|{session_id}", "session": session_id, "amount": cents,
                  "kept_ms": SETTLED_KEPT_MS})
        await self._intents.drop(member)
        return True

    async def fire(self, member: str) -> bool:
        """A due ``pay`` deadline (the reaper's): settle the hold unless the session still
        holds it; a due ``credit``: credit it. False for a deadline of another kind."""
        if await self.credit(member):
            return True
        parsed = Hold.of_intent(member)
        if parsed is None:
            return False
        hold, charge = parsed
        verdict = await self._check(
            keys={"holder": self._holders.key(hold.owner_id),
                  "deadlines": self._intents.zset_of(member)},
            args={"member": member, "field": "hold_nonce", "value": hold.nonce,
                  "holding": self._holders.holding})
        if text_or_none(verdict) == "due":
            log.info("%s: settling its hold %s, %d cents charged (a step left unfinished)",
                     hold.owner_id, hold.nonce, charge)
            await self.settle(hold, charge)
        return True
