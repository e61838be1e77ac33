"""Brand colours must stay readable: the contrast rule on its own, and through the API."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from brands.contrast import best_text_on, contrast, readable_accent, require_readable
from common.errors import Invalid
from tests.brands.conftest import admin, brand_admin, new_brand
from tests.conftest import Running


def test_ratios_match_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#1f6feb", "#ffffff") == pytest.approx(4.63, abs=0.01)
    assert contrast("#1b2a6b", "#d62828") == pytest.approx(2.64, abs=0.01)  # navy on red


def test_a_readable_fallback_exists_for_any_background() -> None:
    for colour in ("#777777", "#d62828", "#ffff00", "#1b2a6b", "#808080"):
        assert contrast(best_text_on(colour), colour) >= 4.5
    assert readable_accent("#d62828", "#1b2a6b") in ("#000000", "#ffffff")
    assert readable_accent("#1f6feb", "#ffffff") == "#ffffff"
    with pytest.raises(Invalid, match=r"2\.6:1"):
        require_readable("#d62828", "#1b2a6b")


async def test_unreadable_colours_are_refused_when_saved(
    running: Running, redis: aioredis.Redis
) -> None:
    platform = await admin(running)
    refused = await running.client.post("/api/v1/brands", headers=platform.headers, json={
        "slug": "navy", "name": "Navy", "primary_colour": "#d62828", "accent_colour": "#1b2a6b"})
    assert refused.status == 400
    error = (await refused.json())["error"]
    assert error["code"] == "invalid" and "4.5:1" in error["message"]
    created = await new_brand(running, platform, "acme", primary_colour="#1b2a6b")
    owner = await brand_admin(running, platform, "acme")
    changed = await running.client.put("/api/v1/brands/acme", headers=owner.headers,
                                       json={"accent_colour": "#d62828"})
    assert changed.status == 400 and "contrast" in (await changed.json())["error"]["message"]
    assert (await running.client.put("/api/v1/brands/acme", headers=owner.headers,
                                     json={"accent_colour": "#fefefe"})).status == 200

    # A pair stored before the rule: the page shows a readable text colour instead.
    await redis.hset(f"hc:{{0}}:brand:{created['id']}", mapping={"accent_colour": "#d62828"})
    theme = await (await running.client.get("/b/acme/theme.css")).text()
    assert "--brand-accent: #ffffff" in theme
