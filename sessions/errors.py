from __future__ import annotations

from common.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    NotFound,
    RateLimited,
    TooLarge,
    Unavailable,
)


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
