"""Bearer tokens: ``<payload>.<signature>``, HMAC-SHA256 with the server's secret key.

The payload says whose token it is and until when; nothing else is trusted from it.
The browser app keeps the same token in an HttpOnly cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from accounts.errors import BadToken

COOKIE_NAME = "helpcall_session"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class TokenSigner:
    secret: bytes
    ttl_ms: int

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self.secret, b"helpcall-token:" + payload.encode(), hashlib.sha256)
        return _b64(mac.digest())

    def issue(self, account_id: str, now_ms: int) -> tuple[str, int]:
        expires_ms = now_ms + self.ttl_ms
        payload = _b64(json.dumps({"sub": account_id, "exp": expires_ms}).encode())
        return f"{payload}.{self._sign(payload)}", expires_ms

    def account_id(self, token: str, now_ms: int) -> str:
        """The account a token names, or ``BadToken`` if it is forged, mangled or expired."""
        payload, _, signature = token.partition(".")
        if not payload or not hmac.compare_digest(self._sign(payload), signature):
            raise BadToken("invalid token")
        try:
            claims = json.loads(_unb64(payload))
            subject, expires_ms = claims["sub"], claims["exp"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise BadToken("invalid token") from None
        if not isinstance(subject, str) or not isinstance(expires_ms, int):
            raise BadToken("invalid token")
        if expires_ms <= now_ms:
            raise BadToken("token expired")
        return subject
