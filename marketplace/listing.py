"""The expert listing's query (``GET /experts``): filters, sort and page, pure functions.

Cards are filtered and sorted in the process: the candidate set is already narrowed by the
category index in Redis, and ratings are stored, never recomputed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from common.errors import Invalid
from common.schema import Boolean, Choice, Field, Integer, Text
from marketplace.categories import BY_SLUG
from marketplace.profiles import LANGUAGE
from sessions.pricing import MAX_AMOUNT_CENTS

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
_TRUE = ("1", "true", "yes")
_FALSE = ("0", "false", "no")
_STATUS_ORDER = {"online": 0, "busy": 1, "offline": 2}


class Sort(StrEnum):
    AVAILABILITY = "availability"
    RATING = "rating"
    PRICE = "price"


@dataclass(frozen=True)
class Page:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    QUERY: ClassVar[tuple[Field, ...]] = (
        Integer("page", minimum=1, maximum=1_000_000, default=1),
        Integer("per_page", minimum=1, maximum=MAX_PER_PAGE, default=DEFAULT_PER_PAGE),
    )

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Page:
        return cls(
            page=_query_int(query, "page", 1, 1_000_000) or 1,
            per_page=_query_int(query, "per_page", 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE,
        )

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page

    def public(self, total: int) -> dict[str, int]:
        return {"page": self.page, "per_page": self.per_page, "total": total}


@dataclass(frozen=True)
class ListingQuery:
    category: str | None = None
    language: str | None = None
    online: bool = False
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    sort: Sort = Sort.AVAILABILITY
    page: Page = Page()

    QUERY: ClassVar[tuple[Field, ...]] = (
        Choice("category", required=False, options=tuple(BY_SLUG)),
        Text("language", required=False, pattern=LANGUAGE.pattern, max_len=10),
        Boolean("online", default=False, description="1, true or yes; 0, false or no"),
        Integer("min_price_cents", required=False, minimum=0, maximum=MAX_AMOUNT_CENTS),
        Integer("max_price_cents", required=False, minimum=0, maximum=MAX_AMOUNT_CENTS),
        Choice("sort", required=False, options=tuple(Sort)),
        *Page.QUERY,
    )
    FIELDS = frozenset(f.name for f in QUERY)

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> ListingQuery:
        # A misspelt filter silently ignored would answer the wrong experts.
        for name in query:
            if name not in cls.FIELDS:
                raise Invalid(f"unknown parameter: {name}", name)
        category = query.get("category") or None
        if category is not None and category not in BY_SLUG:
            raise Invalid(f"unknown category: {category}", "category")
        language = query.get("language") or None
        if language is not None and not LANGUAGE.match(language):
            raise Invalid("language must be a code such as en or fr", "language")
        low = _query_int(query, "min_price_cents", 0, MAX_AMOUNT_CENTS)
        high = _query_int(query, "max_price_cents", 0, MAX_AMOUNT_CENTS)
        if low is not None and high is not None and low > high:
            raise Invalid("max_price_cents must not be below min_price_cents", "max_price_cents")
        sort = query.get("sort") or Sort.AVAILABILITY.value
        if sort not in {s.value for s in Sort}:
            raise Invalid(f"sort must be one of: {', '.join(Sort)}", "sort")
        return cls(category, language, _query_bool(query, "online"), low, high, Sort(sort),
                   Page.parse(query))

    def keeps(self, card: Mapping[str, Any]) -> bool:
        if self.online and card["status"] == "offline":
            return False
        if self.language is not None and not any(
            code == self.language or code.split("-")[0] == self.language
            for code in card["languages"]
        ):
            return False
        price = card["pricing"]["amount_cents"]
        if self.min_price_cents is not None and price < self.min_price_cents:
            return False
        return self.max_price_cents is None or price <= self.max_price_cents

    def arrange(self, cards: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
        """The page of cards that pass the filters, in order, and how many passed."""
        kept = [c for c in cards if self.keeps(c)]
        kept.sort(key=lambda c: (c["display_name"], c["id"]))
        # Each key below is applied to an already sorted list: Python's sort is stable.
        if self.sort is Sort.RATING:
            kept.sort(key=_by_rating)
        elif self.sort is Sort.PRICE:
            kept.sort(key=lambda c: (c["pricing"]["amount_cents"], _STATUS_ORDER[c["status"]]))
        else:
            kept.sort(key=_by_rating)
            kept.sort(key=lambda c: _STATUS_ORDER[c["status"]])
        start = self.page.start
        return kept[start:start + self.page.per_page], len(kept)


def _by_rating(card: Mapping[str, Any]) -> tuple[bool, float, int]:
    rating = card["rating"]
    return (rating is None, -(rating or 0.0), -card["reviews"])


def _query_int(query: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    raw = query.get(name) or None
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise Invalid(f"{name} must be a whole number", name)
    value = int(raw)
    if not low <= value <= high:
        raise Invalid(f"{name} must be between {low} and {high}", name)
    return value


def _query_bool(query: Mapping[str, str], name: str) -> bool:
    raw = (query.get(name) or "false").lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise Invalid(f"{name} must be true or false", name)
