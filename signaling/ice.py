"""ICE servers handed to peers: STUN as configured, TURN with short-lived credentials.

TURN credentials follow coturn's ``use-auth-secret`` scheme: the username is
``<expiry unix time>:<account id>`` and the password is base64(HMAC-SHA1(secret, username)),
so the TURN server checks them without a database and they expire on their own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any


def turn_credentials(secret: str, account_id: str, now_s: int, ttl_s: int) -> tuple[str, str]:
    username = f"{now_s + ttl_s}:{account_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(
    stun_urls: tuple[str, ...],
    turn_urls: tuple[str, ...],
    turn_secret: str | None,
    account_id: str,
    now_s: int,
    ttl_s: int,
) -> list[dict[str, Any]]:
    servers: list[dict[str, Any]] = []
    if stun_urls:
        servers.append({"urls": list(stun_urls)})
    if turn_urls and turn_secret:
        username, credential = turn_credentials(turn_secret, account_id, now_s, ttl_s)
        servers.append({"urls": list(turn_urls), "username": username, "credential": credential})
    return servers
