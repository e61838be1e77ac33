"""Appointments: availability, slots, bookings, reschedules, calendars, notifications.

Also the wiring pieces the factory needs: the lookup of an expert's terms in the
marketplace, and the cleanup context running the reminder and no-show loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from accounts.models import Role
from appointments.availability import Availability
from appointments.errors import NoSuchBooking
from appointments.feeds import FeedTokens
from appointments.ics import Invite, calendar
from appointments.inbox import Inbox
from appointments.messages import BookingRequest, MarkRead, RescheduleRequest, SlotQuery
from appointments.notify import Notifier
from appointments.service import Appointments, ExpertLookup, ExpertTerms
from appointments.settings import AppointmentSettings
from appointments.store import BookingStore, StoreRules
from common.ids import looks_like_id
from common.loops import stop_all
from common.schema import Schema
from marketplace.errors import NoSuchExpert
from marketplace.experts import Experts
from server.api.shapes import BOOKING
from server.apidoc import (
    BOOLEAN,
    CENTS,
    ID,
    INTEGER,
    STRING,
    TIME,
    Raw,
    array,
    described,
    enum,
    obj,
)
from server.config import Config
from server.http import caller, caller_with_role, read_json
from server.keys import APPOINTMENTS, CONFIG, EXPERTS, REDIS, TRUST
from sessions.pricing import Pricing, PricingMode

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

UID_HOST = "helpcall"
# An in-app notification (appointments/lua/prelude.lua ``notify``); each kind adds its own
# fields (client_name, cancelled_by, ...), which the schema lets through.
BOOKING_NOTICE = obj(
    id=STRING, kind=enum("booking.created", "booking.cancelled", "booking.reminder",
                         "booking.no_show", "booking.reschedule_proposed",
                         "booking.reschedule_declined", "booking.rescheduled"),
    booking_id=ID, starts_at=TIME, ends_at=TIME, topic=STRING, at=TIME, read=BOOLEAN)
# A call's dispute opened, answered or decided (trust/dispute_service.py, docs/trust.md).
DISPUTE_NOTICE = obj(
    id=STRING, kind=enum("dispute.opened", "dispute.answered", "dispute.decided"),
    session_id=ID, at=TIME, outcome=STRING, refund_cents=CENTS, read=BOOLEAN)
NOTIFICATION: Schema = {"anyOf": [BOOKING_NOTICE, DISPUTE_NOTICE]}
_BOOKING_ID = "{booking_id:[a-z]{1,4}_[0-9a-f]{8,40}}"
AVAILABILITY = obj(
    time_zone=STRING, weekly=Availability.WIRE["weekly"].schema(), lengths=array(INTEGER),
    days_off=array(STRING),
    extra_hours=array(obj(date=STRING, start=STRING, end=STRING)),
    min_notice_seconds=INTEGER, horizon_days=INTEGER, cancel_notice_seconds=INTEGER,
    late_cancel_fee_percent=INTEGER, no_show_fee_percent=INTEGER,
)


def expert_terms(experts: Experts) -> ExpertLookup:
    async def lookup(expert_id: str) -> ExpertTerms | None:
        try:
            card = await experts.public(expert_id)
        except NoSuchExpert:
            return None
        pricing = card["pricing"]
        return ExpertTerms(str(card["display_name"]),
                           Pricing(PricingMode(pricing["mode"]), int(pricing["amount_cents"])))

    return lookup


def appointments_ctx(
    settings_of: Callable[[Config], AppointmentSettings],
    notifier_of: Callable[[web.Application], Notifier],
) -> Callable[[web.Application], AsyncIterator[None]]:
    """The cleanup context: the service under ``APPOINTMENTS`` and its deadline loop.
    Goes after the context that sets ``EXPERTS``."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        config = app[CONFIG]
        settings = settings_of(config)
        store = BookingStore(app[REDIS], StoreRules(
            currency=config.currency, billing_stream=config.billing_stream,
            platform_fee_percent=config.platform_fee_percent,
            reminder_offsets_ms=settings.reminder_offsets_ms, no_show_ms=settings.no_show_ms,
            notifications_kept=settings.notifications_kept,
            lease_ms=int(config.lease_seconds * 1000),
        ))
        service = Appointments(store, FeedTokens(app[REDIS]),
                               Inbox(app[REDIS], settings.notifications_kept),
                               expert_terms(app[EXPERTS]), notifier_of(app), settings)
        app[APPOINTMENTS] = service
        loop = service.loop()
        task = asyncio.create_task(loop.run())
        try:
            yield
        finally:
            await stop_all([loop], [task])

    return ctx


def _booking_id(request: web.Request) -> str:
    booking_id = request.match_info["booking_id"]
    if not looks_like_id(booking_id):
        raise NoSuchBooking()
    return booking_id


def _join_url(request: web.Request, booking_id: str) -> str:
    return f"{request.url.origin()}/appointments/{booking_id}"


def _ics(body: str, filename: str) -> web.Response:
    return web.Response(body=body.encode("utf-8"), content_type="text/calendar", charset="utf-8",
                        headers={"Content-Disposition": f'inline; filename="{filename}"',
                                 "Cache-Control": "private, no-cache"})


@routes.put("/api/v1/experts/me/availability")
@described("Set the caller's bookable hours and terms (experts)", body=Availability,
           answer=AVAILABILITY)
async def put_availability(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    availability = Availability.parse(await read_json(request))
    await request.app[APPOINTMENTS].set_availability(expert.id, availability)
    return web.json_response(availability.public())


@routes.get("/api/v1/experts/me/availability")
@described("The caller's bookable hours and terms (experts)", answer=AVAILABILITY)
async def get_availability(request: web.Request) -> web.Response:
    expert = await caller_with_role(request, Role.EXPERT)
    availability = await request.app[APPOINTMENTS].availability(expert.id)
    return web.json_response(availability.public())


@routes.get("/api/v1/experts/{expert_id}/slots")
@described("An expert's free slots", query=SlotQuery.QUERY, auth="none", answer=obj(
    expert_id=ID, expert_time_zone=STRING, time_zone=STRING, length_minutes=INTEGER,
    lengths=array(INTEGER), slots=array(obj(start=TIME, end=TIME, local_start=STRING,
                                            local_end=STRING))))
async def get_slots(request: web.Request) -> web.Response:
    expert_id = request.match_info["expert_id"]
    if not looks_like_id(expert_id):
        raise NoSuchExpert()
    query = SlotQuery.parse(request.query)
    return web.json_response(await request.app[APPOINTMENTS].slots(expert_id, query))


@routes.get("/api/v1/experts/{expert_id}/reliability")
@described("How an expert kept their appointments", auth="none",
           answer=obj(attended=INTEGER, no_shows=INTEGER, late_cancellations=INTEGER))
async def get_reliability(request: web.Request) -> web.Response:
    expert_id = request.match_info["expert_id"]
    if not looks_like_id(expert_id):
        raise NoSuchExpert()
    return web.json_response(await request.app[APPOINTMENTS].reliability(expert_id))


@routes.post("/api/v1/bookings")
@described("Book an appointment (clients): the price is held", body=BookingRequest,
           status=201, answer=BOOKING)
async def book(request: web.Request) -> web.Response:
    client = await caller_with_role(request, Role.CLIENT)
    ask = BookingRequest.parse(await read_json(request))
    await request.app[TRUST].blocks.ensure_unblocked(client.id, ask.expert_id)
    booking = await request.app[APPOINTMENTS].book(client.id, client.display_name, ask)
    return web.json_response(booking.public(), status=201)


@routes.get("/api/v1/bookings")
@described("The caller's bookings", answer=obj(bookings=array(BOOKING)))
async def list_bookings(request: web.Request) -> web.Response:
    account = await caller(request)
    bookings = await request.app[APPOINTMENTS].of_account(account.id)
    return web.json_response({"bookings": [b.public() for b in bookings]})


@routes.get(f"/api/v1/bookings/{_BOOKING_ID}.ics")
@described("One booking as an iCalendar invite", answer=Raw("text/calendar", "VCALENDAR"))
async def booking_ics(request: web.Request) -> web.Response:
    account = await caller(request)
    service = request.app[APPOINTMENTS]
    booking = await service.get(_booking_id(request), account.id)
    invite = Invite(booking, account.id, _join_url(request, booking.id))
    body = calendar([invite], await service.store.now_ms(), UID_HOST)
    return _ics(body, f"{booking.id}.ics")


@routes.get(f"/api/v1/bookings/{_BOOKING_ID}")
@described("One booking of the caller's", answer=BOOKING)
async def get_booking(request: web.Request) -> web.Response:
    account = await caller(request)
    booking = await request.app[APPOINTMENTS].get(_booking_id(request), account.id)
    return web.json_response(booking.public())


@routes.post(f"/api/v1/bookings/{_BOOKING_ID}/cancel")
@described("Cancel a booking (late: a fee, as the terms say)", answer=BOOKING)
async def cancel(request: web.Request) -> web.Response:
    account = await caller(request)
    booking = await request.app[APPOINTMENTS].cancel(_booking_id(request), account.id)
    return web.json_response(booking.public())


@routes.post(f"/api/v1/bookings/{_BOOKING_ID}/reschedule")
@described("Propose another start", body=RescheduleRequest, answer=BOOKING)
async def propose(request: web.Request) -> web.Response:
    account = await caller(request)
    ask = RescheduleRequest.parse(await read_json(request))
    booking = await request.app[APPOINTMENTS].propose(_booking_id(request), account.id,
                                                      ask.start_ms)
    return web.json_response(booking.public())


@routes.post(f"/api/v1/bookings/{_BOOKING_ID}/reschedule/accept")
@described("Accept the other side's proposal", answer=BOOKING)
async def accept(request: web.Request) -> web.Response:
    account = await caller(request)
    booking = await request.app[APPOINTMENTS].respond(_booking_id(request), account.id, True)
    return web.json_response(booking.public())


@routes.post(f"/api/v1/bookings/{_BOOKING_ID}/reschedule/decline")
@described("Decline the other side's proposal", answer=BOOKING)
async def decline(request: web.Request) -> web.Response:
    account = await caller(request)
    booking = await request.app[APPOINTMENTS].respond(_booking_id(request), account.id, False)
    return web.json_response(booking.public())


@routes.get("/api/v1/notifications")
@described("The caller's notifications, newest first", answer=obj(
    notifications=array(NOTIFICATION), unread=INTEGER))
async def notifications(request: web.Request) -> web.Response:
    account = await caller(request)
    found, unread = await request.app[APPOINTMENTS].inbox.notifications(account.id)
    return web.json_response({"notifications": found, "unread": unread})


@routes.post("/api/v1/notifications/read")
@described("Mark notifications read (all, or up to until)", body=MarkRead,
           answer=obj(unread=INTEGER))
async def mark_read(request: web.Request) -> web.Response:
    account = await caller(request)
    asked = MarkRead.parse(await read_json(request) if request.body_exists else {})
    unread = await request.app[APPOINTMENTS].inbox.mark_read(account.id, asked.until)
    return web.json_response({"unread": unread})


@routes.post("/api/v1/calendar/token")
@described("A new private calendar feed URL (the old one stops working)", status=201,
           answer=obj(token=STRING, url=STRING))
async def new_calendar_token(request: web.Request) -> web.Response:
    account = await caller(request)
    token = await request.app[APPOINTMENTS].feeds.rotate(account.id)
    return web.json_response(
        {"token": token, "url": f"{request.url.origin()}/calendar/{token}.ics"}, status=201)


@routes.get("/calendar/{token:[A-Za-z0-9_-]{16,64}}.ics")
async def calendar_feed(request: web.Request) -> web.Response:
    service = request.app[APPOINTMENTS]
    account_id = await service.feeds.account_of(request.match_info["token"])
    if account_id is None:
        raise web.HTTPNotFound()
    bookings = await service.of_account(account_id)
    invites = [Invite(b, account_id, _join_url(request, b.id)) for b in bookings]
    body = calendar(invites, await service.store.now_ms(), UID_HOST, name="helpcall")
    return _ics(body, "helpcall.ics")
