"""The trust forms without a browser: a report and a block from an expert's profile, forged
posts refused, the pages closed to strangers and to non-admins."""

from __future__ import annotations

from tests.conftest import Running
from tests.marketplace.conftest import admin, put_profile
from tests.trust.conftest import get_json
from tests.web.test_payouts_page import as_user, post


async def test_a_client_reports_and_blocks_an_expert_from_the_profile(running: Running) -> None:
    expert = await running.user("expert", name="Rude Expert")
    await put_profile(running, expert)
    client = await running.user("client")
    status, html = await as_user(running, client, f"/experts/{expert.id}")
    assert status == 200 and 'data-role="report"' in html
    sent = await post(running, f"/reports/{expert.id}", html, reason="harassment",
                      text="Insults in the reviews", back=f"/experts/{expert.id}")
    assert sent == f"/experts/{expert.id}?report=sent#report"
    failed = await post(running, f"/reports/{expert.id}", html, reason="harassment", text="",
                        back="https://elsewhere.example/")
    assert failed == "/?report=failed#report"  # never sent off-site
    [report] = (await get_json(running, "/api/v1/admin/reports", await admin(running)))[
        "reports"]
    assert (report["account_id"], report["session_id"]) == (expert.id, None)

    blocked = await post(running, f"/settings/blocked/{expert.id}/block", html)
    assert blocked == "/settings/blocked?done=blocked"
    status, page = await as_user(running, client, "/settings/blocked")
    assert status == 200 and "Unblock Rude Expert" in page
    forged = await running.client.post(f"/settings/blocked/{expert.id}/unblock",
                                       allow_redirects=False)
    assert forged.status in (400, 403)
    assert len((await get_json(running, "/api/v1/blocks", client))["blocked"]) == 1


async def test_the_admin_pages_are_for_admins_only(running: Running) -> None:
    client = await running.user("client")
    for path in ("/admin/disputes", "/admin/moderation"):
        status, _ = await as_user(running, client, path)
        assert status == 403
    boss = await admin(running)
    for path, text in (("/admin/disputes", "No dispute is waiting"),
                       ("/admin/moderation", "No open report")):
        status, html = await as_user(running, boss, path)
        assert status == 200 and text in html, html
    status, _ = await as_user(running, boss, "/admin/disputes/s_0123456789abcdef0123")
    assert status == 404
