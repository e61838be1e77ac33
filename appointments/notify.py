"""How appointments tell people things live, without knowing about Socket.IO.

Every notification is first stored in the account's list (in the same script that made
it); ``Notifier.notify`` then delivers it live. The wiring implements it with the
Socket.IO server (event ``notification``, to the account's room).
"""

from __future__ import annotations

from typing import Any, Protocol


class Notifier(Protocol):
    async def notify(self, account_id: str, notification: dict[str, Any]) -> None:
        """Deliver one stored notification to the account's open apps, if any."""
