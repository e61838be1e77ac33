"""The iCalendar text on its own: folding, escaping, zones and the repeated autumn hour."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from appointments.booking import Booking
from appointments.ics import Invite, calendar, escape_text, fold
from tests.appointments.ical import instant, parse, physical_lines, unescape


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def booking(start: str, time_zone: str, **changes: Any) -> Booking:
    fields = {
        "id": "bk_0123456789abcdef0123", "state": "booked", "client_id": "a_c1c1c1c1c1",
        "expert_id": "a_e1e1e1e1e1", "client_name": "Zoé", "expert_name": "Jean, le chef",
        "topic": "Béchamel; roux, \\ and a\nsecond line", "start_ms": str(ms(start)),
        "end_ms": str(ms(start) + 3_600_000), "length_minutes": "60",
        "pricing_mode": "per_minute", "rate_cents": "120", "hold_cents": "7200",
        "currency": "EUR", "time_zone": time_zone, "created_at": str(ms("2026-01-01T00:00Z")),
        "sequence": "2", "cancel_notice_ms": "86400000"} | changes
    return Booking.from_hash(fields)


def test_escaping_round_trips() -> None:
    text = "a,b;c\\d\ne"
    assert escape_text(text) == "a\\,b\\;c\\\\d\\ne"
    assert unescape(escape_text(text)) == text


def test_folding_keeps_utf8_sequences_whole() -> None:
    line = "DESCRIPTION:" + "é" * 100 + "x" * 50
    folded = fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_an_invite_reads_back_in_the_expert_zone() -> None:
    b = booking("2026-03-29T01:00:00Z", "Europe/Paris")  # 03:00 CEST, the day clocks change
    text = calendar([Invite(b, b.client_id, "https://example.test/appointments/" + b.id)],
                    ms("2026-03-01T12:00:00Z"), "helpcall")
    cal = parse(text)
    assert cal.get("VERSION").value == "2.0"
    assert cal.get("PRODID").value
    [event] = cal.all("VEVENT")
    assert event.get("UID").value == f"{b.id}@helpcall"
    assert event.get("DTSTAMP").value == "20260301T120000Z"
    assert event.get("SEQUENCE").value == "2"
    start = event.get("DTSTART")
    assert start.params == {"TZID": "Europe/Paris"} and start.value == "20260329T030000"
    assert instant(cal, start) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert instant(cal, event.get("DTEND")) == datetime(2026, 3, 29, 2, tzinfo=UTC)
    # A day before the change, the same zone resolves to winter time.
    assert instant(cal, type(start)("DTSTART", start.params, "20260328T030000")) == \
        datetime(2026, 3, 28, 2, tzinfo=UTC)
    assert unescape(event.get("SUMMARY").value) == \
        "helpcall: Béchamel; roux, \\ and a\nsecond line with Jean, le chef"
    assert "https://example.test/appointments/" + b.id in unescape(
        event.get("DESCRIPTION").value)
    assert event.get("STATUS").value == "CONFIRMED"
    assert any(line.startswith(" ") for line in physical_lines(text))  # something was folded


def test_the_second_reading_of_a_repeated_hour_is_written_in_utc() -> None:
    # 2026-10-25 01:30Z is 02:30 CET, the second 02:30 of that night in Paris.
    b = booking("2026-10-25T01:30:00Z", "Europe/Paris")
    cal = parse(calendar([Invite(b, b.expert_id, "https://x.test/appointments/" + b.id)],
                         ms("2026-10-01T00:00:00Z"), "helpcall"))
    [event] = cal.all("VEVENT")
    assert event.get("DTSTART").value == "20261025T013000Z"
    assert instant(cal, event.get("DTEND")) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    assert "with Zoé" in unescape(event.get("SUMMARY").value)


def test_new_york_and_a_cancelled_booking_in_one_feed() -> None:
    ny = booking("2026-11-01T14:00:00Z", "America/New_York")
    gone = booking("2026-07-01T09:00:00Z", "Europe/Paris", id="bk_ffffffffffffffffffff",
                   state="cancelled")
    cal = parse(calendar([Invite(ny, ny.client_id, "u"), Invite(gone, gone.client_id, "u")],
                         ms("2026-06-01T00:00:00Z"), "helpcall", name="helpcall"))
    assert sorted(z.get("TZID").value for z in cal.all("VTIMEZONE")) == [
        "America/New_York", "Europe/Paris"]
    first, second = cal.all("VEVENT")
    assert first.get("DTSTART").value == "20261101T090000"  # 09:00 EST, after the change
    assert instant(cal, first.get("DTSTART")) == datetime(2026, 11, 1, 14, tzinfo=UTC)
    assert second.get("STATUS").value == "CANCELLED"


def test_the_cancellation_deadline_reads_as_a_date_and_a_blank_topic_is_left_out() -> None:
    b = booking("2026-12-10T09:30:00Z", "Europe/Paris", topic="  ")  # 10:30 in Paris
    [event] = parse(calendar([Invite(b, b.client_id, "https://x.test/a")],
                             ms("2026-12-01T00:00:00Z"), "helpcall")).all("VEVENT")
    description = unescape(event.get("DESCRIPTION").value)
    assert "Free cancellation until Wed 9 Dec 2026, 10:30 (Europe/Paris time; 09:30 UTC)." \
        in description
    assert "Topic" not in description and "T0930" not in description
    assert unescape(event.get("SUMMARY").value) == "helpcall call with Jean, le chef"
