"""Instants on the wire (ISO 8601 with a zone, answered as UTC ms ``Z``) and wall times."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from common.errors import Invalid


@cache
def _zones() -> frozenset[str]:
    # Reading the tz database walks the disk: once per process is enough.
    return frozenset(available_timezones())


def zone(name: str, field: str = "time_zone") -> ZoneInfo:
    if name not in _zones():
        raise Invalid(f"{field} must be an IANA time zone such as Europe/Paris", field)
    return ZoneInfo(name)


def parse_instant(value: object, field: str) -> int:
    """An ISO 8601 instant that names its offset (``Z`` or ``+02:00``), as epoch ms."""
    if not isinstance(value, str) or len(value) > 40:
        raise Invalid(f"{field} must be an ISO 8601 time such as 2026-03-29T08:00:00.000Z", field)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field} is not an ISO 8601 time", field) from None
    if moment.tzinfo is None:
        # A wall time without its zone means a different instant to every reader.
        raise Invalid(f"{field} must carry its offset (Z or +hh:mm)", field)
    return round(moment.timestamp() * 1000)


def instant_field(obj: Mapping[str, Any], field: str) -> int:
    if obj.get(field) is None:
        raise Invalid(f"{field} is required", field)
    return parse_instant(obj[field], field)


def wall_time(epoch_ms: int, tz: ZoneInfo) -> str:
    """The local wall time with its offset, for display: ``2026-03-29T03:00:00+02:00``."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).astimezone(tz).isoformat(
        timespec="seconds")
