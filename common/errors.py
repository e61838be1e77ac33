"""The error vocabulary of the wire contract (protocol §2 and §3).

Domain code raises these; only the edges (HTTP middleware, Socket.IO acks) turn them
into a status code or an ack. Each package's own ``errors.py`` subclasses them.
"""

from __future__ import annotations

from typing import Any


class HelpcallError(Exception):
    """A failure the caller can understand and act on."""

    code = "internal"
    # Which rule refused, within the contract's code (e.g. a 403 ``forbidden`` because of a
    # block): clients that only know the codes of §2 and §3 still read the code.
    reason: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.reason is not None:
            body["reason"] = self.reason
        return body


class Invalid(HelpcallError):
    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        if self.field is not None:
            body["field"] = self.field
        return body


class Unauthorized(HelpcallError):
    code = "unauthorized"


class Forbidden(HelpcallError):
    code = "forbidden"


class NotFound(HelpcallError):
    code = "not_found"


class Conflict(HelpcallError):
    code = "conflict"


class Unavailable(HelpcallError):
    code = "unavailable"


class InsufficientFunds(HelpcallError):
    code = "insufficient_funds"


class RateLimited(HelpcallError):
    code = "rate_limited"


class TooLarge(HelpcallError):
    code = "too_large"
