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
    pass


class UploadRateLimited(RateLimited):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
