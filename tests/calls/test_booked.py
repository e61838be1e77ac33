"""When a booked call opens: from 5 minutes before the start until the end, while booked."""

from __future__ import annotations

import dataclasses

import pytest

from appointments.booking import Booking
from calls.booked import BOOKED_CALL_OPENS_MS, check_open
from sessions.errors import WrongState

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

START, END = 10_000_000, 13_600_000
BOOKING = Booking(
    id="bk_1", state="booked", client_id="u_c", expert_id="u_e", client_name="C",
    expert_name="E", topic="", start_ms=START, end_ms=END, length_minutes=60,
    pricing_mode="free", rate_cents=0, hold_cents=0, currency="eur", time_zone="UTC",
    created_ms=0, sequence=0, cancel_notice_ms=0, joined_client_ms=None, joined_expert_ms=None,
    proposed_start_ms=None, proposed_end_ms=None, proposed_by="", cancelled_by="",
    no_show_by="", closed_ms=None, amount_cents=0, platform_fee_cents=0,
    expert_payout_cents=0)


@pytest.mark.parametrize("now", [START - BOOKED_CALL_OPENS_MS, START, END - 1])
def test_open_from_five_minutes_before_until_the_end(now: int) -> None:
    check_open(BOOKING, now)
    check_open(dataclasses.replace(BOOKING, state="attended"), now)


@pytest.mark.parametrize(("booking", "now", "message"), [
    (BOOKING, START - BOOKED_CALL_OPENS_MS - 1, "opens 5 minutes before"),
    (BOOKING, END, "is over"),
    (dataclasses.replace(BOOKING, state="cancelled"), START, "is cancelled"),
    (dataclasses.replace(BOOKING, state="no_show"), START, "is no show"),
])
def test_closed_otherwise(booking: Booking, now: int, message: str) -> None:
    with pytest.raises(WrongState, match=message) as raised:
        check_open(booking, now)
    assert raised.value.code == "conflict"
