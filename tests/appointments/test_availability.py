"""Free slots from an expert's hours: zones, daylight-saving changes, exceptions, limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from appointments.availability import Availability
from appointments.times import wall_time
from common.errors import Invalid
from common.timefmt import iso_ms

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


LONG_AGO = ms("2026-01-01T00:00:00Z")


def hours(time_zone: str, **changes: Any) -> Availability:
    body: dict[str, Any] = {"time_zone": time_zone, "weekly": {}, "lengths": [60],
                            "min_notice_seconds": 0, "horizon_days": 365}
    return Availability.parse(body | changes)


def starts(av: Availability, length: int, start: str, end: str, now: int = LONG_AGO,
           busy: list[tuple[int, int]] | None = None) -> list[str]:
    return [iso_ms(s) for s, _ in av.free_slots(length, ms(start), ms(end), now, busy or [])]


def night(time_zone: str) -> Availability:
    return hours(time_zone, weekly={"sun": [{"start": "01:00", "end": "04:00"}]})


def test_paris_spring_forward_loses_the_missing_hour() -> None:
    # 2026-03-29: Paris jumps from 02:00 CET to 03:00 CEST; 01:00-04:00 lasts two hours.
    slots = starts(night("Europe/Paris"), 60, "2026-03-28T00:00:00Z", "2026-03-30T00:00:00Z")
    assert slots == ["2026-03-29T00:00:00.000Z", "2026-03-29T01:00:00.000Z"]
    paris = ZoneInfo("Europe/Paris")
    assert [wall_time(ms(s), paris) for s in slots] == [
        "2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"]


def test_paris_fall_back_offers_the_repeated_hour() -> None:
    # 2026-10-25: 03:00 CEST becomes 02:00 CET; 01:00-04:00 lasts four hours.
    slots = starts(night("Europe/Paris"), 60, "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z")
    assert slots == ["2026-10-24T23:00:00.000Z", "2026-10-25T00:00:00.000Z",
                     "2026-10-25T01:00:00.000Z", "2026-10-25T02:00:00.000Z"]
    paris = ZoneInfo("Europe/Paris")
    assert [wall_time(ms(s), paris) for s in slots] == [
        "2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"]


def test_new_york_spring_forward_and_fall_back() -> None:
    ny = night("America/New_York")
    assert starts(ny, 60, "2026-03-07T00:00:00Z", "2026-03-09T00:00:00Z") == [
        "2026-03-08T06:00:00.000Z", "2026-03-08T07:00:00.000Z"]  # 01:00 EST, 03:00 EDT
    assert starts(ny, 60, "2026-10-31T00:00:00Z", "2026-11-02T00:00:00Z") == [
        "2026-11-01T05:00:00.000Z", "2026-11-01T06:00:00.000Z",   # 01:00 EDT, 01:00 EST
        "2026-11-01T07:00:00.000Z", "2026-11-01T08:00:00.000Z"]   # 02:00, 03:00 EST


def test_weekly_hours_keep_their_wall_time_across_the_change() -> None:
    av = hours("Europe/Paris", weekly={"mon": [{"start": "09:00", "end": "10:00"}]})
    assert starts(av, 60, "2026-03-23T00:00:00Z", "2026-04-01T00:00:00Z") == [
        "2026-03-23T08:00:00.000Z", "2026-03-30T07:00:00.000Z"]
    assert starts(av, 60, "2026-10-19T00:00:00Z", "2026-10-28T00:00:00Z") == [
        "2026-10-19T07:00:00.000Z", "2026-10-26T08:00:00.000Z"]


def test_a_client_in_another_zone_sees_the_expert_hours_move_in_the_gap_weeks() -> None:
    # America changes on 8 March, Europe on 29 March: 09:00 in Paris is 04:00 in New York
    # for three weeks, 03:00 before and after.
    av = hours("Europe/Paris", weekly={"mon": [{"start": "09:00", "end": "10:00"}]})
    ny = ZoneInfo("America/New_York")
    local = [wall_time(ms(s), ny) for s in
             starts(av, 60, "2026-03-02T00:00:00Z", "2026-04-01T00:00:00Z")]
    assert local == ["2026-03-02T03:00:00-05:00", "2026-03-09T04:00:00-04:00",
                     "2026-03-16T04:00:00-04:00", "2026-03-23T04:00:00-04:00",
                     "2026-03-30T03:00:00-04:00"]


def test_slots_are_laid_end_to_end_and_respect_busy_times() -> None:
    av = hours("UTC", weekly={"tue": [{"start": "09:00", "end": "11:00"}]}, lengths=[30, 60])
    window = ("2026-06-02T00:00:00Z", "2026-06-03T00:00:00Z")
    assert starts(av, 30, *window) == ["2026-06-02T09:00:00.000Z", "2026-06-02T09:30:00.000Z",
                                       "2026-06-02T10:00:00.000Z", "2026-06-02T10:30:00.000Z"]
    busy = [(ms("2026-06-02T09:15:00Z"), ms("2026-06-02T09:45:00Z"))]
    assert starts(av, 30, *window, busy=busy) == ["2026-06-02T10:00:00.000Z",
                                                  "2026-06-02T10:30:00.000Z"]
    assert starts(av, 60, *window, busy=busy) == ["2026-06-02T10:00:00.000Z"]
    with pytest.raises(Invalid):
        av.free_slots(45, ms(window[0]), ms(window[1]), LONG_AGO)


def test_days_off_and_extra_hours() -> None:
    av = hours("Europe/Paris",
               weekly={d: [{"start": "09:00", "end": "10:00"}] for d in ("mon", "tue")},
               days_off=["2026-06-01"],
               extra_hours=[{"date": "2026-06-06", "start": "18:00", "end": "19:00"},
                            {"date": "2026-06-02", "start": "09:30", "end": "11:00"}])
    assert starts(av, 60, "2026-06-01T00:00:00Z", "2026-06-08T00:00:00Z") == [
        "2026-06-02T07:00:00.000Z", "2026-06-02T08:00:00.000Z",  # merged 09:00-11:00
        "2026-06-06T16:00:00.000Z"]


def test_minimum_notice_and_horizon() -> None:
    av = hours("UTC", weekly={d: [{"start": "09:00", "end": "10:00"}]
                              for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
               min_notice_seconds=86_400, horizon_days=3)
    now = ms("2026-06-01T09:30:00Z")
    assert starts(av, 60, "2026-06-01T00:00:00Z", "2026-06-10T00:00:00Z", now=now) == [
        "2026-06-03T09:00:00.000Z", "2026-06-04T09:00:00.000Z"]
    assert av.offers(ms("2026-06-03T09:00:00Z"), 60, now)
    assert not av.offers(ms("2026-06-02T09:00:00Z"), 60, now)  # inside the notice
    assert not av.offers(ms("2026-06-03T09:30:00Z"), 60, now)  # not on the grid


def test_seconds_in_hours_and_midnight_end() -> None:
    av = hours("UTC", extra_hours=[{"date": "2026-06-01", "start": "23:00:30", "end": "24:00"}],
               lengths=[15])
    assert starts(av, 15, "2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z")[0] == \
        "2026-06-01T23:00:30.000Z"


@pytest.mark.parametrize("change, field", [
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"weekly": {"monday": []}}, "weekly"),
    ({"weekly": {"mon": [{"start": "10:00", "end": "09:00"}]}}, "weekly.mon[0]"),
    ({"weekly": {"mon": [{"start": "9h", "end": "10:00"}]}}, "weekly.mon[0].start"),
    ({"lengths": [0]}, "lengths"),
    ({"lengths": []}, "lengths"),
    ({"days_off": ["2026-02-30"]}, "days_off"),
    ({"late_cancel_fee_percent": 101}, "late_cancel_fee_percent"),
])
def test_bad_availability_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        Availability.parse({"time_zone": "UTC", "weekly": {}, "lengths": [60]} | change)
    assert caught.value.field == field


def test_round_trip_through_json() -> None:
    av = hours("Europe/Paris", weekly={"mon": [{"start": "09:00", "end": "12:00"}]},
               days_off=["2026-12-25"], lengths=[60, 15, 30])
    again = Availability.from_json(av.to_json())
    assert again == av
    assert again.public()["lengths"] == [15, 30, 60]
    assert again.public()["cancel_notice_seconds"] == 86_400
