"""An expert's bookable hours, and the free slots they leave (pure: no I/O).

Hours are wall times in the expert's own IANA zone. A slot is a real interval in UTC: an
interval of hours is turned into two instants (its start at the earlier reading of an
ambiguous wall time, its end at the later one), and slots are laid end to end from its
start. So a day that loses an hour to daylight saving offers one slot fewer, a day that
gains one offers one more, and no slot ever starts at a wall time that does not exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from appointments.times import zone
from common import validation as v
from common.errors import Invalid
from common.schema import Body, Custom, Integer, Schema, Text

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_LENGTH_MINUTES = 240
MAX_HORIZON_DAYS = 365
MAX_SLOTS = 500  # one answer; a client pages with from/to
_CLOCK = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])(?::([0-5][0-9]))?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_CLOCK_SCHEMA: Schema = {"type": "string", "pattern": _CLOCK.pattern}
_HOURS: Schema = {"type": "object", "required": ["start", "end"],
                  "properties": {"start": _CLOCK_SCHEMA, "end": _CLOCK_SCHEMA}}
_DAY: Schema = {"type": "string", "format": "date"}
DAY_MS = 86_400_000

Interval = tuple[int, int]  # [start, end) in epoch ms


def _clock(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not (m := _CLOCK.match(value)):
        raise Invalid(f"{field_name} must be a time such as 09:00", field_name)
    if m.group(1) == "24" and (m.group(2) != "00" or (m.group(3) or "00") != "00"):
        raise Invalid(f"{field_name}: 24:00 is the only time after 23:59", field_name)
    return value


def _seconds_of(clock: str) -> int:
    parts = [int(p) for p in clock.split(":")]
    return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)


def _day(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not _DATE.match(value):
        raise Invalid(f"{field_name} must be a date such as 2026-12-25", field_name)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field_name} is not a real date", field_name) from None
    return value


@dataclass(frozen=True)
class Hours:
    """One stretch of wall time, ``start`` < ``end`` (``24:00`` ends at midnight)."""

    start: str
    end: str

    @classmethod
    def parse(cls, payload: object, where: str) -> Hours:
        body = v.require_object(payload)
        start = _clock(body.get("start"), f"{where}.start")
        end = _clock(body.get("end"), f"{where}.end")
        if _seconds_of(start) >= _seconds_of(end):
            raise Invalid(f"{where}: start must come before end", where)
        return cls(start, end)


@dataclass(frozen=True)
class ExtraHours:
    date: str
    start: str
    end: str


def _hours_list(value: object, where: str) -> tuple[Hours, ...]:
    if not isinstance(value, list) or len(value) > 12:
        raise Invalid(f"{where} must be a list of at most 12 {{start, end}}", where)
    return tuple(Hours.parse(item, f"{where}[{n}]") for n, item in enumerate(value))


@dataclass(frozen=True)
class Availability:
    """What an expert offers; the cancellation and no-show terms travel with it."""

    time_zone: str
    weekly: Mapping[str, tuple[Hours, ...]]
    lengths: tuple[int, ...]
    days_off: tuple[str, ...] = ()
    extra_hours: tuple[ExtraHours, ...] = ()
    min_notice_seconds: int = 3600
    horizon_days: int = 60
    cancel_notice_seconds: int = 86_400
    late_cancel_fee_percent: int = 50
    no_show_fee_percent: int = 100

    WIRE: ClassVar[Body] = Body(
        Text("time_zone", min_len=1, max_len=64, sample="Europe/Paris"),
        Custom("weekly", required=False, sample={"mon": [{"start": "09:00", "end": "12:00"}]},
               shape={"type": "object", "additionalProperties": False, "properties": {
                   day: {"type": "array", "maxItems": 12, "items": _HOURS} for day in DAYS}}),
        Custom("lengths", sample=[30], shape={
            "type": "array", "minItems": 1, "maxItems": 8, "description": "minutes",
            "items": {"type": "integer", "minimum": 1, "maximum": MAX_LENGTH_MINUTES}}),
        Custom("days_off", required=False, sample=["2030-12-25"], shape={
            "type": "array", "maxItems": 400, "items": _DAY}),
        Custom("extra_hours", required=False, sample=[], shape={
            "type": "array", "maxItems": 400,
            "items": {**_HOURS, "required": ["date", "start", "end"],
                      "properties": {**_HOURS["properties"], "date": _DAY}}}),
        Integer("min_notice_seconds", minimum=0, maximum=30 * 86_400, default=3600),
        Integer("horizon_days", minimum=1, maximum=MAX_HORIZON_DAYS, default=60),
        Integer("cancel_notice_seconds", minimum=0, maximum=30 * 86_400, default=86_400),
        Integer("late_cancel_fee_percent", minimum=0, maximum=100, default=50),
        Integer("no_show_fee_percent", minimum=0, maximum=100, default=100),
    )

    @property
    def tz(self) -> ZoneInfo:
        # ZoneInfo keeps one instance per name: this is a lookup, not a disk read.
        return ZoneInfo(self.time_zone)

    @classmethod
    def parse(cls, payload: object) -> Availability:
        body = v.require_object(payload)
        tz_name = v.text(body, "time_zone", min_len=1, max_len=64)
        zone(tz_name)
        weekly_raw = body.get("weekly", {})
        if not isinstance(weekly_raw, Mapping) or set(weekly_raw) - set(DAYS):
            raise Invalid(f"weekly must map days ({', '.join(DAYS)}) to hours", "weekly")
        weekly = {day: _hours_list(weekly_raw.get(day, []), f"weekly.{day}") for day in DAYS}
        days_off = body.get("days_off", [])
        if not isinstance(days_off, list) or len(days_off) > 400:
            raise Invalid("days_off must be a list of dates", "days_off")
        extra_raw = body.get("extra_hours", [])
        if not isinstance(extra_raw, list) or len(extra_raw) > 400:
            raise Invalid("extra_hours must be a list of {date, start, end}", "extra_hours")
        extras = []
        for n, item in enumerate(extra_raw):
            hours = Hours.parse(item, f"extra_hours[{n}]")
            extras.append(ExtraHours(_day(v.require_object(item).get("date"),
                                          f"extra_hours[{n}].date"), hours.start, hours.end))
        lengths = body.get("lengths")
        if (not isinstance(lengths, list) or not 1 <= len(lengths) <= 8
                or not all(isinstance(n, int) and not isinstance(n, bool)
                           and 1 <= n <= MAX_LENGTH_MINUTES for n in lengths)):
            raise Invalid(f"lengths must list 1 to 8 durations in minutes, 1 to "
                          f"{MAX_LENGTH_MINUTES}", "lengths")
        return cls(
            time_zone=tz_name,
            weekly=weekly,
            lengths=tuple(sorted(set(lengths))),
            days_off=tuple(sorted({_day(d, "days_off") for d in days_off})),
            extra_hours=tuple(extras),
            min_notice_seconds=v.integer(body, "min_notice_seconds", minimum=0,
                                         maximum=30 * 86_400, default=3600),
            horizon_days=v.integer(body, "horizon_days", minimum=1, maximum=MAX_HORIZON_DAYS,
                                   default=60),
            cancel_notice_seconds=v.integer(body, "cancel_notice_seconds", minimum=0,
                                            maximum=30 * 86_400, default=86_400),
            late_cancel_fee_percent=v.integer(body, "late_cancel_fee_percent", minimum=0,
                                              maximum=100, default=50),
            no_show_fee_percent=v.integer(body, "no_show_fee_percent", minimum=0,
                                          maximum=100, default=100),
        )

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data["weekly"] = {day: [asdict(h) for h in self.weekly.get(day, ())] for day in DAYS}
        data["lengths"] = list(self.lengths)
        data["days_off"] = list(self.days_off)
        data["extra_hours"] = [asdict(e) for e in self.extra_hours]
        return data

    def to_json(self) -> str:
        return json.dumps(self.public())

    @classmethod
    def from_json(cls, raw: str) -> Availability:
        # Stored documents were validated when saved; parsing again keeps one reader.
        return cls.parse(json.loads(raw))

    # -- slots -----------------------------------------------------------------------

    def _instant(self, day: date, clock: str, fold: int) -> int:
        # Naive arithmetic on the wall clock (24:00 is the next midnight); the zone then
        # picks the offset of that wall time, at the reading (fold) asked for.
        naive = datetime.combine(day, time()) + timedelta(seconds=_seconds_of(clock))
        return int(naive.replace(tzinfo=self.tz, fold=fold).timestamp() * 1000)

    def _open_on(self, day: date) -> Iterator[Interval]:
        iso = day.isoformat()
        hours: list[tuple[str, str]] = []
        if iso not in self.days_off:
            hours += [(h.start, h.end) for h in self.weekly.get(DAYS[day.weekday()], ())]
        hours += [(e.start, e.end) for e in self.extra_hours if e.date == iso]
        for start, end in hours:
            yield self._instant(day, start, 0), self._instant(day, end, 1)

    def open_intervals(self, from_ms: int, to_ms: int) -> list[Interval]:
        """The expert's hours touching [from, to), merged, as UTC intervals."""
        first = datetime.fromtimestamp(from_ms / 1000, tz=self.tz).date() - timedelta(days=1)
        last = datetime.fromtimestamp(to_ms / 1000, tz=self.tz).date() + timedelta(days=1)
        raw: list[Interval] = []
        day = first
        while day <= last:
            raw += [(s, e) for s, e in self._open_on(day) if e > from_ms and s < to_ms and s < e]
            day += timedelta(days=1)
        merged: list[Interval] = []
        for start, end in sorted(raw):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def free_slots(
        self, length_minutes: int, from_ms: int, to_ms: int, now_ms: int,
        busy: Sequence[Interval] = (),
    ) -> list[Interval]:
        """Slots of ``length_minutes`` starting in [from, to), bookable at ``now_ms``."""
        if length_minutes not in self.lengths:
            raise Invalid(f"length must be one of {list(self.lengths)}", "length")
        step = length_minutes * 60_000
        earliest = max(from_ms, now_ms + self.min_notice_seconds * 1000)
        latest = min(to_ms, now_ms + self.horizon_days * DAY_MS)
        if earliest >= latest:
            return []
        slots: list[Interval] = []
        for open_start, open_end in self.open_intervals(earliest, latest + step):
            start = open_start
            while start + step <= open_end and len(slots) < MAX_SLOTS:
                end = start + step
                if earliest <= start < latest and not any(
                        b_start < end and start < b_end for b_start, b_end in busy):
                    slots.append((start, end))
                start = end
        return slots

    def offers(self, start_ms: int, length_minutes: int, now_ms: int) -> bool:
        """Whether this exact slot is one the expert's hours offer now (busy or not)."""
        return (start_ms, start_ms + length_minutes * 60_000) in self.free_slots(
            length_minutes, start_ms, start_ms + 1, now_ms)
