from __future__ import annotations

from common.errors import NotFound


class NoSuchExpert(NotFound):
    def __init__(self) -> None:
        super().__init__("no such expert")
