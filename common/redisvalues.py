"""Typed views of Redis replies (the client decodes to ``str``; its stubs say ``bytes | str``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def text_map(value: Mapping[Any, Any]) -> dict[str, str]:
    return {str(text_or_none(k)): str(text_or_none(v)) for k, v in value.items()}


def pairs(flat: Sequence[Any]) -> dict[str, str]:
    """A flat ``[field, value, field, value...]`` reply (HGETALL inside a script) as a dict."""
    values = [str(text_or_none(v)) for v in flat]
    return dict(zip(values[::2], values[1::2], strict=True))
