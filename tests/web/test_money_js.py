"""The scripts format money exactly as the server does (static/js/money.js vs web/money.py)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.web.conftest import Browse
from web.i18n import Translator
from web.money import format_amount, format_duration, format_price

AMOUNTS = [0, 1, 5, 99, 100, 120, 1234, 99999, 100000, 123456789, -250]
CURRENCIES = ["EUR", "USD", "GBP", "CHF"]
PRICINGS = [
    {"mode": "per_minute", "amount_cents": 120},
    {"mode": "per_session", "amount_cents": 1500},
    {"mode": "free", "amount_cents": 0},
]
DURATIONS = [0, 7, 60, 125, 3599, 3725]


async def test_the_browser_formats_like_the_server(browse: Browse) -> None:
    for locale, language in (("en-US", "en"), ("fr-FR", "fr")):
        page = await browse.page(locale=locale)
        await page.goto("/")
        await expect(page.locator("html")).to_have_attribute("lang", language)
        got = await page.evaluate(
            """async ([amounts, currencies, pricings, durations]) => {
                const m = await import("/static/js/money.js");
                return {
                  amounts: currencies.map(c => amounts.map(a => m.formatAmount(a, c))),
                  prices: pricings.map(p => m.formatPrice(p, "EUR")),
                  durations: durations.map(d => m.formatDuration(d)),
                };
            }""",
            [AMOUNTS, CURRENCIES, PRICINGS, DURATIONS],
        )
        t = Translator(language)
        assert got["amounts"] == [
            [format_amount(a, c, language) for a in AMOUNTS] for c in CURRENCIES
        ]
        assert got["prices"] == [format_price(p, "EUR", t) for p in PRICINGS]
        assert got["durations"] == [format_duration(d, t) for d in DURATIONS]


async def test_the_running_estimate_follows_the_billing_rules(browse: Browse) -> None:
    page = await browse.page()
    await page.goto("/")
    got = await page.evaluate(
        """async () => {
            const { estimateCents } = await import("/static/js/money.js");
            const billing = { guarantee_seconds: 15, increment_seconds: 1 };
            const minute = { mode: "per_minute", amount_cents: 125 };
            const flat = { mode: "per_session", amount_cents: 900 };
            return [
              estimateCents(14, minute, billing), estimateCents(15, minute, billing),
              estimateCents(61, minute, billing), estimateCents(14, flat, billing),
              estimateCents(20, flat, billing),
              estimateCents(31, minute, { guarantee_seconds: 0, increment_seconds: 30 }),
            ];
        }"""
    )
    # 15 s at 125/min = 31.25 -> 31; 61 s -> 127.08 -> 127; 31 s billed as 60 s -> 125.
    assert got == [0, 31, 127, 0, 900, 125]


async def test_ratings_are_written_with_the_languages_decimal_mark(browse: Browse) -> None:
    for locale, expected in (("en-US", "★ 5.0 / 5 (2 reviews)"), ("fr-FR", "★ 5,0 / 5 (2 avis)")):
        page = await browse.page(locale=locale)
        await page.goto("/")
        got = await page.evaluate(
            """async () => (await import("/static/js/experts.js"))
                .ratingText({rating: 5, reviews: 2})"""
        )
        assert got == expected
