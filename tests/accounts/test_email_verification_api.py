"""Email verification through the API: the link mailed again on request, and its token
used once (protocol §7.5)."""

from __future__ import annotations

import hashlib

from accounts.links import link_key
from server.keymigration import DONE_KEY, migrate_key_layout
from server.keys import REDIS
from tests.conftest import Running
from tests.mailbox import links, queued


async def test_the_link_is_mailed_again_and_its_token_verifies_once(running: Running) -> None:
    expert = await running.client.post("/api/v1/accounts", json={
        "email": "late@example.test", "password": "correct horse", "display_name": "Late",
        "role": "expert"})
    assert expert.status == 201
    token = await running.client.post("/api/v1/tokens", json={
        "email": "late@example.test", "password": "correct horse"})
    headers = {"Authorization": f"Bearer {(await token.json())['token']}"}

    again = await running.client.post("/api/v1/me/verification", headers=headers)
    assert again.status == 202
    first, second = await queued(running.app[REDIS], "late@example.test", "verify_email")
    mailed = [[u for u in links(m) if "/verify-email/" in u] for m in (first, second)]
    assert mailed[0] != mailed[1]  # a new link each time
    link_token = mailed[1][0].rsplit("/", 1)[1]

    assert (await running.client.post("/api/v1/email-verifications/nope")).status == 404
    done = await running.client.post(f"/api/v1/email-verifications/{link_token}")
    assert done.status == 204
    me = await running.client.get("/api/v1/me", headers=headers)
    assert (await me.json())["email_verified"] is True
    used = await running.client.post(f"/api/v1/email-verifications/{link_token}")
    assert used.status == 404
    # Verified: nothing more is mailed.
    assert (await running.client.post("/api/v1/me/verification", headers=headers)).status == 202
    assert len(await queued(running.app[REDIS], "late@example.test", "verify_email")) == 2


async def test_a_link_mailed_by_the_earlier_layout_still_verifies(running: Running) -> None:
    # Before layout 9 a link's key was in the home slot; the upgrade moves it to its own,
    # time to live included.
    redis = running.app[REDIS]
    created = await running.client.post("/api/v1/accounts", json={
        "email": "old@example.test", "password": "correct horse", "display_name": "Old",
        "role": "expert"})
    assert created.status == 201
    [mail] = await queued(redis, "old@example.test", "verify_email")
    [url] = [u for u in links(mail) if "/verify-email/" in u]
    token = url.rsplit("/", 1)[1]
    digest = hashlib.sha256(token.encode()).hexdigest()
    new = link_key("verify", digest)
    await redis.rename(new, old := f"hc:{{0}}:link:verify:{digest}")
    await redis.set(DONE_KEY, "8")

    assert await migrate_key_layout(redis) == 1
    assert not await redis.exists(old)
    assert 0 < await redis.ttl(new) <= 7 * 86_400
    assert (await running.client.post(f"/api/v1/email-verifications/{token}")).status == 204
