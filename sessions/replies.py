"""What a session script answers, decoded: an ``Outcome``, or the domain error it refused with.

Every script that changes a session answers ``{status, extra, now_ms, previous state,
session hash}`` (``reply`` in ``sessions/lua/prelude.lua``), or ``{'err', code, ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.redisvalues import pairs, text_or_none
from sessions.errors import (
    ExpertUnavailable,
    NoSuchSession,
    NotAParticipant,
    NotEnoughFunds,
    PriceChanged,
    TooManyFiles,
    WrongState,
)
from sessions.model import SessionView
from sessions.pricing import Pricing, PricingMode
from sessions.states import State


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


def is_stale(reply: Any) -> bool:
    """The script found the session's parties changed since its keys were named."""
    return (isinstance(reply, list) and len(reply) > 1
            and text_or_none(reply[0]) == "err" and text_or_none(reply[1]) == "stale")


def raise_refusal(reply: list[Any]) -> None:
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
        case code:
            raise RuntimeError(f"unexpected script error {code!r}")


def outcome_of(reply: list[Any]) -> Outcome:
    status = str(text_or_none(reply[0]))
    if status == "err":
        raise_refusal(reply)
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
