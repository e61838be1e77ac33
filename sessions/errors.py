from __future__ import annotations

from common.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    NotFound,
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
