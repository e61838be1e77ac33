"""The listing's ordering rules, on plain cards (no server)."""

from __future__ import annotations

from typing import Any

from marketplace.listing import ListingQuery


def _card(name: str, status: str, rating: float | None, reviews: int,
          cents: int = 100) -> dict[str, Any]:
    return {"id": f"e_{name}", "display_name": name, "status": status, "rating": rating,
            "reviews": reviews, "languages": ["en"],
            "pricing": {"mode": "per_minute", "amount_cents": cents}}


CARDS = [
    _card("A", "offline", 4.9, 10, 300),
    _card("B", "online", None, 0, 100),
    _card("C", "busy", 4.9, 30, 200),
    _card("D", "online", 3.0, 2, 100),
    _card("E", "online", 4.9, 10, 50),
]


def _names(query: dict[str, str]) -> list[str]:
    page, total = ListingQuery.parse(query).arrange(list(CARDS))
    assert total == len(page) or "per_page" in query
    return [c["display_name"] for c in page]


def test_rating_puts_the_best_first_more_reviews_break_ties_and_unrated_last() -> None:
    assert _names({"sort": "rating"}) == ["C", "A", "E", "D", "B"]


def test_availability_puts_online_first_then_busy_then_offline_each_by_rating() -> None:
    assert _names({}) == ["E", "D", "B", "C", "A"]
    assert _names({"sort": "availability"}) == ["E", "D", "B", "C", "A"]


def test_price_puts_the_cheapest_first_and_the_available_among_equals() -> None:
    assert _names({"sort": "price"}) == ["E", "B", "D", "C", "A"]


def test_a_page_is_a_slice_of_the_order_and_the_total_counts_all_kept() -> None:
    page, total = ListingQuery.parse({"sort": "rating", "per_page": "2", "page": "2"}).arrange(
        list(CARDS))
    assert [c["display_name"] for c in page] == ["E", "D"] and total == 5
    kept, total = ListingQuery.parse({"online": "true", "max_price_cents": "100"}).arrange(
        list(CARDS))
    assert [c["display_name"] for c in kept] == ["E", "D", "B"] and total == 3
