"""ICE servers handed to peers: STUN as configured, TURN with short-lived credentials.

TURN credentials follow coturn's ``use-auth-secret`` scheme: the username is
``<expiry unix time>:<account id>`` and the password is base64(HMAC-SHA1(secret, username)),
so the TURN server checks them without a database and they expire on their own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any


def turn_credentials(secret: str, account_id: str, now_s: int, ttl_s: int) -> tuple[str, str]:
    username = f"{now_s + ttl_s}:{account_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


@dataclass(frozen=True)
class IceServers:
    """The configured servers; ``ice(account_id, now_s)`` is what one peer is handed."""

    stun_urls: tuple[str, ...]
    turn_urls: tuple[str, ...]
    turn_secret: str | None
    ttl_s: int

    def __call__(self, account_id: str, now_s: int) -> list[dict[str, Any]]:
        servers: list[dict[str, Any]] = []
        if self.stun_urls:
            servers.append({"urls": list(self.stun_urls)})
        if self.turn_urls and self.turn_secret:
            username, credential = turn_credentials(self.turn_secret, account_id, now_s,
                                                    self.ttl_s)
            servers.append({"urls": list(self.turn_urls), "username": username,
                            "credential": credential})
        return servers
