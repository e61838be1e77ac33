from __future__ import annotations

from common.errors import Conflict, Forbidden, NotFound


class NoSuchBooking(NotFound):
    def __init__(self) -> None:
        super().__init__("no such booking")


class NotBookable(NotFound):
    def __init__(self, message: str = "this expert takes no appointments") -> None:
        super().__init__(message)


class SlotTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("this slot is no longer free")


class WrongBookingState(Conflict):
    pass


class NotYourBooking(Forbidden):
    def __init__(self) -> None:
        super().__init__("only the booking's client and expert may do this")
