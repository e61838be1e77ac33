"""Times, amounts and durations as a mail's reader reads them, in English or French."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def when(epoch_ms: int, zone: str, language: str) -> str:
    """``Tuesday 8 December 2026, 14:00 (Europe/Paris)`` / ``mardi 8 décembre 2026, 14:00``."""
    local = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).astimezone(ZoneInfo(zone))
    day = _DAYS[language][local.weekday()]
    month = _MONTHS[language][local.month - 1]
    return f"{day} {local.day} {month} {local.year}, {local:%H:%M} ({zone})"


def amount(cents: int, currency: str, language: str) -> str:
    units, minor = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    symbol = _SYMBOLS.get(currency, currency)
    if language == "fr":
        return f"{sign}{units:,}".replace(",", " ") + f",{minor:02d} {symbol}"
    return f"{sign}{symbol}{units:,}.{minor:02d}"


def duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest:02d} s"
