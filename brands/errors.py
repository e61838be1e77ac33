from __future__ import annotations

from common.errors import Conflict, Forbidden, NotFound, Unauthorized


class NoSuchBrand(NotFound):
    def __init__(self) -> None:
        super().__init__("no such brand")


class SlugTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("this slug is taken")


class NoSuchInvitation(NotFound):
    def __init__(self) -> None:
        super().__init__("this invitation does not exist or has expired")


class NoSuchKey(NotFound):
    def __init__(self) -> None:
        super().__init__("no such API key")


class BadBrandKey(Unauthorized):
    def __init__(self) -> None:
        super().__init__("this brand API key is unknown or revoked")


class OtherBrand(Forbidden):
    """The caller acts for another brand (or none): refused whatever the resource."""

    def __init__(self) -> None:
        super().__init__("you do not manage this brand")
