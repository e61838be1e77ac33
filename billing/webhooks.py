"""The billing webhook's wire format (protocol §5 and §7.6): body, signatures, retry pacing.

Pure functions, no I/O: the worker uses them to send, a receiver (or a test) to check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import random
import re
from collections.abc import Mapping

log = logging.getLogger(__name__)

# The §5 fields that are amounts or counts. Later event types add their own (a refund's
# ``refund_cents``...), so the rule is the suffix, and this set is what it must cover.
INTEGER_FIELDS: frozenset[str] = frozenset({
    "rate_cents", "live_ms", "billed_seconds", "amount_cents", "platform_fee_cents",
    "expert_payout_cents",
})
INTEGER_SUFFIXES: tuple[str, ...] = ("_cents", "_ms", "_seconds")

SIGNATURE_PREFIX = "sha256="
FIRST_BACKOFF_SECONDS = 0.5

# ASCII digits only: ``str.isdigit`` would accept other scripts' digits, which ``int`` reads too.
_DECIMAL = re.compile(r"-?[0-9]+")


def is_integer_field(name: str) -> bool:
    return name in INTEGER_FIELDS or name.endswith(INTEGER_SUFFIXES)


def _value(name: str, value: str) -> int | str:
    # A value that is not a decimal integer stays a string rather than failing the delivery:
    # the receiver sees exactly what the stream holds, and the event is never stuck.
    if is_integer_field(name) and _DECIMAL.fullmatch(value):
        return int(value)
    return value


def webhook_body(fields: Mapping[str, str]) -> bytes:
    """The JSON object POSTed for one stream event: compact, keys sorted, amounts as integers.

    Sorted and compact so that one event always gives the same bytes (a redelivery carries
    the same body and signature). ASCII only, so that no receiver can misread the charset.
    """
    body = {name: _value(name, value) for name, value in fields.items()}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")


def signature(body: bytes, secret: str) -> str:
    """``X-Helpcall-Signature``: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(body: bytes, secret: str, header: str) -> bool:
    """True when ``header`` is the signature of ``body``; compared in constant time."""
    expected = signature(body, secret).encode("ascii")
    try:
        given = header.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given)


STANDARD_PREFIX = "whsec_"
STANDARD_TOLERANCE_SECONDS = 300


def standard_key(secret: str) -> bytes:
    """The HMAC key of a secret (§7.6): ``whsec_<base64>`` is decoded, anything else is UTF-8.

    Only a strict standard base64 tail counts as ``whsec_<base64>``; any other secret,
    including ``whsec_`` followed by something else, is used whole as its UTF-8 bytes.
    """
    if secret.startswith(STANDARD_PREFIX):
        try:
            return base64.b64decode(secret[len(STANDARD_PREFIX):], validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode("utf-8")


def standard_signature(event_id: str, timestamp: int, body: bytes, secret: str) -> str:
    """``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``."""
    signed = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(standard_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def delivery_headers(event_id: str, timestamp: int, body: bytes, secret: str) -> dict[str, str]:
    """Every header of one delivery attempt: §5's and Standard Webhooks' (§7.6)."""
    return {
        "Content-Type": "application/json",
        "X-Helpcall-Event-Id": event_id,
        "X-Helpcall-Signature": signature(body, secret),
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard_signature(event_id, timestamp, body, secret),
    }


def verify_standard(
    body: bytes, secret: str, headers: Mapping[str, str], now: float,
    tolerance: int = STANDARD_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver checks: a ``v1`` signature of ours, and a timestamp within
    ``tolerance`` seconds of ``now`` (an old delivery replayed is refused)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    event_id = lowered.get("webhook-id", "")
    stamp = lowered.get("webhook-timestamp", "")
    if not event_id or not _DECIMAL.fullmatch(stamp) or abs(now - int(stamp)) > tolerance:
        return False
    expected = standard_signature(event_id, int(stamp), body, secret).encode("ascii")
    for candidate in lowered.get("webhook-signature", "").split():
        if hmac.compare_digest(expected, candidate.encode("ascii", "replace")):
            return True
    return False


def backoff_seconds(
    attempt: int, cap: float, rng: random.Random, first: float = FIRST_BACKOFF_SECONDS
) -> float:
    """The pause after failed attempt number ``attempt`` (1 for the first failure).

    Exponential from ``first``: 0.5 s, 1 s, 2 s ... capped at ``cap``, with "equal jitter":
    half the step is kept and the other half drawn at random. The random half keeps several
    workers that failed together from retrying together; the kept half guarantees a real
    pause, where full jitter could draw almost nothing and hammer a receiver that is trying
    to recover.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if cap <= 0:
        raise ValueError("cap must be positive")
    # Beyond 2**64 the cap has long been reached; the bound keeps the float finite.
    step = min(cap, first * 2.0 ** min(attempt - 1, 64))
    return step / 2 + rng.uniform(0, step / 2)
