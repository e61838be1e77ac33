"""The admin console: what runs now, reconcile, and brands managed from pages."""

from __future__ import annotations

import re

from accounts.tokens import COOKIE_NAME
from tests.conftest import Running, User
from tests.marketplace.conftest import admin
from tests.signaling.conftest import Connect, connect, funded_client, online_expert

__all__ = ["connect"]  # the fixture the call test uses


async def signed_in_admin(running: Running) -> User:
    boss = await admin(running)
    running.client.session.cookie_jar.update_cookies({COOKIE_NAME: boss.token})
    return boss


async def page_with_token(running: Running, path: str) -> tuple[str, str]:
    page = await running.client.get(path)
    html = await page.text()
    assert page.status == 200, html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None
    return html, token.group(1)


async def post(running: Running, path: str, token: str, **form: str) -> tuple[int, str]:
    answer = await running.client.post(path, data={"csrf_token": token, **form},
                                       allow_redirects=False)
    return answer.status, answer.headers.get("Location", "") or await answer.text()


async def test_the_overview_shows_a_call_in_progress_with_both_names(
    running: Running, connect: Connect
) -> None:
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    started = await client_socket.ok("call:start", {"expert_id": expert.id, "topic": "Bread"})
    await expert_socket.ok("call:accept", {"session_id": started["session_id"]})
    await signed_in_admin(running)

    text = await (await running.client.get("/admin")).text()
    row = re.search(rf'<tr data-session="{started["session_id"]}">(.*?)</tr>', text, re.S)
    assert row is not None, text
    assert "Accepted, connecting" in row.group(1)
    assert client.display_name in row.group(1) and expert.display_name in row.group(1)
    assert re.search(r'data-state="accepted"><span class="tally-count">1<', text)
    assert re.search(r'data-status="busy"><span class="tally-count">1<', text)
    assert 'data-target="brand"' in text and 'data-target="platform"' in text

    french = await running.client.get("/admin", headers={"Accept-Language": "fr"})
    assert "Appels en cours" in await french.text()


async def test_only_admins_see_the_console(running: Running) -> None:
    page = await running.client.get("/admin", allow_redirects=False)
    assert page.status in (302, 303) and "/login" in page.headers["Location"]
    expert = await running.user("expert")
    running.client.session.cookie_jar.update_cookies({COOKIE_NAME: expert.token})
    for path in ("/admin", "/admin/reconcile", "/admin/brands"):
        assert (await running.client.get(path)).status == 403
    refused = await running.client.post("/admin/brands", data={"slug": "x", "name": "X"})
    assert refused.status == 403


async def test_reconcile_from_the_page(running: Running) -> None:
    client = await running.user("client")
    await running.client.post("/api/v1/wallet/topups", json={"amount_cents": 500},
                              headers=client.headers)
    await signed_in_admin(running)
    _, token = await page_with_token(running, "/admin/reconcile")
    forged = await running.client.post("/admin/reconcile", data={})
    assert forged.status == 403
    done = await running.client.post("/admin/reconcile", data={"csrf_token": token})
    assert done.status == 200 and 'data-outcome="agree"' in await done.text()


async def test_an_admin_creates_edits_funds_and_staffs_a_brand(running: Running) -> None:
    await signed_in_admin(running)
    helper = await running.user("client", name="Brand Keeper")
    html, token = await page_with_token(running, "/admin/brands")
    assert "No brand yet." in html

    status, body = await post(running, "/admin/brands", token, slug="maison", name="Maison",
                              primary_colour="not-a-colour", accent_colour="#ffffff")
    assert status == 400 and 'data-role="error"' in body and "primary_colour" in body
    assert 'value="maison"' in body  # what was typed is kept

    status, location = await post(running, "/admin/brands", token, slug="maison",
                                  name="Maison <b>Bleue</b>", primary_colour="#1f4e8c",
                                  accent_colour="#ffffff", welcome="Bonjour", fee_percent="12",
                                  sponsored="on")
    assert status == 303 and location == "/admin/brands/maison?done=created"
    listed = await (await running.client.get("/admin/brands")).text()
    assert "Maison &lt;b&gt;Bleue&lt;/b&gt;" in listed and "12 %" in listed
    brand = await (await running.client.get("/api/v1/brands/maison",
                                            headers={"Authorization": ""})).json()
    assert brand["sponsored"] is True and brand["fee_percent"] == 12

    status, location = await post(running, "/admin/brands/maison", token, name="Maison Bleue",
                                  primary_colour="#1f4e8c", accent_colour="#ffffff",
                                  welcome="Bienvenue", fee_percent="")
    assert status == 303 and location.endswith("done=saved")
    public = await (await running.client.get("/b/maison")).text()
    assert "Maison Bleue" in public and "Bienvenue" in public

    status, location = await post(running, "/admin/brands/maison/topups", token,
                                  amount_cents="2500")
    assert status == 303 and location.endswith("done=topped_up")
    status, body = await post(running, "/admin/brands/maison/topups", token, amount_cents="-4")
    assert status == 400 and 'data-role="error"' in body
    page = await (await running.client.get("/admin/brands/maison")).text()
    assert "€25.00" in page

    status, body = await post(running, "/admin/brands/maison/admins", token,
                              email="nobody@example.test")
    assert status == 400 and "Nobody has an account with that email." in body
    status, _ = await post(running, "/admin/brands/maison/admins", token, email=helper.email)
    assert status == 303
    page = await (await running.client.get("/admin/brands/maison")).text()
    assert f'data-account="{helper.id}"' in page
    status, _ = await post(running, f"/admin/brands/maison/admins/{helper.id}/remove", token)
    assert status == 303
    page = await (await running.client.get("/admin/brands/maison")).text()
    assert f'data-account="{helper.id}"' not in page

    status, location = await post(running, "/admin/brands/maison/invitations", token)
    assert status == 303
    page = await (await running.client.get(location)).text()
    link = re.search(r'data-role="invitation">.*?<code>(http://[^<]+/invitations/([^<]+))</code>',
                     page, re.S)
    assert link is not None
    expert = await running.user("expert")
    accepted = await running.client.post(f"/api/v1/brand-invitations/{link.group(2)}/accept",
                                         headers=expert.headers)
    assert accepted.status == 200
    page = await (await running.client.get("/admin/brands/maison")).text()
    assert f'data-account="{expert.id}"' in page

    assert (await running.client.get("/admin/brands/nope")).status == 404
