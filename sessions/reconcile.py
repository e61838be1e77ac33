"""``python -m server reconcile``: do wallets, their ledgers and the billing stream agree?

For every wallet: the balance equals the sum of its ledger's top-ups and charges; the
held amount equals holds minus releases; each session's charge equals the amount of
that session's billing event, and each dispute refund credited to a wallet equals the
``refund_cents`` of that session's ``session.refunded`` event (docs/trust.md). A session
or booking whose hold is still to settle (a ``pay`` intent, sessions/holds.py: at most a
lease after its end) is not charged yet, and not reported; a hold that no call or booking
keeps any more, with nothing left to settle it, is (money held for nothing). Answers one
line per disagreement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import redis.asyncio as aioredis

from common.redisvalues import text_map, text_or_none
from common.streams import billing_events, billing_horizon, stream_id
from sessions.holds import CALLS, Holders
from sessions.keys import parse_pay_member
from sessions.wallet import holds_key, ledger_key, owner_of, wallet_key


async def _billing_amounts(
    redis: aioredis.Redis, stream: str, since: tuple[int, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """What each session (or booking) was billed, and what each session was refunded, by
    the billing events of every stream (on a Cluster one per bucket) from ``since`` on."""
    amounts: dict[str, int] = {}
    refunds: dict[str, int] = defaultdict(int)
    async for fields in billing_events(redis, stream, since):
        if fields.get("type") == "session.refunded":
            refunds[fields["session_id"]] += int(fields["refund_cents"])
        elif fields.get("type") == "session.ended":
            amounts[fields["session_id"]] = int(fields["amount_cents"])
        elif fields.get("type") in ("booking.cancelled", "booking.no_show"):
            # Booking fees are charged from the booking's hold, ledgered under its id.
            amounts[fields["booking_id"]] = int(fields["amount_cents"])
    return amounts, refunds


async def _stray_holds(redis: aioredis.Redis, account: str, wallet: dict[str, str],
                       holders: Sequence[Holders], to_settle: set[str]) -> list[str]:
    """The wallet's holds that no call or booking keeps any more, with no intent to settle
    them (money held for nothing), and holds that add up to more than the wallet holds."""
    problems = []
    holds = text_map(await redis.hgetall(holds_key(account)))
    if sum(int(cents) for cents in holds.values()) > int(wallet.get("held", 0)):
        problems.append(f"wallet {account}: its holds add up to more than held "
                        f"{wallet.get('held', 0)}")
    for ref, cents in sorted(holds.items()):
        if ref in to_settle:
            continue
        owner, _, nonce = ref.rpartition("|")
        kept = False
        for kind in holders:
            state, kept_nonce = await redis.hmget(kind.key(owner), "state", "hold_nonce")
            kept = kept or (text_or_none(kept_nonce) == nonce
                            and text_or_none(state) in kind.holding)
        if not kept:
            problems.append(f"wallet {account}: {cents} held for {owner}, which holds it no "
                            "more, and nothing left to settle it")
    return problems


async def reconcile(redis: aioredis.Redis, stream: str,
                    holders: Sequence[Holders] = (CALLS,)) -> list[str]:
    """``holders``: what holds money (calls, bookings), whose deadlines keep the ``pay``
    intents of holds still to settle."""
    problems: list[str] = []
    # Older events were trimmed on purpose (from some stream at least: none is read).
    trimmed = await billing_horizon(redis, stream)
    billed, refunds = await _billing_amounts(redis, stream, trimmed)
    intents = [parsed for kind in holders for zset in kind.deadlines
               for m in await redis.zrange(zset, 0, -1)
               if (parsed := parse_pay_member(str(text_or_none(m)))) is not None]
    settling = {owner for owner, _, _, _ in intents}
    to_settle = {f"{owner}|{nonce}" for owner, _, nonce, _ in intents}
    charged: dict[str, int] = defaultdict(int)
    refunded: dict[str, int] = defaultdict(int)
    async for key in redis.scan_iter(match=wallet_key("*"), _type="hash"):
        account = owner_of(str(text_or_none(key)))
        wallet = text_map(await redis.hgetall(key))
        balance, held = 0, 0
        for entry_id, raw in await redis.xrange(ledger_key(account)) or []:
            entry = text_map(raw or {})
            if (stream_id(str(text_or_none(entry_id))) < trimmed
                    and entry["kind"] in ("charge", "dispute_refund")):
                balance += int(entry["amount_cents"])  # its event is gone: nothing to match
                continue
            amount = int(entry["amount_cents"])
            match entry["kind"]:
                case "topup" | "refund":  # a refund (to a card) is negative
                    balance += amount
                case "charge":
                    balance += amount
                    charged[entry["session_id"]] += -amount
                case "dispute_refund":
                    balance += amount
                    refunded[entry["session_id"]] += amount
                case "hold":
                    held += amount
                case "release":
                    held -= amount
        if balance != int(wallet.get("balance", 0)):
            problems.append(
                f"wallet {account}: balance {wallet.get('balance')} but ledger says {balance}"
            )
        if held != int(wallet.get("held", 0)):
            problems.append(f"wallet {account}: held {wallet.get('held')} but ledger says {held}")
        if balance < 0:
            problems.append(f"wallet {account}: negative balance {balance}")
        problems += await _stray_holds(redis, account, wallet, holders, to_settle)
    for session_id, amount in charged.items():
        if billed.get(session_id) != amount:
            problems.append(
                f"session {session_id}: charged {amount} but billed {billed.get(session_id)}"
            )
    for session_id, amount in billed.items():
        if amount > 0 and session_id not in charged and session_id not in settling:
            problems.append(f"session {session_id}: billed {amount} but never charged")
    for session_id in sorted(refunded.keys() | refunds.keys()):
        if refunded.get(session_id, 0) != refunds.get(session_id, 0):
            problems.append(f"session {session_id}: refunded {refunded.get(session_id, 0)} "
                            f"to the wallet but {refunds.get(session_id, 0)} in the billing "
                            "stream")
        if session_id in billed and refunds.get(session_id, 0) > billed[session_id]:
            problems.append(f"session {session_id}: refunded {refunds[session_id]}, more "
                            f"than billed {billed[session_id]}")
    return problems
