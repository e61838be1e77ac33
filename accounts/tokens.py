"""Bearer tokens: ``<payload>.<signature>``, HMAC-SHA256 with the server's secret key.

The payload says whose token it is, until when, its own id (``jti``, so that one token can
be revoked) and the account's token epoch when it was issued (``ep``: a password change or
reset moves the epoch on, which revokes every older token at once). The account's hash holds
what revokes a token (``accounts/store.py``), read in the same single command that loads
the account, so revocation costs no extra Redis round trip.
The browser app keeps the same token in an HttpOnly cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from accounts.errors import BadToken

COOKIE_NAME = "helpcall_session"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Claims:
    """What a valid signature vouches for. Tokens issued before revocation existed carry no
    ``jti``/``ep``: they read as epoch 0 with an empty id (still ended by an epoch change)."""

    account_id: str
    expires_ms: int
    jti: str
    epoch: int


@dataclass(frozen=True)
class TokenSigner:
    secret: bytes
    ttl_ms: int

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self.secret, b"helpcall-token:" + payload.encode(), hashlib.sha256)
        return _b64(mac.digest())

    def issue(self, account_id: str, now_ms: int, epoch: int = 0) -> tuple[str, int]:
        expires_ms = now_ms + self.ttl_ms
        claims = {"sub": account_id, "exp": expires_ms, "jti": secrets.token_urlsafe(12),
                  "ep": epoch}
        payload = _b64(json.dumps(claims).encode())
        return f"{payload}.{self._sign(payload)}", expires_ms

    def account_id(self, token: str, now_ms: int) -> str:
        """The account a token names, or ``BadToken`` if it is forged, mangled or expired."""
        return self.claims(token, now_ms).account_id

    def claims(self, token: str, now_ms: int) -> Claims:
        """The claims of a genuine, unexpired token (not yet checked against revocation)."""
        payload, _, signature = token.partition(".")
        if not payload or not hmac.compare_digest(self._sign(payload), signature):
            raise BadToken("invalid token")
        try:
            claims = json.loads(_unb64(payload))
            subject, expires_ms = claims["sub"], claims["exp"]
            jti, epoch = claims.get("jti", ""), claims.get("ep", 0)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            raise BadToken("invalid token") from None
        if not isinstance(subject, str) or not isinstance(expires_ms, int):
            raise BadToken("invalid token")
        if not isinstance(jti, str) or not isinstance(epoch, int) or len(jti) > 64:
            raise BadToken("invalid token")
        if expires_ms <= now_ms:
            raise BadToken("token expired")
        return Claims(subject, expires_ms, jti, epoch)
