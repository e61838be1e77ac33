"""A brand's figures over a time range: per day, per expert, and in total.

The facts come from their owners, injected by the app factory: the sessions package reads
a brand's sessions (its index by creation, and the session hashes, kept after the end) and
the marketplace the visible ratings of their reviews. Definitions (docs/brands.md):
- ``calls``: sessions created in the range (per expert: the calls the expert was rung for);
- ``rung``: rings (one per expert per call); ``answered``: calls accepted;
  ``answer_rate`` = answered / rung (None without rings);
- ``live_minutes``: minutes the answered calls were live (to 0.01);
- ``avg_rating``: the visible reviews of these calls; ``avg_wait_seconds``: from the start
  of the call to its acceptance, over answered calls;
- ``spend_cents``: what the brand paid (sponsored calls); ``client_paid_cents``: what
  clients paid for the brand's calls.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol

from common.errors import Invalid
from common.schema import Custom, Field
from sessions.brand_facts import BrandCall

log = logging.getLogger(__name__)

DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class CallFacts:
    session_id: str
    created_ms: int
    expert_id: str  # who answered; "" when nobody did
    rung: frozenset[str]
    answered: bool
    live_ms: int
    wait_ms: int | None
    paid_by: str
    amount_cents: int
    rating: int | None


@dataclass(frozen=True)
class Range:
    from_ms: int
    to_ms: int  # exclusive

    QUERY: ClassVar[tuple[Field, ...]] = tuple(
        Custom(name, required=False, shape={"type": "string", "description": (
            f"a day (YYYY-MM-DD) or an ISO 8601 time; {meaning}")})
        for name, meaning in (("from", f"default: {DEFAULT_DAYS} days before to"),
                              ("to", "default: now"))
    )

    @classmethod
    def parse(cls, query: Any, now_ms: int) -> Range:
        to_ms = _moment(query.get("to"), "to", end=True) if query.get("to") else now_ms
        default_from = to_ms - DEFAULT_DAYS * 86_400_000
        from_ms = _moment(query.get("from"), "from", end=False) if query.get("from") \
            else default_from
        if from_ms >= to_ms:
            raise Invalid("from must be before to", "from")
        if to_ms - from_ms > MAX_DAYS * 86_400_000:
            raise Invalid(f"the range may cover at most {MAX_DAYS} days", "from")
        return cls(from_ms, to_ms)


def _moment(raw: str, field: str, *, end: bool) -> int:
    """A day (``2026-11-23``: its start, or the next day's start for ``to``) or an instant."""
    try:
        if len(raw) == 10:
            day = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
            return int((day + timedelta(days=1 if end else 0)).timestamp() * 1000)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{field} must be a date (YYYY-MM-DD) or an ISO 8601 time",
                      field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def day_of(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%Y-%m-%d")


class CallsOfBrand(Protocol):
    """The sessions side's read (sessions/brand_facts.py)."""

    async def between(self, brand_id: str, from_ms: int, to_ms: int) -> list[BrandCall]: ...


class SessionRatings(Protocol):
    """The marketplace's read (marketplace/reviews.py): visible ratings by session."""

    async def visible_ratings(self, session_ids: Sequence[str]) -> dict[str, int]: ...


class BrandAnalytics:
    """Asks the owners of the facts (sessions, reviews); reads no key of theirs itself."""

    def __init__(self, calls: CallsOfBrand, ratings: SessionRatings) -> None:
        self._calls = calls
        self._ratings = ratings

    async def collect(self, brand_id: str, span: Range) -> list[CallFacts]:
        calls = await self._calls.between(brand_id, span.from_ms, span.to_ms)
        # Only a call that went live can be reviewed, so only answered calls are asked about.
        answered = [c.session_id for c in calls if c.accepted_ms is not None]
        ratings = await self._ratings.visible_ratings(answered) if answered else {}
        return [_facts(call, ratings.get(call.session_id)) for call in calls]


def _facts(call: BrandCall, rating: int | None) -> CallFacts:
    answered = call.accepted_ms is not None
    expert = call.expert_id if answered else ""
    return CallFacts(
        session_id=call.session_id,
        created_ms=call.created_ms,
        expert_id=expert,
        rung=call.rung | ({expert} if expert else set()),
        answered=answered,
        live_ms=call.live_ms,
        wait_ms=call.accepted_ms - call.created_ms if call.accepted_ms is not None else None,
        paid_by=call.paid_by,
        amount_cents=call.amount_cents,
        rating=rating,
    )


def _figures(calls: int, rung: int, answered: Iterable[CallFacts]) -> dict[str, Any]:
    done = list(answered)
    ratings = [c.rating for c in done if c.rating is not None]
    waits = [c.wait_ms for c in done if c.wait_ms is not None]
    return {
        "calls": calls,
        "rung": rung,
        "answered": len(done),
        "answer_rate": round(len(done) / rung, 3) if rung else None,
        "live_minutes": round(sum(c.live_ms for c in done) / 60_000, 2),
        "avg_rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "ratings": len(ratings),
        "avg_wait_seconds": round(sum(waits) / len(waits) / 1000, 1) if waits else None,
        "spend_cents": sum(c.amount_cents for c in done if c.paid_by == "brand"),
        "client_paid_cents": sum(c.amount_cents for c in done if c.paid_by == "client"),
    }


def summarise(facts: list[CallFacts]) -> dict[str, Any]:
    days: dict[str, list[CallFacts]] = {}
    for call in facts:
        days.setdefault(day_of(call.created_ms), []).append(call)
    experts = sorted({e for call in facts for e in call.rung})
    return {
        "total": _figures(len(facts), sum(len(c.rung) for c in facts),
                          (c for c in facts if c.answered)),
        "by_day": [{"day": day, **_figures(len(calls), sum(len(c.rung) for c in calls),
                                           (c for c in calls if c.answered))}
                   for day, calls in sorted(days.items())],
        "by_expert": [{"expert_id": e, **_figures(
            sum(1 for c in facts if e in c.rung), sum(1 for c in facts if e in c.rung),
            (c for c in facts if c.answered and c.expert_id == e))} for e in experts],
    }
