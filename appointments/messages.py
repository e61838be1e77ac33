"""The appointment requests, validating themselves."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar
from zoneinfo import ZoneInfo

from appointments.times import instant_field, parse_instant, zone
from common import validation as v
from common.errors import Invalid
from common.schema import Body, Custom, Field, Identifier, Integer, Schema, Text
from sessions.agreed import expected_pricing
from sessions.pricing import PRICING_SCHEMA, Pricing

MAX_SLOT_SPAN_MS = 31 * 86_400_000
DEFAULT_SLOT_SPAN_MS = 7 * 86_400_000
INSTANT: Schema = {"type": "string", "format": "date-time", "maxLength": 40,
                   "description": "ISO 8601 with its offset"}
START = Custom("start", shape=INSTANT, sample="2030-01-07T10:00:00Z")


@dataclass(frozen=True)
class SlotQuery:
    """``?from=&to=&length=&tz=``: a window (at most 31 days), a length, the client's zone."""

    from_ms: int | None
    to_ms: int | None
    length_minutes: int | None
    tz: ZoneInfo

    QUERY: ClassVar[tuple[Field, ...]] = (
        Custom("from", required=False, shape=INSTANT), Custom("to", required=False, shape=INSTANT),
        Integer("length", required=False, minimum=1, maximum=9999,
                description="minutes; one of the expert's lengths"),
        Text("tz", default="UTC", max_len=64, description="the client's IANA time zone"),
    )

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> SlotQuery:
        from_ms = parse_instant(query["from"], "from") if query.get("from") else None
        to_ms = parse_instant(query["to"], "to") if query.get("to") else None
        if from_ms is not None and to_ms is not None:
            if to_ms <= from_ms:
                raise Invalid("to must come after from", "to")
            if to_ms - from_ms > MAX_SLOT_SPAN_MS:
                raise Invalid("ask for at most 31 days at a time", "to")
        length = None
        if query.get("length"):
            raw = query["length"]
            if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
                raise Invalid("length must be a number of minutes", "length")
            length = int(raw)
        return cls(from_ms, to_ms, length, zone(query.get("tz") or "UTC", "tz"))

    def window(self, now_ms: int) -> tuple[int, int]:
        start = self.from_ms if self.from_ms is not None else now_ms
        end = self.to_ms if self.to_ms is not None else start + DEFAULT_SLOT_SPAN_MS
        return start, min(end, start + MAX_SLOT_SPAN_MS)


@dataclass(frozen=True)
class BookingRequest:
    expert_id: str
    start_ms: int
    length_minutes: int
    topic: str
    # The price the client was shown (protocol §7.2); None from clients that send none.
    expected_pricing: Pricing | None = None

    WIRE: ClassVar[Body] = Body(
        Identifier("expert_id"), START, Integer("length_minutes", minimum=1, maximum=240),
        Text("topic", min_len=1, max_len=200),
        Custom("expected_pricing", required=False, shape=PRICING_SCHEMA,
               sample={"mode": "free"}, description="the price the client was shown (§7.2)"),
    )

    @classmethod
    def parse(cls, payload: object) -> BookingRequest:
        body = v.require_object(payload)
        return cls(
            expert_id=v.identifier(body, "expert_id"),
            start_ms=instant_field(body, "start"),
            length_minutes=v.integer(body, "length_minutes", minimum=1, maximum=240),
            topic=v.text(body, "topic", min_len=1, max_len=200),
            expected_pricing=expected_pricing(body),
        )


@dataclass(frozen=True)
class RescheduleRequest:
    start_ms: int

    WIRE: ClassVar[Body] = Body(START)

    @classmethod
    def parse(cls, payload: object) -> RescheduleRequest:
        return cls(instant_field(v.require_object(payload), "start"))


_NOTIFICATION_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@dataclass(frozen=True)
class MarkRead:
    """``POST /notifications/read``: read up to the newest notification the app showed
    (``until``, its ``at``), or everything when absent."""

    until: str | None

    WIRE: ClassVar[Body] = Body(Text("until", required=False, max_len=24,
                                     pattern=_NOTIFICATION_TIME.pattern,
                                     sample="2026-11-23T10:00:00.000Z"))

    @classmethod
    def parse(cls, payload: object) -> MarkRead:
        body = v.require_object(payload)
        until = v.optional_text(body, "until", max_len=24)
        if until is not None and not _NOTIFICATION_TIME.match(until):
            raise Invalid("until must be a notification's at, like 2026-11-23T10:00:00.000Z",
                          "until")
        return cls(until)

