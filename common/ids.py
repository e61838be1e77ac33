"""Identifiers: short, random, URL-safe, with a prefix that says what they name."""

from __future__ import annotations

import re
import secrets

_ID = re.compile(r"^[a-z]{1,4}_[0-9a-f]{8,40}$")


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


def looks_like_id(value: object) -> bool:
    """True for strings shaped like our ids; keeps junk out of Redis key names."""
    return isinstance(value, str) and _ID.match(value) is not None
