"""A brand's figures over a time range: per day, per expert, and in total.

Read from the brand's sessions index (every session of a brand call, by creation) and the
session hashes, which are kept after the end. Definitions (docs/brands.md):
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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import redis.asyncio as aioredis

from common.errors import Invalid
from common.redisvalues import text_map, text_or_none
from common.schema import Custom, Field
from marketplace import keys as market_keys
from sessions.keys import brand_sessions_key, session_key

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


async def collect(redis: aioredis.Redis, brand_id: str, span: Range) -> list[CallFacts]:
    ids = [str(text_or_none(i)) for i in await redis.zrangebyscore(
        brand_sessions_key(brand_id), span.from_ms, f"({span.to_ms}")]
    if not ids:
        return []
    async with redis.pipeline(transaction=False) as pipe:
        for session_id in ids:
            pipe.hgetall(session_key(session_id))
            pipe.smembers(session_key(session_id) + ":rung")
            pipe.get(market_keys.session_review(session_id))
        replies = await pipe.execute()
    rows = [(text_map(replies[n]), {str(text_or_none(r)) for r in replies[n + 1]},
             text_or_none(replies[n + 2])) for n in range(0, len(replies), 3)]
    review_ids = [review for _, _, review in rows if review]
    ratings: dict[str, int] = {}
    if review_ids:
        async with redis.pipeline(transaction=False) as pipe:
            for review_id in review_ids:
                pipe.hmget(market_keys.review(review_id), "rating", "hidden")
            for review_id, (rating, hidden) in zip(review_ids, await pipe.execute(),
                                                   strict=True):
                if rating is not None and hidden != "1":
                    ratings[review_id] = int(rating)
    return [_facts(fields, rung, ratings.get(review or ""))
            for fields, rung, review in rows if fields]


def _facts(fields: dict[str, str], rung: set[str], rating: int | None) -> CallFacts:
    created = int(fields["created_at"])
    accepted = fields.get("accepted_at", "")
    expert = fields.get("expert_id", "") if accepted else ""
    return CallFacts(
        session_id=fields["id"],
        created_ms=created,
        expert_id=expert,
        rung=frozenset(rung | ({expert} if expert else set())),
        answered=bool(accepted),
        live_ms=int(fields.get("live_ms") or 0),
        wait_ms=int(accepted) - created if accepted else None,
        paid_by=fields.get("paid_by", "none"),
        amount_cents=int(fields.get("amount_cents") or 0),
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
