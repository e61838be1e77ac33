"""Expert profiles (protocol §2 ``PUT /experts/me``): what an expert offers, at what price."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any, ClassVar
from zoneinfo import available_timezones

from common import validation as v
from common.errors import Invalid
from common.schema import Body, Custom, StringList, Text
from marketplace.categories import BY_SLUG
from sessions.pricing import PRICING_SCHEMA, Pricing, PricingMode

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


@cache
def _time_zones() -> frozenset[str]:
    # Reading the tz database walks the disk: once per process is enough.
    return frozenset(available_timezones())


def _parse_time_zone(body: Any) -> str | None:
    name = v.optional_text(body, "time_zone", max_len=64)
    if not name:  # a form's empty choice means "not said"
        return None
    if name not in _time_zones():
        raise Invalid("time_zone must be an IANA time zone such as Europe/Paris", "time_zone")
    return name


@dataclass(frozen=True)
class ProfileUpdate:
    headline: str
    bio: str
    categories: tuple[str, ...]
    languages: tuple[str, ...]
    pricing: Pricing
    time_zone: str | None = None

    WIRE: ClassVar[Body] = Body(
        Text("headline", min_len=1, max_len=120),
        Text("bio", max_len=4000, default=""),
        StringList("categories", max_items=9, max_len=40, sample=("cooking",),
                   items={"type": "string", "enum": list(BY_SLUG)}),
        StringList("languages", max_items=20, max_len=10, sample=("en",),
                   items={"type": "string", "pattern": LANGUAGE.pattern}),
        Custom("pricing", shape=PRICING_SCHEMA, sample={"mode": "per_minute", "amount_cents": 100}),
        Text("time_zone", required=False, max_len=64, sample="Europe/Paris",
             description="an IANA time zone"),
    )

    @classmethod
    def parse(cls, payload: object) -> ProfileUpdate:
        body = v.require_object(payload)
        categories = v.string_list(body, "categories", max_items=9, max_len=40)
        unknown = [c for c in categories if c not in BY_SLUG]
        if unknown:
            raise Invalid(f"unknown category: {unknown[0]}", "categories")
        if not categories:
            raise Invalid("at least one category is required", "categories")
        languages = v.string_list(body, "languages", max_items=20, max_len=10)
        if not languages or not all(LANGUAGE.match(code) for code in languages):
            raise Invalid("languages must be codes such as en or fr", "languages")
        return cls(
            headline=v.text(body, "headline", min_len=1, max_len=120),
            bio=v.text(body, "bio", max_len=4000, default=""),
            categories=tuple(categories),
            languages=tuple(languages),
            pricing=Pricing.parse(body.get("pricing")),
            time_zone=_parse_time_zone(body),
        )

    def to_json(self) -> str:
        data = asdict(self)
        data["pricing"] = self.pricing.public()
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str) -> ProfileUpdate:
        data: dict[str, Any] = json.loads(raw)
        pricing = data["pricing"]
        return cls(
            headline=data["headline"],
            bio=data["bio"],
            categories=tuple(data["categories"]),
            languages=tuple(data["languages"]),
            pricing=Pricing(PricingMode(pricing["mode"]), int(pricing["amount_cents"])),
            time_zone=data.get("time_zone"),
        )
