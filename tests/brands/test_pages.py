"""The branded page: theme and logo applied, every text escaped, experts with status,
the call button, the embeddable variant; and the dashboard's access rules."""

from __future__ import annotations

import io

from PIL import Image

from tests.brands.conftest import admin, brand_admin, member_expert, new_brand
from tests.conftest import Running
from tests.signaling.conftest import Connect

SCRIPT = "<script>alert(1)</script>"


async def test_the_page_applies_the_theme_and_keeps_texts_as_text(
    running: Running, connect: Connect
) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme", name=SCRIPT, primary_colour="#112233",
                    accent_colour="#fefefe", welcome='Hi "there" <b>you</b> & co',
                    logo_url="https://cdn.example.test/acme.png")
    owner = await brand_admin(running, platform, "acme")
    expert, _ = await member_expert(running, connect, owner, "acme", name="<i>Eve</i>")
    await member_expert(running, connect, owner, "acme", online=False, name="Oscar")

    page = await running.client.get("/b/acme")
    assert page.status == 200 and page.content_type == "text/html"
    html = await page.text()
    assert SCRIPT not in html and "<i>Eve</i>" not in html and "<b>you</b>" not in html
    assert "<h1 class=\"brand-name\">&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
    assert "&lt;i&gt;Eve&lt;/i&gt;" in html
    assert "Hi &#34;there&#34; &lt;b&gt;you&lt;/b&gt; &amp; co" in html
    assert '<img class="brand-logo" src="https://cdn.example.test/acme.png"' in html
    assert 'href="/b/acme/theme.css"' in html and 'data-brand="acme"' in html
    assert f'data-expert-id="{expert.id}" data-status="online"' in html
    assert 'data-status="offline"' in html
    assert ">Call now</button>" in html and "brand-call-now" in html
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]

    theme = await running.client.get("/b/acme/theme.css")
    assert theme.content_type == "text/css"
    assert await theme.text() == ":root { --brand-primary: #112233; --brand-accent: #fefefe; }\n"
    script = await running.client.get("/brand-static/brand-page.js")
    assert script.status == 200 and "brand: document.body.dataset.brand" in await script.text()

    embedded = await running.client.get("/b/acme?embed=1")
    assert "frame-ancestors *" in embedded.headers["Content-Security-Policy"]
    embed_html = await embedded.text()
    assert 'target="_blank"' in embed_html and 'class="brand-page embed"' in embed_html
    snippet = (await (await running.client.get("/api/v1/brands/acme",
                                               headers=owner.headers)).json())["embed_html"]
    assert snippet.startswith("<iframe src=\"http") and "/b/acme?embed=1" in snippet


async def test_an_unknown_brand_page_is_not_found(running: Running) -> None:
    page = await running.client.get("/b/nobody")
    assert page.status == 404 and "no such brand" in await page.text()
    assert (await running.client.get("/b/nobody/theme.css")).status == 404


async def test_the_dashboard_is_for_the_brands_admins_only(running: Running) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme", name=SCRIPT)
    await new_brand(running, platform, "other")
    owner = await brand_admin(running, platform, "acme")
    stranger = await brand_admin(running, platform, "other")
    anonymous = await running.client.get("/b/acme/dashboard", allow_redirects=False)
    assert anonymous.status == 303
    assert anonymous.headers["Location"] == "/login?next=/b/acme/dashboard"
    refused = await running.client.get("/b/acme/dashboard", headers=stranger.headers)
    assert refused.status == 403
    page = await running.client.get("/b/acme/dashboard", headers=owner.headers)
    html = await page.text()
    assert page.status == 200 and SCRIPT not in html
    assert "No calls in this period" in html and "&lt;iframe src=" in html


async def test_an_uploaded_logo_is_reencoded_and_shown(running: Running) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    await new_brand(running, platform, "other")
    stranger = await brand_admin(running, platform, "other")
    image = io.BytesIO()
    Image.new("RGBA", (800, 400), (200, 30, 30, 128)).save(image, "PNG")
    headers = {**owner.headers, "Content-Type": "image/png"}
    answer = await running.client.put("/api/v1/brands/acme/logo", data=image.getvalue(),
                                      headers=headers)
    assert answer.status == 200, await answer.text()
    url = (await answer.json())["logo_url"]
    assert url.startswith("/b/acme/logo.jpg?v=")
    logo = await running.client.get(url)
    assert logo.content_type == "image/jpeg"
    with Image.open(io.BytesIO(await logo.read())) as stored:
        assert stored.format == "JPEG" and stored.size == (512, 256)
    html = await (await running.client.get("/b/acme")).text()
    assert f'<img class="brand-logo" src="{url}"' in html
    bad = await running.client.put("/api/v1/brands/acme/logo", data=b"<svg onload=x>",
                                   headers={**owner.headers, "Content-Type": "image/png"})
    assert bad.status == 400
    refused = await running.client.put("/api/v1/brands/acme/logo", data=image.getvalue(),
                                       headers={**stranger.headers, "Content-Type": "image/png"})
    assert refused.status == 403


async def test_the_page_speaks_the_visitors_language_and_shows_prices(
    running: Running, connect: Connect
) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme", name="Acme", welcome="Bienvenue chez Acme")
    owner = await brand_admin(running, platform, "acme")
    await member_expert(running, connect, owner, "acme", name="Eve",
                        pricing={"mode": "per_minute", "amount_cents": 150})
    french = await running.client.get("/b/acme", headers={"Accept-Language": "fr-FR,fr"})
    html = await french.text()
    assert '<html lang="fr">' in html
    assert "Nos experts" in html and "Our experts" not in html
    assert "Appeler maintenant" in html and "En ligne" in html
    assert '<span class="expert-price" data-field="price">1,50 € / min</span>' in html
    english = await (await running.client.get("/b/acme")).text()
    assert "Our experts" in english and "€1.50 / min" in english


async def test_the_dashboard_writes_money_as_the_app_does(running: Running) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    french = {**owner.headers, "Accept-Language": "fr"}
    html = await (await running.client.get("/b/acme/dashboard", headers=french)).text()
    assert '<td data-figure="spend_cents" class="num">0,00 €</td>' in html
    assert "Acme : tableau de bord" in html and 'href="/static/css/app.css"' in html
    assert "EUR" not in html
