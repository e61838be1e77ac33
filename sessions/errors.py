from __future__ import annotations

from typing import Any

from common.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    NotFound,
    RateLimited,
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


class AccountQuotaFull(TooLarge):
    """``limit: "account"`` tells a client this is the account's quota, not the call's."""

    def as_dict(self) -> dict[str, str]:
        return {**super().as_dict(), "limit": "account"}


class UploadRateLimited(RateLimited):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
class PriceChanged(Conflict):
    """The expert's price is no longer the one the client agreed to (protocol §7.2)."""

    code = "price_changed"

    def __init__(self, current: Pricing) -> None:
        super().__init__("the expert's price has changed; confirm the new price to go on")
        self.current = current

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "pricing": self.current.public()}
