"""The default Socket.IO namespace (protocol §3): thin handlers that validate, call the
domain, and answer one JSON object per event.

Every event goes through ``trigger_event``: rate limit, parse, run, and turn domain
errors into ``{"ok": false, "error": {code, message}}``. Nothing raised by a handler
escapes, so a bad event never disturbs another socket or call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any, Protocol

import socketio

from accounts.models import Account, Role
from accounts.service import Accounts
from accounts.tokens import COOKIE_NAME
from appointments.booking import Booking
from brands.models import Brand, BrandCall
from common import logcontext
from common.errors import (
    Forbidden,
    HelpcallError,
    Invalid,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from common.ids import looks_like_id, new_id
from common.redisfull import STORAGE_FULL, is_redis_full
from common.safejson import REFUSED_EVENT
from marketplace.categories import BY_SLUG
from marketplace.keys import expert as expert_key
from marketplace.profiles import ProfileUpdate
from sessions.agreed import agreed
from sessions.errors import WrongState
from sessions.pricing import Pricing, PricingMode
from sessions.service import CallService
from sessions.states import State
from sessions.store import NewSession
from signaling.errors import NotJoined
from signaling.limits import AccountLimits
from signaling.messages import (
    BookingRef,
    CallStart,
    ChatMessage,
    MediaReport,
    PresenceRequest,
    SessionRef,
    Signal,
)
from signaling.notifier import SocketNotifier, account_room, session_room
from signaling.presence import PresenceStore, Status
from signaling.ratelimit import SocketLimits
from signaling.router import BookedSoon, Router
from trust.blocks import Blocks

log = logging.getLogger(__name__)

Ack = dict[str, Any]


class ExpertDirectory(Protocol):
    async def profile(self, expert_id: str) -> ProfileUpdate | None: ...

    async def callbacks_for(self, expert_id: str) -> list[dict[str, Any]]: ...

    async def brand_call(self, slug: str) -> Brand: ...


class BookingDesk(Protocol):
    async def get(self, booking_id: str, account_id: str) -> Booking: ...

    async def mark_joined(self, booking_id: str, account_id: str) -> Booking: ...


# A booked call can be joined from 5 minutes before its start until its end.
BOOKED_CALL_OPENS_MS = 5 * 60 * 1000


class Refused(socketio.exceptions.ConnectionRefusedError):
    """A refused connection whose ``connect_error`` carries ``{code, message}``."""

    def __init__(self, message: str, code: str = "unauthorized") -> None:
        body = {"code": code, "message": message}
        self.error_args = {**body, "data": body}


@dataclass
class Peer:
    """What this process knows about one of its sockets."""

    account: Account
    limits: SocketLimits
    joined: dict[str, str]  # session id -> role ("client" / "expert")
    token: str | None = None  # checked again when the account's tokens are revoked


def _cookie_token(environ: dict[str, Any]) -> str | None:
    raw = environ.get("HTTP_COOKIE")
    if not raw:
        return None
    try:
        morsel = SimpleCookie(raw).get(COOKIE_NAME)
    except CookieError:
        return None
    return morsel.value if morsel else None


def ok(**fields: Any) -> Ack:
    return {"ok": True, **fields}


class CallNamespace(socketio.AsyncNamespace):
    def __init__(
        self,
        accounts: Accounts,
        calls: CallService,
        presence: PresenceStore,
        experts: ExpertDirectory,
        notifier: SocketNotifier,
        router: Router,
        booked: BookedSoon,
        bookings: Callable[[], BookingDesk],
        proc: str,
        limits: AccountLimits,
        blocks: Blocks | None = None,
    ) -> None:
        super().__init__("/")
        self._blocks = blocks
        self._limits = limits
        self._booked = booked
        self._bookings = bookings
        self._accounts = accounts
        self._calls = calls
        self._presence = presence
        self._experts = experts
        self._notifier = notifier
        self._router = router
        self._proc = proc
        self._peers: dict[str, Peer] = {}
        self._handlers: dict[str, Callable[[Peer, str, object], Awaitable[Ack]]] = {
            "presence": self._presence_event,
            "call:start": self._start,
            "call:accept": self._accept,
            "call:decline": self._decline,
            "call:cancel": self._cancel,
            "call:join": self._join,
            "booking:join": self._booking_join,
            "call:hangup": self._hangup,
            "signal": self._signal,
            "media": self._media,
            "chat": self._chat,
        }

    # -- connection -------------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or not token:
            token = _cookie_token(environ)
        try:
            account = await self._accounts.authenticate(token)
            admitted = await self._limits.socket_opened(account.id, sid)
        except HelpcallError as exc:
            raise Refused(exc.message) from None
        except Exception:
            # Redis away or overloaded: refuse clearly rather than leave the client hanging.
            log.exception("authenticating a socket failed")
            raise Refused("the server could not check your token; try again") from None
        logcontext.bind(account_id=account.id)
        if not admitted:
            raise Refused(f"at most {self._limits.rules.max_sockets} connections per account; "
                          "close another tab or device", "rate_limited")
        try:
            await self.enter_room(sid, account_room(account.id))
        except Exception:
            # Where the account's sockets are could not be recorded: other processes
            # would not find this one, so refuse rather than leave it deaf.
            log.exception("recording a socket's place failed")
            await self._limits.socket_closed(account.id, sid)
            raise Refused("the server could not register your connection; try again") from None
        self._peers[sid] = Peer(account, SocketLimits(), {}, token)
        if account.role == Role.EXPERT:
            await self._presence.socket_connected(account.id, sid)

    async def recheck_tokens(self, account_id: str) -> int:
        """Some tokens of this account were revoked (any process): disconnect this process's
        sockets whose token no longer stands. Answers how many were disconnected."""
        gone = 0
        for sid, peer in list(self._peers.items()):
            if peer.account.id != account_id:
                continue
            try:
                await self._accounts.authenticate(peer.token)
            except Unauthorized:
                await self.disconnect(sid)
                gone += 1
        return gone

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        peer = self._peers.pop(sid, None)
        if peer is None:
            return
        try:
            await self._limits.socket_closed(peer.account.id, sid)
            for session_id in peer.joined:
                await self._calls.detach(session_id, sid, self._proc)
            if peer.account.role == Role.EXPERT:
                await self._presence.socket_gone(peer.account.id, sid)
        except Exception:
            # The process lease still covers us: if this failed, the call pauses when the
            # other side's media drops, and nothing stays live forever.
            log.exception("cleaning up socket %s failed", sid)

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        sid, payload = args[0], args[1] if len(args) > 1 else None
        peer = self._peers.get(sid)
        handler = self._handlers.get(event)
        if peer is None:
            return {"ok": False, "error": {"code": "unauthorized", "message": "not connected"}}
        # Each event runs in a task of its own: these ids mark its log lines only.
        session_id = payload.get("session_id") if isinstance(payload, dict) else None
        logcontext.bind(account_id=peer.account.id,
                        session_id=session_id if looks_like_id(session_id) else None)
        try:
            if event == REFUSED_EVENT:  # JSON nested too deep, or not text (common.safejson)
                log.info("refused a Socket.IO event from %s: %s", peer.account.id, payload)
                raise Invalid(str(payload))
            if handler is None:
                raise Invalid(f"unknown event {event!r}")
            if not (peer.limits.allow(event) and self._limits.allow(peer.account.id, event)):
                raise RateLimited(f"too many {event} events; slow down")
            return await handler(peer, sid, payload)
        except HelpcallError as exc:
            return {"ok": False, "error": exc.as_dict()}
        except Exception as exc:
            if is_redis_full(exc):
                log.error("Redis is full (maxmemory): refused %s", event)
                return {"ok": False, "error": STORAGE_FULL}
            log.exception("event %s from %s failed", event, peer.account.id)
            return {"ok": False, "error": {"code": "internal", "message": "internal error"}}

    # -- events -----------------------------------------------------------------------

    @staticmethod
    def _require(peer: Peer, role: Role, event: str) -> None:
        if peer.account.role != role:
            raise Forbidden(f"{event} is for {role.value} accounts")

    async def _presence_event(self, peer: Peer, sid: str, payload: object) -> Ack:
        self._require(peer, Role.EXPERT, "presence")
        request = PresenceRequest.parse(payload)
        await self._presence.set_wanted(peer.account.id, Status(request.status))
        status = (await self._presence.status(peer.account.id)).value
        if request.status == "offline":
            return ok(status=status)
        # Coming online, the expert sees who asked to be called back in their categories.
        return ok(status=status, callbacks=await self._experts.callbacks_for(peer.account.id))

    async def _start(self, peer: Peer, sid: str, payload: object) -> Ack:
        self._require(peer, Role.CLIENT, "call:start")
        if BrandCall.wanted(payload):
            return await self._start_brand(peer, sid, BrandCall.parse(payload))
        request = CallStart.parse(payload)
        if request.category is not None:
            return await self._start_category(peer, sid, request)
        assert request.expert_id is not None
        await self._unblocked(peer.account.id, request.expert_id)
        await self._limits.ring(peer.account.id, request.expert_id)
        profile = await self._experts.profile(request.expert_id)
        if profile is None:
            raise Unavailable("this expert does not take calls")
        pricing = agreed(request.expected_pricing, profile.pricing)
        if await self._presence.status(request.expert_id) != Status.ONLINE:
            raise Unavailable("the expert is busy or offline")
        if await self._booked(request.expert_id):
            raise Unavailable("the expert has an appointment starting soon")
        session_id = new_id("s")
        new = NewSession(peer.account.id, request.expert_id, request.topic, pricing,
                         sid, self._proc, profile_key=expert_key(request.expert_id))
        outcome = await self._calls.start(session_id, new)
        await self._joined(peer, sid, session_id, "client")
        assert outcome.session is not None
        return ok(session_id=session_id, state=outcome.session.state.value)

    async def _start_category(self, peer: Peer, sid: str, request: CallStart) -> Ack:
        assert request.category is not None
        if request.category not in BY_SLUG:
            raise Invalid(f"unknown category: {request.category}", "category")
        await self._limits.ring(peer.account.id, None)
        session_id = new_id("s")
        new = NewSession(peer.account.id, "", request.topic, Pricing(PricingMode.FREE, 0), sid,
                         self._proc, category=request.category)
        await self._calls.enqueue(session_id, new, request.max_rate_cents)
        await self._joined(peer, sid, session_id, "client")
        await self._router.welcome(session_id, peer.account.id, request.category)
        return ok(session_id=session_id, state="queued")

    async def _start_brand(self, peer: Peer, sid: str, request: BrandCall) -> Ack:
        # The brand's own queue, routed like a category call to its member experts only;
        # the brand's money rules are fixed into the session now.
        brand = await self._experts.brand_call(request.brand)
        await self._limits.ring(peer.account.id, None)
        session_id = new_id("s")
        new = NewSession(peer.account.id, "", request.topic, Pricing(PricingMode.FREE, 0), sid,
                         self._proc, brand_id=brand.id, category=brand.queue,
                         payer_id=brand.id if brand.sponsored else "",
                         fee_percent=brand.fee_percent)
        await self._calls.enqueue(session_id, new, request.max_rate_cents)
        await self._joined(peer, sid, session_id, "client")
        await self._router.welcome(session_id, peer.account.id, brand.queue)
        return ok(session_id=session_id, state="queued")

    async def _accept(self, peer: Peer, sid: str, payload: object) -> Ack:
        ref = SessionRef.parse(payload)
        found = await self._calls.store.get(ref.session_id)
        if found is not None and found[0].booking_id and found[0].role_of(peer.account.id):
            # Answering a booked call is joining the appointment: the booking is attended.
            await self._bookings().mark_joined(found[0].booking_id, peer.account.id)
        outcome = await self._calls.accept(ref.session_id, peer.account.id, sid, self._proc)
        assert outcome.session is not None
        role = outcome.session.role_of(peer.account.id)
        assert role is not None
        await self._joined(peer, sid, ref.session_id, role)
        if role == "expert":
            await self._presence.answered(peer.account.id)  # present: unanswered rings forgiven
        return ok(session_id=ref.session_id, state=outcome.session.state.value)

    async def _booking_join(self, peer: Peer, sid: str, payload: object) -> Ack:
        """Either side opens a booked call: the first one rings the other, the second
        answers; the booking learns who came (no-shows) from here."""
        booking_id = BookingRef.parse(payload).booking_id
        desk = self._bookings()
        booking = await desk.get(booking_id, peer.account.id)
        now_ms = int(time.time() * 1000)
        if booking.state not in ("booked", "attended"):
            raise WrongState(f"this appointment is {booking.state.replace('_', ' ')}")
        if now_ms < booking.start_ms - BOOKED_CALL_OPENS_MS:
            raise WrongState("the call opens 5 minutes before the appointment")
        if now_ms >= booking.end_ms:
            raise WrongState("this appointment is over")
        role = "client" if peer.account.id == booking.client_id else "expert"
        store = self._calls.store
        async with store.booking_lock(booking_id):
            await desk.mark_joined(booking_id, peer.account.id)
            current = await store.session_of_booking(booking_id)
            found = await store.get(current) if current else None
            if found is not None and found[0].state != State.ENDED:
                view = found[0]
                if view.state == State.RINGING and view.rung_id == peer.account.id:
                    return await self._accept(peer, sid, {"session_id": view.id})
                return await self._join(peer, sid, {"session_id": view.id})
            session_id = new_id("s")
            pricing = Pricing(PricingMode(booking.pricing_mode), booking.rate_cents)
            new = NewSession(booking.client_id, booking.expert_id, booking.topic, pricing, sid,
                             self._proc, booking_id=booking_id,
                             rung="e" if role == "client" else "c")
            outcome = await self._calls.start(session_id, new)
            await store.remember_booking(booking_id, session_id)
        await self._joined(peer, sid, session_id, role)
        assert outcome.session is not None
        return ok(session_id=session_id, state=outcome.session.state.value)

    async def _decline(self, peer: Peer, sid: str, payload: object) -> Ack:
        await self._calls.act(SessionRef.parse(payload).session_id, peer.account.id, "decline")
        return ok()

    async def _cancel(self, peer: Peer, sid: str, payload: object) -> Ack:
        await self._calls.act(SessionRef.parse(payload).session_id, peer.account.id, "cancel")
        return ok()

    async def _hangup(self, peer: Peer, sid: str, payload: object) -> Ack:
        await self._calls.act(SessionRef.parse(payload).session_id, peer.account.id, "hangup")
        return ok()

    async def _join(self, peer: Peer, sid: str, payload: object) -> Ack:
        ref = SessionRef.parse(payload)
        outcome = await self._calls.attach(ref.session_id, peer.account.id, sid, self._proc)
        session = outcome.session
        assert session is not None
        role = session.role_of(peer.account.id)
        assert role is not None
        await self._joined(peer, sid, session.id, role)
        state = self._notifier.state_payload(session, role, outcome.now_ms)
        other = session.expert_id if role == "client" else session.client_id
        names = await self._accounts.store.display_names([other]) if other else {}
        queue = {}
        if session.state == State.QUEUED:
            queue = {"queue": await self._router.place(session.id, session.category)}
        # Everything a re-joining client needs to rebuild its view: pub/sub may have lost
        # the events it missed while away.
        return ok(**queue, **{
            **state,
            "polite": role == "expert",
            "ice_servers": self._notifier.ice_for(peer.account.id),
            "role": role,
            "peer": {"id": other, "display_name": names.get(other, "")},
            "topic": session.topic,
            "pricing": session.pricing.public(),
            "chat": await self._calls.store.chat_history(session.id),
        })

    async def _joined(self, peer: Peer, sid: str, session_id: str, role: str) -> None:
        peer.joined[session_id] = role
        await self.enter_room(sid, session_room(session_id, role))

    def _attached_role(self, peer: Peer, sid: str, session_id: str) -> str:
        # Room membership is the cache: rooms close when the session ends, on every process.
        role = peer.joined.get(session_id)
        # A direct look in the manager's table: ``self.rooms(sid)`` scans every room of the
        # process (2.4 ms per signal at 10,000 sockets, measured in bench/rooms.py).
        members = self.server.manager.rooms.get(self.namespace, {}).get(
            session_room(session_id, role) if role else "", ()
        )
        if role is None or sid not in members:
            raise NotJoined()
        return role

    async def _check_participant(self, peer: Peer, session_id: str) -> None:
        parties = await self._calls.store.parties(session_id)
        if peer.account.id not in (parties.client_id, parties.expert_id):
            raise Forbidden("you are not a participant of this session")

    async def _signal(self, peer: Peer, sid: str, payload: object) -> Ack:
        message = Signal.parse(payload)
        try:
            role = self._attached_role(peer, sid, message.session_id)
        except NotJoined:
            await self._check_participant(peer, message.session_id)
            raise
        other = "expert" if role == "client" else "client"
        await self.emit("signal", message.relayed(peer.account.id),
                        room=session_room(message.session_id, other))
        return ok()

    async def _media(self, peer: Peer, sid: str, payload: object) -> Ack:
        report = MediaReport.parse(payload)
        outcome = await self._calls.media(report.session_id, peer.account.id, report.state, sid)
        assert outcome.session is not None
        return ok(state=outcome.session.state.value)

    async def _unblocked(self, one: str, other: str) -> None:
        """``blocked`` when either of the two blocked the other (trust/blocks.py)."""
        if self._blocks is not None:
            await self._blocks.ensure_unblocked(one, other)

    async def _chat(self, peer: Peer, sid: str, payload: object) -> Ack:
        message = ChatMessage.parse(payload)
        if self._blocks is not None and message.session_id in peer.joined:
            # A block made during the call silences its chat at once.
            found = await self._calls.store.get(message.session_id)
            if found is not None:
                await self._unblocked(found[0].client_id, found[0].expert_id)
        stored = await self._calls.chat(message.session_id, peer.account.id, sid, message.text)
        return ok(message_id=stored["message_id"])
