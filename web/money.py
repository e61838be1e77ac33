"""Amounts as a person reads them: ``1,20 €`` in French, ``€1.20`` in English.

Amounts are integers in minor units (cents). Spaces are plain spaces so that text stays
searchable; the pages keep a price on one line with CSS. ``static/js/money.js`` mirrors
these rules for the amounts that scripts render, and a browser test checks that they agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from web.i18n import Translator

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def _group(units: int, separator: str) -> str:
    digits = str(units)
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def format_amount(cents: int, currency: str, language: str) -> str:
    units, minor = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    symbol = SYMBOLS.get(currency)
    if language == "fr":
        number = f"{_group(units, ' ')},{minor:02d}"
        return f"{sign}{number} {symbol or currency}"
    number = f"{_group(units, ',')}.{minor:02d}"
    if symbol is None:
        return f"{sign}{currency} {number}"
    return f"{sign}{symbol}{number}"


def format_price(pricing: Mapping[str, Any], currency: str, t: Translator) -> str:
    """An expert's price: ``€1.20 / min``, ``€15.00 per session`` or ``Free``."""
    mode = pricing.get("mode")
    amount = int(pricing.get("amount_cents") or 0)
    if mode == "free" or amount == 0:
        return t("js.price.free")
    text = format_amount(amount, currency, t.language)
    if mode == "per_session":
        return t("js.price.per_session", amount=text)
    return t("js.price.per_minute", amount=text)


def format_duration(seconds: int, t: Translator) -> str:
    """``45 s``, ``2 min 05 s``, ``1 h 02 min``: short and unambiguous in both languages."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return t("js.duration.hours", h=hours, m=f"{minutes:02d}")
    if minutes:
        return t("js.duration.minutes", m=minutes, s=f"{secs:02d}")
    return t("js.duration.seconds", s=secs)
