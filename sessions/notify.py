"""How the meter tells people what happened, without knowing about Socket.IO.

``sessions`` defines this interface; the wiring implements it with the Socket.IO server
(``signaling.notifier``), so a deadline fired by the reaper reaches both participants.
"""

from __future__ import annotations

from typing import Any, Protocol

from sessions.replies import Outcome


class Notifier(Protocol):
    async def publish(self, outcome: Outcome) -> None:
        """Tell the participants: a new state, the summary of an ended call, a low balance."""

    async def chat(self, session_id: str, message: dict[str, Any]) -> None:
        """Give a chat message (text or a shared file) to both participants."""
