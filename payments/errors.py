"""Payment failures in the wire vocabulary (protocol §2)."""

from __future__ import annotations

from common.errors import HelpcallError


class PaymentsUnavailable(HelpcallError):
    """The card provider could not be reached or refused our request: try again later."""

    code = "payments_unavailable"
