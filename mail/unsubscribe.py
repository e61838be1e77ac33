"""One-click unsubscribe links (RFC 8058): signed ``<account>.<topic>.<mac>`` tokens.

A link turns off one topic (``reminders`` or ``notices``) for one account and works
without signing in, so it carries its own proof: an HMAC with the server's secret key.
"""

from __future__ import annotations

import hashlib
import hmac

from accounts.models import MAIL_TOPICS
from common.ids import looks_like_id


def _mac(secret: bytes, account_id: str, topic: str) -> str:
    message = f"helpcall-unsubscribe:{account_id}:{topic}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def token(secret: bytes, account_id: str, topic: str) -> str:
    return f"{account_id}.{topic}.{_mac(secret, account_id, topic)}"


def verify(secret: bytes, value: str) -> tuple[str, str] | None:
    """``(account_id, topic)`` of a genuine token, else None."""
    account_id, _, rest = value.partition(".")
    topic, _, mac = rest.partition(".")
    if not looks_like_id(account_id) or topic not in MAIL_TOPICS:
        return None
    if not hmac.compare_digest(_mac(secret, account_id, topic), mac):
        return None
    return account_id, topic
