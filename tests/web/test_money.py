"""Amounts, prices and durations as people read them, in French and English."""

from __future__ import annotations

import pytest

from web.i18n import Translator
from web.money import format_amount, format_duration, format_price

EN, FR = Translator("en"), Translator("fr")


@pytest.mark.parametrize(
    ("cents", "currency", "language", "text"),
    [
        (120, "EUR", "fr", "1,20 €"),
        (120, "EUR", "en", "€1.20"),
        (0, "EUR", "fr", "0,00 €"),
        (5, "EUR", "en", "€0.05"),
        (123456789, "EUR", "fr", "1 234 567,89 €"),
        (123456789, "EUR", "en", "€1,234,567.89"),
        (100000, "EUR", "en", "€1,000.00"),
        (99999, "EUR", "fr", "999,99 €"),
        (-250, "EUR", "fr", "-2,50 €"),
        (-250, "EUR", "en", "-€2.50"),
        (1999, "USD", "en", "$19.99"),
        (1999, "GBP", "fr", "19,99 £"),
        (1999, "CHF", "en", "CHF 19.99"),
        (1999, "CHF", "fr", "19,99 CHF"),
    ],
)
def test_amounts(cents: int, currency: str, language: str, text: str) -> None:
    assert format_amount(cents, currency, language) == text


def test_prices_per_minute_per_session_and_free() -> None:
    per_minute = {"mode": "per_minute", "amount_cents": 120}
    assert format_price(per_minute, "EUR", FR) == "1,20 € / min"
    assert format_price(per_minute, "EUR", EN) == "€1.20 / min"
    per_session = {"mode": "per_session", "amount_cents": 1500}
    assert format_price(per_session, "EUR", EN) == "€15.00 per session"
    assert format_price(per_session, "EUR", FR) == "15,00 € la séance"
    assert format_price({"mode": "free", "amount_cents": 0}, "EUR", EN) == "Free"
    assert format_price({"mode": "free"}, "EUR", FR) == "Gratuit"
    assert format_price({"mode": "per_minute", "amount_cents": 0}, "EUR", FR) == "Gratuit"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (45, "45 s"), (60, "1 min 00 s"), (125, "2 min 05 s"),
     (3600, "1 h 00 min"), (3725, "1 h 02 min"), (-3, "0 s")],
)
def test_durations(seconds: int, text: str) -> None:
    assert format_duration(seconds, EN) == text
    assert format_duration(seconds, FR) == text
