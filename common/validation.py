"""Readers for untrusted JSON objects.

Wire messages are small dataclasses with a ``parse(payload)`` classmethod built from
these readers; each failure names the field, so a client knows what to fix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from common.errors import Invalid
from common.ids import looks_like_id

# A lone surrogate is no text: it cannot be encoded to UTF-8 (Redis, logs, other clients).
_SURROGATE = re.compile("[\ud800-\udfff]")
# Joiners shape emoji sequences and some scripts' words: fine between two visible characters.
_JOINERS = frozenset("\u200c\u200d")
# A name that goes in URLs (a brand's page, its calls): lower-case letters, digits and
# inner dashes, 1 to 40 of them.
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def require_object(payload: object) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise Invalid("expected a JSON object")
    return payload


def read_slug(value: object, field: str = "slug") -> str:
    if not isinstance(value, str) or not SLUG.match(value):
        raise Invalid(f"{field} must be 1-40 lower-case letters, digits or dashes", field)
    return value


def text(
    obj: Mapping[str, Any],
    field: str,
    *,
    min_len: int = 0,
    max_len: int = 10_000,
    strip: bool = True,
    default: str | None = None,
) -> str:
    """A string field; length counted in Unicode code points (protocol §3)."""
    value = obj.get(field, default)
    if value is None:
        raise Invalid(f"{field} is required", field)
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string", field)
    if _SURROGATE.search(value):
        raise Invalid(f"{field} is not valid text (it holds a lone surrogate)", field)
    if strip:
        value = value.strip()
    if len(value) < min_len:
        raise Invalid(f"{field} must have at least {min_len} characters", field)
    if len(value) > max_len:
        raise Invalid(f"{field} must have at most {max_len} characters", field)
    return value


def _hidden(value: str, index: int) -> bool:
    char = value[index]
    category = unicodedata.category(char)
    if category == "Cc":
        return True  # NUL, tab, newline, other controls
    if category != "Cf":
        return False
    if char in _JOINERS and 0 < index < len(value) - 1:
        neighbours = (value[index - 1], value[index + 1])
        return any(unicodedata.category(c) in ("Cc", "Cf", "Zs") for c in neighbours)
    return True  # bidi overrides and isolates (U+202E...), zero-width space, BOM, tags


def name(obj: Mapping[str, Any], field: str, *, max_len: int = 80) -> str:
    """A name people see next to others' (a display name, a brand's name): printable only.

    No controls (NUL...), no bidi overrides (U+202E makes "gnp.exe" read "exe.png") and no
    invisible characters (U+200B makes two identical-looking names differ), so a name
    shows what it is. Joiners stay allowed between visible characters (emoji sequences).
    """
    value = text(obj, field, min_len=1, max_len=max_len)
    if any(_hidden(value, i) for i in range(len(value))):
        raise Invalid(f"{field} holds control, invisible or direction-changing characters",
                      field)
    return value


def optional_text(obj: Mapping[str, Any], field: str, *, max_len: int = 10_000) -> str | None:
    if obj.get(field) is None:
        return None
    return text(obj, field, max_len=max_len)


def integer(
    obj: Mapping[str, Any],
    field: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    default: int | None = None,
) -> int:
    value = obj.get(field, default)
    if value is None:
        raise Invalid(f"{field} is required", field)
    # JSON Schema (and so openapi.json) counts 500.0 as an integer; anything else is not one.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # bool is an int in Python, never in JSON.
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{field} must be an integer", field)
    if minimum is not None and value < minimum:
        raise Invalid(f"{field} must be at least {minimum}", field)
    if maximum is not None and value > maximum:
        raise Invalid(f"{field} must be at most {maximum}", field)
    return value


def optional_integer(
    obj: Mapping[str, Any], field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    if obj.get(field) is None:
        return None
    return integer(obj, field, minimum=minimum, maximum=maximum)


def boolean(obj: Mapping[str, Any], field: str, *, default: bool | None = None) -> bool:
    value = obj.get(field, default)
    if not isinstance(value, bool):
        raise Invalid(f"{field} must be true or false", field)
    return value


def choice(obj: Mapping[str, Any], field: str, options: Sequence[str]) -> str:
    value = obj.get(field)
    if value is None:
        raise Invalid(f"{field} is required", field)
    if value not in options:
        raise Invalid(f"{field} must be one of: {', '.join(options)}", field)
    return str(value)


def identifier(obj: Mapping[str, Any], field: str) -> str:
    value = obj.get(field)
    if value is None:
        raise Invalid(f"{field} is required", field)
    if not looks_like_id(value):
        raise Invalid(f"{field} is not a valid id", field)
    return str(value)


def string_list(
    obj: Mapping[str, Any], field: str, *, max_items: int = 50, max_len: int = 100
) -> list[str]:
    value = obj.get(field)
    if value is None:
        raise Invalid(f"{field} is required", field)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{field} must be a list of strings", field)
    if len(value) > max_items:
        raise Invalid(f"{field} has more than {max_items} items", field)
    if any(len(v) > max_len or not v for v in value):
        raise Invalid(f"{field} has an empty or over-long item", field)
    return list(dict.fromkeys(value))
