"""Finding 9: ``back=`` on the problem pages and the device check links only within the
site, as a real browser resolves the link (Chromium judges every rendered ``href``)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.web.conftest import Browse, browse, browser, site
from web.session import same_site_path

__all__ = ["browse", "browser", "site"]

OFF_SITE = ["/\\evil.example", "/\t/evil.example", "\\\\evil.example", "/\n/evil.example",
            " //evil.example", "\\/evil.example", "/\\/evil.example", "//evil.example",
            "https://evil.example/", "javascript:alert(1)", "\x01//evil.example",
            "/\r\\evil.example"]
ON_SITE = ["/wallet", "/experts?category=cooking", "/%5Cevil.example", "/%2F%2Fevil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_are_refused(target: str) -> None:
    assert same_site_path(target) is None


async def test_every_back_link_stays_on_the_site(browse: Browse) -> None:
    page = await browse.page()
    for base in ("/problem/not_found", "/devices"):
        for target in OFF_SITE + ON_SITE:
            await page.goto(f"{base}?back={quote(target, safe='')}")
            hrefs = await page.eval_on_selector_all(
                "main a[href]", "links => links.map(a => [a.getAttribute('href'), a.href])")
            origins = await page.evaluate(
                "hrefs => hrefs.map(h => new URL(h, location.href).origin)",
                [href for href, _ in hrefs])
            site_origin = await page.evaluate("location.origin")
            assert set(origins) <= {site_origin}, (base, target, hrefs)
            shown = [href for href, _ in hrefs]
            if target in ON_SITE:
                assert target in shown, (base, target, shown)
