"""The earnings page and the admins' payouts page, through their forms: bank details, a
payout request, approval, the bank-transfer file, marking paid; others refused."""

from __future__ import annotations

import re

import redis.asyncio as aioredis

from accounts.tokens import COOKIE_NAME
from tests.conftest import Running, User, on_this_redis
from tests.earnings.conftest import IBAN, credited
from tests.marketplace.conftest import admin


async def as_user(running: Running, user: User, path: str) -> tuple[int, str]:
    running.client.session.cookie_jar.update_cookies({COOKIE_NAME: user.token, "lang": "en"})
    answer = await running.client.get(path, allow_redirects=False)
    return answer.status, await answer.text()


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def post(running: Running, path: str, html: str, **fields: str) -> str:
    answer = await running.client.post(path, data={"csrf_token": token(html), **fields},
                                       allow_redirects=False)
    assert answer.status == 303, await answer.text()
    return answer.headers["Location"]


async def test_from_earnings_to_a_paid_bank_transfer(
    running: Running, redis: aioredis.Redis
) -> None:
    expert = await running.user("expert", name="Marie Curie")
    for n, cents in enumerate((1500, 1700)):
        await redis.xadd(on_this_redis(redis), {
            "event_id": f"evt_s_page{n}", "type": "session.ended", "session_id": f"s_page{n}",
            "expert_id": expert.id, "expert_payout_cents": str(cents),
            "ended_at": "2026-12-01T10:00:00.000Z"})
    await credited(running, expert, 3200)

    status, html = await as_user(running, expert, "/earnings")
    assert status == 200 and 'data-role="available">€32.00<' in html
    assert 'data-month="2026-12"' in html and html.count('data-role="call"') == 2
    assert "Ask for a payout of €32.00" in html
    forged = await running.client.post("/earnings/bank", data={"holder": "X", "iban": IBAN},
                                       allow_redirects=False)
    assert forged.status == 403
    assert (await post(running, "/earnings/bank", html, holder="Marie Curie", iban="FR00 1")
            ).endswith("done=bank_failed&problem=invalid")
    assert (await post(running, "/earnings/bank", html, holder="Marie Curie", iban=IBAN)
            ).endswith("done=bank_saved")
    status, html = await as_user(running, expert, "/earnings")
    assert "FR76 •••• 0189" in html and IBAN not in html
    assert (await post(running, "/earnings/payouts", html)).endswith("done=payout_requested")
    status, html = await as_user(running, expert, "/earnings")
    assert 'data-role="pending">€32.00<' in html and 'data-state="requested"' in html

    boss = await admin(running)
    status, html = await as_user(running, boss, "/admin/payouts")
    assert status == 200 and "Marie Curie — €32.00" in html
    payout_id = re.search(r'data-payout="(po_[^"]+)" data-state="requested"', html)
    assert payout_id is not None
    page = f"/admin/payouts/{payout_id.group(1)}"
    assert (await post(running, page, html, action="approve")).endswith("done=approve")
    status, html = await as_user(running, boss, "/admin/payouts")
    exported = await running.client.get("/admin/payouts.csv")
    assert exported.status == 200
    assert exported.headers["Content-Disposition"].startswith("attachment")
    lines = (await exported.text()).splitlines()
    assert lines[1] == (f"{payout_id.group(1)},Marie Curie,{IBAN.replace(' ', '')},,32.00,EUR,"
                        f"helpcall payout {payout_id.group(1)}")
    assert (await post(running, page, html, action="pay", reference="")).endswith("done=failed")
    assert (await post(running, page, html, action="pay", reference="VIR-0042")
            ).endswith("done=pay")

    status, html = await as_user(running, expert, "/earnings")
    assert 'data-role="paid-out">€32.00<' in html and "VIR-0042" in html
    status, html = await as_user(running, expert, "/admin/payouts")
    assert status == 403 and 'data-problem="forbidden"' in html
    client = await running.user("client")
    status, html = await as_user(running, client, "/earnings")
    assert status == 403
    status, _ = await as_user(running, client, "/admin/payouts.csv")
    assert status == 403
