"""Disputes of paid calls: what a client may dispute, when, and how a refund is split.

Pure code (no I/O): the store (``trust.dispute_store``) applies these rules with the
session as Redis holds it and Redis's own clock.

- Only the client of an ended session that was charged (``amount_cents`` > 0) may
  dispute it, once, within ``HELPCALL_DISPUTE_WINDOW_SECONDS`` of its end.
- The expert answers once, while the dispute is open.
- An admin decides once: ``full`` (everything paid), ``partial`` (``refund_cents``, from
  1 to what was paid) or ``none``.
- A refund is taken from the platform fee and the expert's payout in the proportion the
  call's charge was split: the fee's share is ``fee * refund / amount`` rounded half up,
  the rest comes out of the payout (so a full refund gives back exactly both).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from common.errors import Invalid
from common.schema import Body, Choice, Integer, Text
from sessions.errors import NoSuchSession
from sessions.model import SessionView
from sessions.pricing import round_half_up
from sessions.states import State
from trust.errors import NotDisputable

MAX_TEXT = 2000


class Reason(StrEnum):
    NOT_DELIVERED = "not_delivered"  # the expert did not really help, or left
    POOR_QUALITY = "poor_quality"  # sound, picture or connection too bad to work
    WRONG_CHARGE = "wrong_charge"  # the time or price billed is wrong
    MISCONDUCT = "misconduct"  # rude, unsafe or inappropriate behaviour
    OTHER = "other"


class Outcome(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


@dataclass(frozen=True)
class DisputeRequest:
    reason: Reason
    text: str

    WIRE: ClassVar[Body] = Body(Choice("reason", options=tuple(Reason)),
                                Text("text", min_len=1, max_len=MAX_TEXT))

    @classmethod
    def parse(cls, payload: object) -> DisputeRequest:
        f = cls.WIRE.read(payload)
        return cls(Reason(f["reason"]), f["text"])


@dataclass(frozen=True)
class AnswerRequest:
    text: str

    WIRE: ClassVar[Body] = Body(Text("text", min_len=1, max_len=MAX_TEXT))

    @classmethod
    def parse(cls, payload: object) -> AnswerRequest:
        return cls(cls.WIRE.read(payload)["text"])


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    refund_cents: int | None  # only with ``partial``
    note: str

    WIRE: ClassVar[Body] = Body(
        Choice("outcome", options=tuple(Outcome)),
        Integer("refund_cents", required=False, minimum=1, maximum=100_000_000,
                description="with outcome partial: the cents given back (else ignored)"),
        Text("note", max_len=MAX_TEXT, default=""),
    )

    @classmethod
    def parse(cls, payload: object) -> Decision:
        f = cls.WIRE.read(payload)
        outcome = Outcome(f["outcome"])
        if outcome != Outcome.PARTIAL:
            return cls(outcome, None, f["note"])  # full and none say the amount themselves
        if f["refund_cents"] is None:
            raise Invalid("a partial refund needs refund_cents", "refund_cents")
        return cls(outcome, f["refund_cents"], f["note"])

    def refund_of(self, amount_cents: int) -> int:
        """The cents given back of a call that was charged ``amount_cents``."""
        match self.outcome:
            case Outcome.FULL:
                return amount_cents
            case Outcome.NONE:
                return 0
        assert self.refund_cents is not None
        if self.refund_cents > amount_cents:
            raise Invalid(f"refund_cents is at most what was paid ({amount_cents})",
                          "refund_cents")
        return self.refund_cents


@dataclass(frozen=True)
class Split:
    refund_cents: int
    platform_fee_refund_cents: int
    expert_payout_refund_cents: int


def split(amount_cents: int, platform_fee_cents: int, refund_cents: int) -> Split:
    """How a refund is shared between the platform's fee and the expert's payout."""
    if refund_cents <= 0 or amount_cents <= 0:
        return Split(0, 0, 0)
    fee = min(round_half_up(platform_fee_cents * refund_cents, amount_cents),
              platform_fee_cents, refund_cents)
    return Split(refund_cents, fee, refund_cents - fee)


def check_disputable(view: SessionView | None, account_id: str, now_ms: int,
                     window_ms: int) -> SessionView:
    """The session, if ``account_id`` may dispute it now; else the error to answer."""
    if view is None or account_id not in (view.client_id, view.expert_id):
        raise NoSuchSession()
    if account_id != view.client_id:
        raise NotDisputable("only the client of a call disputes it", "not_client")
    if view.state != State.ENDED or view.ended_at_ms is None:
        raise NotDisputable("a call is disputed once it has ended", "not_ended")
    if view.amount_cents <= 0:
        raise NotDisputable("this call was not charged: nothing to dispute", "not_paid")
    if now_ms - view.ended_at_ms > window_ms:
        raise NotDisputable("this call ended too long ago to be disputed", "too_late")
    return view


def public(fields: dict[str, str], admin: bool = False) -> dict[str, Any]:
    """A dispute as its two parties (and, with ``admin``, the admins) read it."""
    def cents(name: str) -> int | None:
        return int(fields[name]) if fields.get(name) else None

    body: dict[str, Any] = {
        "session_id": fields["session_id"],
        "state": fields["state"],
        "reason": fields["reason"],
        "text": fields["text"],
        "client_id": fields["client_id"],
        "expert_id": fields["expert_id"],
        "amount_cents": int(fields["amount_cents"]),
        "currency": fields["currency"],
        "opened_at": fields["opened_at"],
        "answer": fields.get("answer") or None,
        "answered_at": fields.get("answered_at") or None,
        "outcome": fields.get("outcome") or None,
        "refund_cents": cents("refund_cents"),
        "decided_at": fields.get("decided_at") or None,
        "note": fields.get("note") or None,
    }
    if admin:
        body.update(decided_by=fields.get("decided_by") or None,
                    platform_fee_refund_cents=cents("platform_fee_refund_cents"),
                    expert_payout_refund_cents=cents("expert_payout_refund_cents"))
    return body
