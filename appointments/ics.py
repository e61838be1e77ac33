"""iCalendar (RFC 5545) text for bookings: one invite, or an account's feed (pure: no I/O).

Times are given in the expert's zone (``DTSTART;TZID=...``) with a ``VTIMEZONE`` built from
the tz database around the events, so a calendar shows the zone the expert works in; a start
in the second reading of an ambiguous wall time (the hour repeated in autumn) is written in
UTC instead, since a ``TZID`` wall time there means the first reading (RFC 5545 §3.3.5).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from appointments.booking import Booking

PRODID = "-//helpcall//appointments//EN"
_SCAN_STEP = timedelta(days=1)


def escape_text(value: str) -> str:
    """A TEXT value (§3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line: str) -> str:
    """Fold to lines of at most 75 octets (§3.1), never inside a UTF-8 sequence."""
    data = line.encode("utf-8")
    parts: list[bytes] = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a continuation byte: step back
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = 74  # continuation lines begin with one space
    parts.append(data)
    return "\r\n ".join(p.decode("utf-8") for p in parts)


def _utc(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms // 1000, tz=UTC).strftime("%Y%m%dT%H%M%SZ")


def _offset(delta: timedelta | None) -> str:
    seconds = int((delta or timedelta()).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _transitions(tz: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """The UTC instants in [start, end) where the zone's offset changes, to the second."""
    moment = start
    while moment < end:
        after = moment + _SCAN_STEP
        if moment.astimezone(tz).utcoffset() != after.astimezone(tz).utcoffset():
            low, high = moment, after
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset():
                    low = middle
                else:
                    high = middle
            yield high.replace(microsecond=0)
        moment = after


def vtimezone(name: str, first_ms: int, last_ms: int) -> list[str]:
    """A VTIMEZONE covering the year before the first event to the year after the last."""
    first = datetime.fromtimestamp(first_ms / 1000, tz=UTC).year
    last = datetime.fromtimestamp(last_ms / 1000, tz=UTC).year
    return list(_vtimezone_years(name, first - 1, last + 2))


@lru_cache(maxsize=256)
def _vtimezone_years(name: str, first_year: int, end_year: int) -> tuple[str, ...]:
    """The VTIMEZONE from 1 January of ``first_year`` to that of ``end_year``: the same for
    every invite in those years, and finding the transitions was most of the CPU a booking
    cost (every booking mail carries one), so it is worked out once per zone and years."""
    tz = ZoneInfo(name)
    begin = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(end_year, 1, 1, tzinfo=UTC)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]

    def observance(at: datetime, before: timedelta | None) -> None:
        local = at.astimezone(tz)
        kind = "DAYLIGHT" if local.dst() else "STANDARD"
        wall = at + (before or timedelta())  # DTSTART is local to the offset in force before
        lines.extend([
            f"BEGIN:{kind}",
            f"DTSTART:{wall.strftime('%Y%m%dT%H%M%S')}",
            f"TZOFFSETFROM:{_offset(before)}",
            f"TZOFFSETTO:{_offset(local.utcoffset())}",
            f"TZNAME:{escape_text(local.tzname() or name)}",
            f"END:{kind}",
        ])

    observance(begin, begin.astimezone(tz).utcoffset())
    for change in _transitions(tz, begin, end):
        observance(change, (change - timedelta(seconds=1)).astimezone(tz).utcoffset())
    lines.append("END:VTIMEZONE")
    return tuple(lines)


def _when(prop: str, epoch_ms: int, tz: ZoneInfo, tz_name: str) -> str:
    local = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).astimezone(tz)
    first_reading = local.replace(fold=0)
    if int(first_reading.timestamp() * 1000) // 1000 != epoch_ms // 1000:
        return f"{prop}:{_utc(epoch_ms)}"
    return f"{prop};TZID={tz_name}:{local.strftime('%Y%m%dT%H%M%S')}"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def readable_moment(epoch_ms: int, tz: ZoneInfo, tz_name: str) -> str:
    """A moment as a person reads it in a calendar's notes: ``Wed 9 Dec 2026, 10:30
    (Europe/Paris time; 09:30 UTC)``; English whatever the locale, like the rest of the file."""
    utc = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    local = utc.astimezone(tz)
    day = f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"
    if tz_name == "UTC":
        return f"{day}, {local:%H:%M} UTC"
    return f"{day}, {local:%H:%M} ({tz_name} time; {utc:%H:%M} UTC)"


@dataclass(frozen=True)
class Invite:
    booking: Booking
    viewer_id: str
    join_url: str


@dataclass(frozen=True)
class Scheduling:
    """iTIP (RFC 5546) for an invite sent by mail: ``REQUEST`` (new or moved, with its
    SEQUENCE) or ``CANCEL``, from an organizer to attendees (name, address)."""

    method: str
    organizer: str
    attendees: tuple[tuple[str, str], ...]

    def lines(self) -> list[str]:
        found = [f"ORGANIZER;CN={_param('helpcall')}:mailto:{self.organizer}"]
        found += [f"ATTENDEE;CN={_param(name)};ROLE=REQ-PARTICIPANT:mailto:{address}"
                  for name, address in self.attendees]
        return found


def _param(value: str) -> str:
    # A parameter value is quoted (RFC 5545 §3.2); DQUOTE and controls cannot appear in it.
    return '"' + "".join(c for c in value if c >= " " and c != '"') + '"'


def _event(invite: Invite, stamp_ms: int, host: str,
           scheduling: Scheduling | None = None) -> list[str]:
    b = invite.booking
    tz = ZoneInfo(b.time_zone)
    other = b.expert_name if invite.viewer_id == b.client_id else b.client_name
    status = "CANCELLED" if b.state in ("cancelled", "no_show") else "CONFIRMED"
    topic = f"Topic: {b.topic}\n" if b.topic.strip() else ""
    deadline = readable_moment(b.start_ms - b.cancel_notice_ms, tz, b.time_zone)
    description = f"Join: {invite.join_url}\n{topic}Free cancellation until {deadline}."
    summary = (f"helpcall: {b.topic} with {other}" if b.topic.strip()
               else f"helpcall call with {other}")
    return [
        "BEGIN:VEVENT",
        f"UID:{b.id}@{host}",
        f"DTSTAMP:{_utc(stamp_ms)}",
        f"SEQUENCE:{b.sequence}",
        _when("DTSTART", b.start_ms, tz, b.time_zone),
        _when("DTEND", b.end_ms, tz, b.time_zone),
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{invite.join_url}",
        f"STATUS:{status}",
        "TRANSP:OPAQUE",
        *(scheduling.lines() if scheduling else []),
        "END:VEVENT",
    ]


def calendar(invites: Iterable[Invite], stamp_ms: int, host: str,
             name: str | None = None, scheduling: Scheduling | None = None) -> str:
    """The whole VCALENDAR, CRLF line ends, every line folded."""
    invites = list(invites)
    method = scheduling.method if scheduling else "PUBLISH"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             f"METHOD:{method}"]
    if name is not None:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    zones: dict[str, list[int]] = {}
    for invite in invites:
        b = invite.booking
        zones.setdefault(b.time_zone, []).extend([b.start_ms, b.end_ms])
    for zone_name, moments in sorted(zones.items()):
        lines += vtimezone(zone_name, min(moments), max(moments))
    for invite in invites:
        lines += _event(invite, stamp_ms, host, scheduling)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
