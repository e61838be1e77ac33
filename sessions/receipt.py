"""A receipt a client can check: what happened in a call and how its price follows.

Pure code: it reads the session hash and its timeline (as ``SessionStore.receipt_facts``
returns them) and lays out the rate, the timeline, the live spans and the pauses with
their cause, and the billing arithmetic of protocol §4 step by step (live seconds, the
guarantee, the increment, the balance cap). The figures billed are the ones the script
that ended the call stored; the steps are recomputed with ``sessions.pricing`` and must
land on them (the tests hold the two together).

Timeline entries are ``event|ms|cause|by[|until]`` (``sessions/lua/prelude.lua:note``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.timefmt import iso_ms
from sessions.model import SessionView
from sessions.pricing import BillingRules, billed_seconds, charge
from sessions.states import State

SIDES = {"c": "client", "e": "expert"}


@dataclass(frozen=True)
class Entry:
    event: str  # queued, rung, requeued, accepted, live, paused, ended
    at_ms: int
    cause: str  # paused: dropped, media_lost, rejoined; ended: the end reason
    by: str | None  # "client" or "expert", when one side did it
    until_ms: int | None = None  # ended while live: when the last span stopped counting

    @classmethod
    def parse(cls, raw: str) -> Entry:
        parts = raw.split("|")
        event, at, cause, by, until = [*parts, "", "", "", ""][:5]
        return cls(event, int(at), cause, SIDES.get(by), int(until) if until else None)

    def public(self) -> dict[str, Any]:
        return {"at": iso_ms(self.at_ms), "event": self.event, "cause": self.cause or None,
                "by": self.by}


def has_receipt(view: SessionView) -> bool:
    """Every ended session with money: a paid price and an expert who accepted."""
    return (view.state == State.ENDED and view.accepted_at_ms is not None
            and view.pricing.is_paid)


def spans(entries: list[Entry]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The live spans and the pauses between them, from the timeline."""
    live: list[dict[str, Any]] = []
    pauses: list[dict[str, Any]] = []
    since: int | None = None
    paused: Entry | None = None
    for entry in entries:
        if entry.event == "live":
            if paused is not None:
                pauses.append(_pause(paused, entry.at_ms))
                paused = None
            since = entry.at_ms
        elif entry.event in ("paused", "ended") and since is not None:
            stop = entry.until_ms if entry.until_ms is not None else entry.at_ms
            live.append({"from": iso_ms(since), "to": iso_ms(stop), "ms": stop - since})
            since = None
            paused = entry if entry.event == "paused" else None
        elif entry.event == "ended" and paused is not None:
            pauses.append(_pause(paused, entry.at_ms))
            paused = None
    return live, pauses


def _pause(entry: Entry, until_ms: int) -> dict[str, Any]:
    return {"from": iso_ms(entry.at_ms), "to": iso_ms(until_ms), "ms": until_ms - entry.at_ms,
            "cause": entry.cause or None, "by": entry.by}


def billing_steps(view: SessionView, fields: dict[str, str],
                  fee_percent: int) -> dict[str, Any]:
    """Protocol §4 applied to this call, one step at a time, with the rules it ended under."""
    rules = BillingRules(int(fields.get("guarantee_s") or 0),
                         int(fields.get("increment_s") or 1), fee_percent)
    measured = view.live_ms // 1000
    billed = billed_seconds(view.live_ms, rules)
    cap = int(fields["cap_cents"]) if fields.get("cap_cents") else None
    uncapped = charge(view.live_ms, view.pricing, rules).amount_cents
    capped = charge(view.live_ms, view.pricing, rules, cap)
    return {
        "live_ms": view.live_ms,
        "live_seconds": measured,
        "guarantee_seconds": rules.guarantee_seconds,
        "under_guarantee": measured > 0 and billed == 0,
        "increment_seconds": rules.increment_seconds,
        "rounded_up_seconds": billed - measured if billed else 0,
        "billed_seconds": view.billed_seconds,
        "amount_at_rate_cents": uncapped,
        "balance_cap_cents": cap,
        "capped_by_balance": capped.amount_cents < uncapped,
        # False would mean the stored figures and these steps disagree: worth a look.
        "consistent": (billed, capped.amount_cents) == (view.billed_seconds, view.amount_cents),
    }


def receipt(view: SessionView, fields: dict[str, str], timeline: list[str],
            names: dict[str, str], expert_copy: bool) -> dict[str, Any]:
    """The receipt of an ended session; ``expert_copy`` adds the fee and the payout."""
    entries = [Entry.parse(raw) for raw in timeline]
    live, pauses = spans(entries)
    fee_percent = int(fields.get("fee_percent") or 0)
    body: dict[str, Any] = {
        "session_id": view.id,
        "copy": "expert" if expert_copy else "client",
        "end_reason": view.end_reason.value if view.end_reason else None,
        "topic": view.topic,
        "client": {"id": view.client_id, "display_name": names.get(view.client_id, "")},
        "expert": {"id": view.expert_id, "display_name": names.get(view.expert_id, "")},
        "brand_id": view.brand_id or None,
        "booking_id": view.booking_id or None,
        "paid_by": fields.get("paid_by") or "client",
        "currency": view.currency,
        "pricing": view.pricing.public(),
        "created_at": iso_ms(view.created_at_ms),
        "accepted_at": iso_ms(view.accepted_at_ms) if view.accepted_at_ms else None,
        "ended_at": iso_ms(view.ended_at_ms) if view.ended_at_ms else None,
        "timeline": [e.public() for e in entries],
        "timeline_omitted": int(fields.get("timeline_dropped") or 0),
        "live_spans": live,
        "pauses": pauses,
        "billing": billing_steps(view, fields, fee_percent),
        "billed_seconds": view.billed_seconds,
        "amount_cents": view.amount_cents,
    }
    if expert_copy:
        body.update(fee_percent=fee_percent, platform_fee_cents=view.platform_fee_cents,
                    expert_payout_cents=view.expert_payout_cents)
    return body
