"""The trust package's errors, in the wire vocabulary (common/errors.py)."""

from __future__ import annotations

from common.errors import Conflict, Forbidden, NotFound


class NoSuchDispute(NotFound):
    def __init__(self) -> None:
        super().__init__("this session has no dispute")


class NoSuchReport(NotFound):
    def __init__(self) -> None:
        super().__init__("no such report")


class Blocked(Forbidden):
    """One of the two people blocked the other: no call, booking or message between them."""

    reason = "blocked"

    def __init__(self) -> None:
        super().__init__("one of you has blocked the other")


class NotDisputable(Conflict):
    """A dispute that the rules refuse: ``reason`` says which rule."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
