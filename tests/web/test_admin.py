"""The admin's verification page: pending requests with what was submitted, decided once."""

from __future__ import annotations

import re

from accounts.tokens import COOKIE_NAME
from tests.conftest import Running
from tests.marketplace.conftest import admin
from tests.signaling.conftest import PROFILE


async def test_an_admin_approves_a_pending_request_from_the_page(running: Running) -> None:
    expert = await running.user("expert", name="Dr <b>Lune</b>")
    await running.client.put("/api/v1/experts/me", json={**PROFILE, "categories": ["health"]},
                             headers=expert.headers)
    asked = await running.client.post(
        "/api/v1/experts/me/verifications",
        json={"category": "health", "evidence": "Licence 12345 <script>x</script>"},
        headers=expert.headers)
    assert asked.status == 201
    request_id = (await asked.json())["id"]
    boss = await admin(running)
    running.client.session.cookie_jar.update_cookies({COOKIE_NAME: boss.token})

    page = await running.client.get("/admin/verifications")
    html = await page.text()
    assert page.status == 200 and f'data-request="{request_id}"' in html
    assert "Licence 12345 &lt;script&gt;" in html and "Dr &lt;b&gt;Lune&lt;/b&gt;" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None

    forged = await running.client.post(f"/admin/verifications/{request_id}",
                                       data={"decision": "approve"}, allow_redirects=False)
    assert forged.status == 403
    done = await running.client.post(
        f"/admin/verifications/{request_id}",
        data={"decision": "approve", "note": "checked", "csrf_token": token.group(1)},
        allow_redirects=False)
    assert done.status == 303 and done.headers["Location"].endswith("done=approved")
    listed = await running.client.get("/api/v1/experts?category=health")
    assert [e["id"] for e in (await listed.json())["experts"]] == [expert.id]


async def test_only_admins_see_the_page(running: Running) -> None:
    client = await running.user("client")
    running.client.session.cookie_jar.update_cookies({COOKIE_NAME: client.token})
    page = await running.client.get("/admin/verifications", allow_redirects=False)
    assert page.status == 403
    running.client.session.cookie_jar.clear()
    page = await running.client.get("/admin/verifications", allow_redirects=False)
    assert page.status in (302, 303) and "/login" in page.headers["Location"]
