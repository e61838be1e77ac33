"""The default Socket.IO namespace (protocol §3): thin handlers that parse, call a use case
of ``calls/usecases.py``, and answer one JSON object per event.

Every event goes through ``trigger_event``: rate limit, parse, run, and turn domain
errors into ``{"ok": false, "error": {code, message}}``. Nothing raised by a handler
escapes, so a bad event never disturbs another socket or call.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

import socketio

from accounts.models import Account, Role
from accounts.service import Accounts
from accounts.tokens import COOKIE_NAME
from calls.usecases import Calls, Entered, Rejoined, Socket
from common import logcontext
from common.errors import (
    Forbidden,
    HelpcallError,
    Invalid,
    RateLimited,
    Unauthorized,
)
from common.ids import looks_like_id
from common.redisfull import STORAGE_FULL, is_redis_full
from common.safejson import REFUSED_EVENT
from sessions.states import State
from signaling.errors import NotJoined
from signaling.limits import AccountLimits
from signaling.messages import (
    BookingRef,
    BrandCall,
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

log = logging.getLogger(__name__)

Ack = dict[str, Any]


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
        desk: Calls,
        presence: PresenceStore,
        notifier: SocketNotifier,
        proc: str,
        limits: AccountLimits,
    ) -> None:
        super().__init__("/")
        self._limits = limits
        self._accounts = accounts
        self._desk = desk
        self._presence = presence
        self._notifier = notifier
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
            await self._desk.leave(sid, self._proc, list(peer.joined))
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

    # -- events: parse, call the use case (calls/usecases.py), ack ------------------------

    @staticmethod
    def _require(peer: Peer, role: Role, event: str) -> None:
        if peer.account.role != role:
            raise Forbidden(f"{event} is for {role.value} accounts")

    def _at(self, peer: Peer, sid: str) -> Socket:
        async def enter(session_id: str, role: str) -> None:
            await self._joined(peer, sid, session_id, role)
        return Socket(peer.account.id, sid, self._proc, enter)

    async def _presence_event(self, peer: Peer, sid: str, payload: object) -> Ack:
        self._require(peer, Role.EXPERT, "presence")
        request = PresenceRequest.parse(payload)
        status, callbacks = await self._desk.set_presence(peer.account.id,
                                                          Status(request.status))
        if callbacks is None:
            return ok(status=status)
        # Coming online, the expert sees who asked to be called back in their categories.
        return ok(status=status, callbacks=callbacks)

    async def _start(self, peer: Peer, sid: str, payload: object) -> Ack:
        self._require(peer, Role.CLIENT, "call:start")
        at = self._at(peer, sid)
        if BrandCall.wanted(payload):
            brand = BrandCall.parse(payload)
            return self._ack(await self._desk.start_brand(at, brand.brand, brand.topic,
                                                          brand.max_rate_cents))
        request = CallStart.parse(payload)
        if request.category is not None:
            return self._ack(await self._desk.start_category(
                at, request.category, request.topic, request.max_rate_cents))
        assert request.expert_id is not None
        return self._ack(await self._desk.start_direct(at, request.expert_id, request.topic,
                                                       request.expected_pricing))

    async def _accept(self, peer: Peer, sid: str, payload: object) -> Ack:
        ref = SessionRef.parse(payload)
        return self._ack(await self._desk.accept(self._at(peer, sid), ref.session_id))

    async def _booking_join(self, peer: Peer, sid: str, payload: object) -> Ack:
        booking_id = BookingRef.parse(payload).booking_id
        return self._ack(await self._desk.join_booking(self._at(peer, sid), booking_id))

    async def _decline(self, peer: Peer, sid: str, payload: object) -> Ack:
        await self._desk.act(peer.account.id, SessionRef.parse(payload).session_id, "decline")
        return ok()

    async def _cancel(self, peer: Peer, sid: str, payload: object) -> Ack:
        await self._desk.act(peer.account.id, SessionRef.parse(payload).session_id, "cancel")
        return ok()

    async def _hangup(self, peer: Peer, sid: str, payload: object) -> Ack:
        await self._desk.act(peer.account.id, SessionRef.parse(payload).session_id, "hangup")
        return ok()

    async def _join(self, peer: Peer, sid: str, payload: object) -> Ack:
        ref = SessionRef.parse(payload)
        return self._ack(await self._desk.join(self._at(peer, sid), ref.session_id))

    def _ack(self, done: Entered | Rejoined) -> Ack:
        if isinstance(done, Entered):
            return ok(session_id=done.session_id, state=done.state)
        session, role = done.session, done.role
        state = self._notifier.state_payload(session, role, done.outcome.now_ms)
        queue = {"queue": done.queue} if session.state == State.QUEUED else {}
        # Everything a re-joining client needs to rebuild its view: pub/sub may have lost
        # the events it missed while away.
        return ok(**queue, **{
            **state,
            "polite": role == "expert",
            "ice_servers": self._notifier.ice_for(done.account_id),
            "role": role,
            "peer": {"id": done.peer_id, "display_name": done.peer_name},
            "topic": session.topic,
            "pricing": session.pricing.public(),
            "chat": done.chat,
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

    async def _signal(self, peer: Peer, sid: str, payload: object) -> Ack:
        message = Signal.parse(payload)
        try:
            role = self._attached_role(peer, sid, message.session_id)
        except NotJoined:
            await self._desk.check_participant(peer.account.id, message.session_id)
            raise
        other = "expert" if role == "client" else "client"
        await self.emit("signal", message.relayed(peer.account.id),
                        room=session_room(message.session_id, other))
        return ok()

    async def _media(self, peer: Peer, sid: str, payload: object) -> Ack:
        report = MediaReport.parse(payload)
        return ok(state=await self._desk.media(self._at(peer, sid), report.session_id,
                                               report.state))

    async def _chat(self, peer: Peer, sid: str, payload: object) -> Ack:
        message = ChatMessage.parse(payload)
        return ok(message_id=await self._desk.chat(self._at(peer, sid), message.session_id,
                                                   message.text))
