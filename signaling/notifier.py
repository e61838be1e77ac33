"""The Socket.IO side of ``sessions.notify.Notifier``: who hears what when a session moves.

Every socket of an account sits in the room ``a:<account>``, so a state change reaches
all tabs of both participants (the expert's other tabs stop ringing). Sockets joined to
a session also sit in ``s:<session>:client`` or ``s:<session>:expert``: the relay's
rooms, closed when the session ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import socketio

from calls.ports import Names
from sessions.model import SessionView
from sessions.replies import Outcome
from sessions.states import EndReason, State
from signaling.presence import PresenceStore, Status

log = logging.getLogger(__name__)

IceFactory = Callable[[str, int], list[dict[str, Any]]]


def account_room(account_id: str) -> str:
    return f"a:{account_id}"


def session_room(session_id: str, role: str) -> str:
    return f"s:{session_id}:{role}"


class SocketNotifier:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        names: Names,
        presence: PresenceStore,
        ice: IceFactory,
        ring_seconds: float,
    ) -> None:
        self._sio = sio
        self._names = names
        self._presence = presence
        self._ice = ice
        self._ring_seconds = ring_seconds

    def ice_for(self, account_id: str) -> list[dict[str, Any]]:
        return self._ice(account_id, int(time.time()))

    def state_payload(self, session: SessionView, role: str, now_ms: int) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "session_id": session.id,
            "state": session.state.value,
            "reason": session.end_reason.value if session.end_reason else None,
            "live_seconds": session.live_seconds_at(now_ms),
        }
        if session.accepted_at_ms is not None:
            account = session.expert_id if role == "expert" else session.client_id
            payload["polite"] = role == "expert"
            payload["ice_servers"] = self.ice_for(account)
        return payload

    @staticmethod
    def summary_payload(session: SessionView) -> dict[str, Any]:
        return {
            "session_id": session.id,
            "end_reason": session.end_reason.value if session.end_reason else None,
            "live_seconds": session.live_ms // 1000,
            "billed_seconds": session.billed_seconds,
            "amount_cents": session.amount_cents,
            "currency": session.currency,
        }

    async def publish(self, outcome: Outcome) -> None:
        session = outcome.session
        if session is None:
            return
        if outcome.state_changed:
            await self._state_changed(session, outcome)
        if outcome.low_seconds_left is not None:
            await self._sio.emit(
                "balance:low",
                {"session_id": session.id, "seconds_left": outcome.low_seconds_left},
                room=account_room(session.client_id),
            )

    async def queue(self, client_id: str, body: dict[str, Any]) -> None:
        """Where a queued call stands (``calls.router``), to the client's sockets."""
        await self._sio.emit("queue", body, room=account_room(client_id))

    async def chat(self, session_id: str, message: dict[str, Any]) -> None:
        rooms = [session_room(session_id, role) for role in ("client", "expert")]
        await self._sio.emit("chat", {"session_id": session_id, **message}, room=rooms)

    async def _state_changed(self, session: SessionView, outcome: Outcome) -> None:
        now = outcome.now_ms
        rung = "client" if session.rung_role == "c" else "expert"
        if session.state == State.RINGING and session.expert_id:
            await self._ring(session)
        for role, account in (("client", session.client_id), ("expert", session.expert_id)):
            if not account or (role == rung and session.state == State.RINGING):
                continue  # the side being rung hears call:incoming instead
            await self._sio.emit(
                "call:state", self.state_payload(session, role, now), room=account_room(account)
            )
        if outcome.released_expert:
            # A category call went back to the queue: this expert's ringing stops.
            await self._sio.emit("call:state", {
                "session_id": session.id, "state": session.state.value,
                "reason": outcome.released_reason, "live_seconds": 0,
            }, room=account_room(outcome.released_expert))
            if outcome.released_reason == EndReason.NO_ANSWER.value:
                await self._unanswered(outcome.released_expert, session.client_id)
        if session.state != State.ENDED:
            return
        summary = self.summary_payload(session)
        for account in (session.client_id, session.expert_id):
            if account:
                await self._sio.emit("call:summary", summary, room=account_room(account))
        for role in ("client", "expert"):
            await self._sio.close_room(session_room(session.id, role))
        if (session.end_reason == EndReason.NO_ANSWER and session.expert_id
                and session.rung_role == "e"):
            await self._unanswered(session.expert_id, session.client_id)

    async def _unanswered(self, expert_id: str, client_id: str) -> None:
        """An expert who lets calls of different clients ring out is away: stop ringing
        them in vain. One client alone (ringing again and again) never sets this."""
        if not await self._presence.unanswered(expert_id, client_id):
            return
        await self._presence.set_wanted(expert_id, Status.OFFLINE)
        await self._sio.emit(
            "presence", {"status": "offline", "reason": "no_answer"},
            room=account_room(expert_id),
        )

    async def _ring(self, session: SessionView) -> None:
        names = await self._names.display_names([session.client_id, session.expert_id])
        incoming: dict[str, Any] = {
            "session_id": session.id,
            "client": {"id": session.client_id, "display_name": names.get(session.client_id, "")},
            "topic": session.topic,
            "pricing": session.pricing.public(),
            "ring_seconds": self._ring_seconds,
        }
        if session.booking_id:
            incoming["booking_id"] = session.booking_id
            incoming["expert"] = {"id": session.expert_id,
                                  "display_name": names.get(session.expert_id, "")}
        await self._sio.emit("call:incoming", incoming, room=account_room(session.rung_id))


class NotificationSender:
    """In-app notifications (appointments' reminders...) to every socket of an account."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    async def notify(self, account_id: str, notification: dict[str, Any]) -> None:
        await self._sio.emit("notification", notification, room=account_room(account_id))
