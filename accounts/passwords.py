"""Password hashing with scrypt (memory-hard, in the standard library).

Hashing takes tens of milliseconds on purpose, so it runs in a worker thread and
never stalls the event loop that carries everyone's calls.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets

# 16 MiB of memory per hash: expensive to brute-force on GPUs, fine for a login.
_N, _R, _P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32
    )


def hash_password_sync(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, _N, _R, _P)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password_sync(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


# Checked against when the email is unknown, so that a wrong email costs as long as a
# wrong password and response times do not reveal which accounts exist.
_DUMMY = hash_password_sync(secrets.token_hex(16))


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hash_password_sync, password)


async def verify_password(password: str, stored: str | None) -> bool:
    if stored is None:
        await asyncio.to_thread(verify_password_sync, password, _DUMMY)
        return False
    return await asyncio.to_thread(verify_password_sync, password, stored)
