"""Export and erasure: the zip holds everything of the account (a shared file byte for
byte, the notes about them with their text); after erasure no key or value in Redis holds
the person's email or name, while money records stay under the bare id."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
import redis.asyncio as aioredis

from brands import keys as brand_keys
from privacy.erase import ERASED, PENDING, Eraser, Rules
from privacy.errors import NotYet
from server.keys import ACCOUNTS, ERASER, RETENTION
from sessions.wallet import ledger_key
from tests.appointments.conftest import booked, expert_with_hours, funded_client, hours_around, soon
from tests.brands.conftest import admin, brand_admin, member_expert, new_brand
from tests.conftest import Running, StartApp, User, billing_entries, on_this_redis
from tests.earnings.conftest import credited
from tests.privacy.conftest import PNG, PastCall, past_call
from tests.signaling.conftest import Connect
from tests.waiting import eventually
from trust import keys as trust_keys

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

NAME = "Zebulon Quixote-Marchetti"


async def _values(redis: aioredis.Redis, key: str) -> list[str]:
    kind = await redis.type(key)
    if kind == "string":
        return [str(await redis.get(key))]
    if kind == "hash":
        return [f"{k}={v}" for k, v in (await redis.hgetall(key)).items()]
    if kind == "list":
        return [str(v) for v in await redis.lrange(key, 0, -1)]
    if kind == "set":
        return [str(v) for v in await redis.smembers(key)]
    if kind == "zset":
        return [str(v) for v in await redis.zrange(key, 0, -1)]
    if kind == "stream":
        return [json.dumps(fields) for _, fields in await redis.xrange(key)]
    if kind == "none":
        return []  # emptied since the scan (the reaper drops deadlines as they settle)
    raise AssertionError(f"{key}: a {kind} the scan does not read")


async def holders(redis: aioredis.Redis, *needles: str) -> list[str]:
    """Every key whose name or value holds one of the needles."""
    found = []
    async for key in redis.scan_iter(count=1000):
        text = key + "\n" + "\n".join(await _values(redis, key))
        if any(needle in text for needle in needles):
            found.append(key)
    return found


async def _call_with_everything(running: Running, connect: Connect) -> PastCall:
    call = await past_call(running, connect, client_name=NAME, expert_name="Ada Byron")
    review = await running.client.post(f"/api/v1/sessions/{call.session_id}/review",
                                       json={"rating": 5, "text": f"thanks, {NAME} here"},
                                       headers=call.client.headers)
    assert review.status == 201, await review.text()
    note = await running.client.put(f"/api/v1/sessions/{call.session_id}/note",
                                    json={"text": "prefers mornings; tap model X2"},
                                    headers=call.expert.headers)
    assert note.status == 200
    fav = await running.client.put(f"/api/v1/favourites/{call.expert.id}",
                                   headers=call.client.headers)
    assert fav.status in (200, 201, 204)
    # What trust keeps: a block and a report, each written by the client.
    assert (await running.client.put(f"/api/v1/blocks/{call.expert.id}",
                                     headers=call.client.headers)).status in (200, 201, 204)
    reported = await running.client.post("/api/v1/reports", json={
        "account_id": call.expert.id, "reason": "other", "session_id": call.session_id,
        "text": f"{NAME} felt rushed"}, headers=call.client.headers)
    assert reported.status == 201, await reported.text()
    return call


async def _export(running: Running, user: User) -> zipfile.ZipFile:
    answer = await running.client.get("/api/v1/me/export", headers=user.headers)
    assert answer.status == 200 and answer.content_type == "application/zip"
    return zipfile.ZipFile(io.BytesIO(await answer.read()))


def _json(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name))


async def test_the_export_holds_everything_of_the_account(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    call = await _call_with_everything(running, connect)
    archive = await _export(running, call.client)
    assert _json(archive, "account.json")["email"] == call.client.email
    sessions = _json(archive, "sessions.json")
    assert sessions[0]["id"] == call.session_id and sessions[0]["role"] == "client"
    assert [m["text"] for m in sessions[0]["chat"]][:2] == ["the tap under the sink",
                                                            "turn the valve left"]
    assert _json(archive, "reviews.json")["written"][0]["rating"] == "5"
    kinds = [e["kind"] for e in _json(archive, "wallet.json")["ledger"]]
    assert kinds[0] == "topup" and "release" in kinds
    notes = _json(archive, "notes_about_me.json")
    assert notes == [{"expert": {"id": call.expert.id, "display_name": "Ada Byron"},
                      "text": "prefers mornings; tap model X2", "updated_at": notes[0]["updated_at"]}]
    assert _json(archive, "favourites.json") == [call.expert.id]
    trust = _json(archive, "trust.json")
    assert [b["account_id"] for b in trust["blocked"]] == [call.expert.id]
    assert [r["text"] for r in trust["reports_filed"]] == [f"{NAME} felt rushed"]
    assert trust["disputes"] == []  # the call was too short to be charged
    png = next(n for n in archive.namelist() if n.startswith("documents/")
               and n.endswith("leaking tap.png"))
    assert archive.read(png) == PNG

    # The expert's export has their profile and their note, not the client's wallet.
    archive = await _export(running, call.expert)
    assert _json(archive, "profile.json")["display_name"] == "Ada Byron"
    assert _json(archive, "notes_by_me.json")[0]["client_id"] == call.client.id
    assert _json(archive, "wallet.json")["ledger"] == []


async def test_notes_are_the_experts_alone_and_the_client_can_erase_them(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    call = await _call_with_everything(running, connect)
    path = f"/api/v1/sessions/{call.session_id}/note"
    assert (await (await running.client.get(path, headers=call.expert.headers)).json()
            )["text"] == "prefers mornings; tap model X2"
    by_client = await running.client.get(f"/api/v1/clients/{call.client.id}/note",
                                         headers=call.expert.headers)
    assert (await by_client.json())["text"] == "prefers mornings; tap model X2"
    # The client (and anyone else) never reads the text.
    assert (await running.client.get(path, headers=call.client.headers)).status == 404
    other = await running.user("expert")
    answer = await running.client.get(f"/api/v1/clients/{call.client.id}/note",
                                      headers=other.headers)
    assert (await answer.json())["text"] == ""
    assert (await running.client.put(path, json={"text": "mine"}, headers=other.headers)
            ).status == 404
    too_long = await running.client.put(path, json={"text": "x" * 4001},
                                        headers=call.expert.headers)
    assert too_long.status == 400
    # The client sees that a note exists, and erases it.
    listed = await (await running.client.get("/api/v1/me/notes",
                                             headers=call.client.headers)).json()
    assert listed["notes"] == [{"expert": {"id": call.expert.id, "display_name": "Ada Byron"},
                                "updated_at": listed["notes"][0]["updated_at"]}]
    gone = await running.client.delete(f"/api/v1/me/notes/{call.expert.id}",
                                       headers=call.client.headers)
    assert gone.status == 204
    assert (await (await running.client.get(path, headers=call.expert.headers)).json()
            )["text"] == ""
    again = await running.client.delete(f"/api/v1/me/notes/{call.expert.id}",
                                        headers=call.client.headers)
    assert again.status == 404


async def test_after_erasure_no_key_holds_the_email_or_the_name(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app(HELPCALL_GUARANTEE_SECONDS="0")
    call = await _call_with_everything(running, connect)
    client = call.client
    assert await holders(redis, client.email, NAME)  # the scan does find them before

    wrong = await running.client.delete("/api/v1/me", json={"password": "not it"},
                                        headers=client.headers)
    assert wrong.status == 400 and (await wrong.json())["error"]["code"] == "invalid"
    # An expert with earnings not yet paid out is told so, and stays.
    await redis.xadd(on_this_redis(redis), {
        "event_id": "evt_s_earlier1", "type": "session.ended", "session_id": "s_earlier1",
        "expert_id": call.expert.id, "expert_payout_cents": "1500",
        "ended_at": "2026-12-01T10:00:00.000Z"})
    await credited(running, call.expert, 1500)
    refused = await running.client.delete("/api/v1/me", json={"password": "correct horse"},
                                          headers=call.expert.headers)
    assert refused.status == 409, await refused.text()
    assert (await refused.json())["error"]["reason"] == "balance_remaining"

    erased = await running.client.delete("/api/v1/me", json={"password": "correct horse"},
                                         headers=client.headers)
    assert erased.status == 204, await erased.text()
    assert (await running.client.get("/api/v1/me", headers=client.headers)).status == 401
    await eventually(lambda: _gone(call.client_socket), what="the socket closed")
    assert await holders(redis, client.email, NAME) == []
    assert [key async for key in redis.scan_iter(match=trust_keys.pair("*", "*"))] == []

    # Money records stay, under the bare id.
    ledger = await redis.xrange(ledger_key(client.id))
    assert any(fields.get("session_id") == call.session_id for _, fields in ledger)
    billed = [f for _, f in await billing_entries(redis)]
    assert billed[0]["client_id"] == client.id
    # The expert keeps the transcript of their side; the client's messages are gone.
    answer = await running.client.get(f"/api/v1/sessions/{call.session_id}/chat",
                                      headers=call.expert.headers)
    texts = [m["text"] for m in (await answer.json())["messages"]]
    assert texts == ["", "turn the valve left", ""]
    # The email is free again, and logging in with the old password fails.
    login = await running.client.post("/api/v1/tokens", json={
        "email": client.email, "password": "correct horse"})
    assert login.status == 401


async def _gone(peer: Any) -> bool:
    return not peer.sio.connected


async def test_an_open_booking_stops_the_erasure_until_it_is_cancelled(
    start_app: StartApp, redis: aioredis.Redis
) -> None:
    running = await start_app()
    start = soon(3600)
    expert = await expert_with_hours(running, **hours_around(start, 60))
    client = await funded_client(running)
    booking = await booked(running, client, expert, start, topic=f"{NAME}'s tap")
    body = {"password": "correct horse"}
    refused = await running.client.delete("/api/v1/me", json=body, headers=client.headers)
    assert refused.status == 409
    assert (await refused.json())["error"]["reason"] == "bookings_open"
    cancelled = await running.client.post(f"/api/v1/bookings/{booking['id']}/cancel",
                                          headers=client.headers)
    assert cancelled.status == 200, await cancelled.text()
    erased = await running.client.delete("/api/v1/me", json=body, headers=client.headers)
    assert erased.status == 204
    assert await holders(redis, client.email, client.display_name, NAME) == []
    # The expert still has the booking, without the client's name or topic.
    answer = await running.client.get(f"/api/v1/bookings/{booking['id']}",
                                      headers=expert.headers)
    seen = await answer.json()
    assert seen["client"]["display_name"] == "" and seen["state"] == "cancelled"


async def test_an_erasure_cut_short_is_finished_by_the_retention_job(
    start_app: StartApp, redis: aioredis.Redis
) -> None:
    running = await start_app()
    client = await running.user("client", name=NAME)
    # As if the process died right after recording the erasure and revoking the tokens.
    await redis.hset(PENDING, client.id, json.dumps({"email": client.email, "name": NAME}))
    await running.app[ACCOUNTS].store.set_password(client.id, "!erased")
    assert (await running.client.get("/api/v1/me", headers=client.headers)).status == 401
    report = await running.app[RETENTION].run_once()
    assert report.erasures == 1
    assert await holders(redis, client.email, NAME) == []
    assert await redis.zscore(ERASED, client.id) is not None


async def test_with_card_payments_unused_credit_is_refunded_before_erasure(
    running: Running, redis: aioredis.Redis
) -> None:
    client = await running.user("client")
    topped = await running.client.post("/api/v1/wallet/topups", json={"amount_cents": 700},
                                       headers=client.headers)
    assert topped.status == 201
    account = await running.app[ACCOUNTS].store.require(client.id)
    # The same eraser as the app's, with the rule that HELPCALL_PAYMENTS=stripe sets.
    app_eraser = running.app[ERASER]
    eraser = Eraser(redis, app_eraser.accounts, app_eraser.files, app_eraser.blobs,
                    app_eraser.notes, app_eraser.trust, app_eraser.brands,
                    Rules(card_payments=True))
    with pytest.raises(NotYet) as refused:
        await eraser.erase(account, "correct horse")
    assert refused.value.reason == "credit_remaining" and "700 cents" in refused.value.message
    # In test mode the credit is play money: the account goes.
    assert (await running.client.delete("/api/v1/me", json={"password": "correct horse"},
                                        headers=client.headers)).status == 204


async def test_brand_places_are_exported_and_erased(
    running: Running, connect: Connect, redis: aioredis.Redis
) -> None:
    platform = await admin(running)
    brand_id = (await new_brand(running, platform, "acme", name="Acme Taps"))["id"]
    boss = await brand_admin(running, platform, "acme")
    expert, socket = await member_expert(running, connect, boss, "acme", online=False)
    acme = {"id": brand_id, "slug": "acme", "name": "Acme Taps"}

    assert _json(await _export(running, boss), "brands.json") == {
        "administered": [acme], "member_of": []}
    assert _json(await _export(running, expert), "brands.json") == {
        "administered": [], "member_of": [acme]}

    await socket.close()
    for person in (expert, boss):
        erased = await running.client.delete("/api/v1/me", json={"password": "correct horse"},
                                             headers=person.headers)
        assert erased.status == 204, await erased.text()
    members = await running.client.get("/api/v1/brands/acme/experts", headers=platform.headers)
    assert members.status == 200 and expert.id not in await members.text()
    assert await redis.smembers(brand_keys.admins(brand_id)) == set()
    assert not await redis.exists(brand_keys.account_brands(boss.id),
                                  brand_keys.expert_brands(expert.id))
    # The brand itself stays, for the platform's admins to give a new admin.
    again = await running.client.post("/api/v1/brands/acme/admins",
                                      json={"account_id": platform.id}, headers=platform.headers)
    assert again.status == 201
