from __future__ import annotations

from typing import Any

from common.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    NotFound,
    TooLarge,
    Unavailable,
)
from sessions.pricing import Pricing


class WrongState(Conflict):
    pass


class NotAParticipant(Forbidden):
    def __init__(self) -> None:
        super().__init__("you are not a participant of this session")


class NoSuchSession(NotFound):
    def __init__(self) -> None:
        super().__init__("no such session")


class ExpertUnavailable(Unavailable):
    pass


class NotEnoughFunds(InsufficientFunds):
    pass


class TooManyFiles(TooLarge):
    pass


class PriceChanged(Conflict):
    """The expert's price is no longer the one the client agreed to (protocol §7.2)."""

    code = "price_changed"

    def __init__(self, current: Pricing) -> None:
        super().__init__("the expert's price has changed; confirm the new price to go on")
        self.current = current

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "pricing": self.current.public()}
