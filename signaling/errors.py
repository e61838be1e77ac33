from __future__ import annotations

from common.errors import Conflict, TooLarge


class NotJoined(Conflict):
    def __init__(self) -> None:
        super().__init__("this socket has not joined the session: send call:join first")


class PayloadTooLarge(TooLarge):
    pass
