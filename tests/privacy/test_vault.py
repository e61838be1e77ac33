"""Transcripts kept with the session and the vault ("My documents"): each person reads
their own, through the API, one by one or zipped; strangers read nothing."""

from __future__ import annotations

import io
import zipfile

import pytest

from common.errors import Invalid
from privacy.vault import VaultQuery
from tests.appointments.conftest import booked, expert_with_hours, funded_client, hours_around, soon
from tests.conftest import StartApp
from tests.privacy.conftest import PNG, past_call
from tests.signaling.conftest import Connect

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)


def test_the_vault_query_reads_names_and_days() -> None:
    query = VaultQuery.parse({"expert": " Ada ", "from": "2026-03-01", "to": "2026-03-02"})
    assert query.matches("ADA Lovelace", 1772323200000)  # 2026-03-01T00:00Z
    assert query.matches("ada", 1772495999000)  # 2026-03-02T23:59:59Z
    assert not query.matches("ada", 1772496000000)  # 2026-03-03
    assert not query.matches("Grace", 1772323200000)
    for bad in ({"from": "yesterday"}, {"from": "2026-03-02", "to": "2026-03-01"}):
        try:
            VaultQuery.parse(bad)
        except Invalid:
            continue
        raise AssertionError(f"{bad} was accepted")


async def test_the_transcript_stays_with_the_session_for_both_parties_only(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app()
    call = await past_call(running, connect)
    for user in (call.client, call.expert):
        answer = await running.client.get(f"/api/v1/sessions/{call.session_id}/chat",
                                          headers=user.headers)
        assert answer.status == 200
        messages = (await answer.json())["messages"]
        assert [m["text"] for m in messages][:2] == ["the tap under the sink",
                                                     "turn the valve left"]
        assert messages[2]["file"]["name"] == "leaking tap.png"
    stranger = await running.user("client")
    answer = await running.client.get(f"/api/v1/sessions/{call.session_id}/chat",
                                      headers=stranger.headers)
    assert answer.status == 404
    assert (await answer.json())["error"]["code"] == "not_found"


async def test_my_documents_lists_and_zips_what_is_mine_and_nothing_else(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app()
    call = await past_call(running, connect)
    for user in (call.client, call.expert):
        answer = await running.client.get("/api/v1/me/documents", headers=user.headers)
        assert answer.status == 200
        docs = (await answer.json())["documents"]
        kinds = sorted(d["kind"] for d in docs)
        assert kinds == ["file", "receipt", "transcript"], docs
        file = next(d for d in docs if d["kind"] == "file")
        assert (file["name"], file["size"]) == ("leaking tap.png", len(PNG))
        assert file["expert"]["display_name"] == call.expert.display_name
        download = await running.client.get(file["url"], headers=user.headers)
        assert await download.read() == PNG

    # Searching by expert and by date.
    expert_name = call.expert.display_name.split()[-1]
    found = await running.client.get("/api/v1/me/documents", headers=call.client.headers,
                                     params={"expert": expert_name})
    assert len((await found.json())["documents"]) == 3
    for params in ({"expert": "nobody like this"}, {"to": "2001-01-01"}):
        found = await running.client.get("/api/v1/me/documents", headers=call.client.headers,
                                         params=params)
        assert (await found.json())["documents"] == []
    bad = await running.client.get("/api/v1/me/documents", headers=call.client.headers,
                                   params={"from": "soon"})
    assert bad.status == 400 and (await bad.json())["error"]["code"] == "invalid"

    # All at once: a zip with the file byte for byte, the chat and the receipt.
    answer = await running.client.get("/api/v1/me/documents.zip", headers=call.client.headers)
    assert answer.status == 200 and answer.content_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(await answer.read()))
    names = archive.namelist()
    png = next(n for n in names if n.endswith("leaking tap.png"))
    assert archive.read(png) == PNG
    chat = next(n for n in names if n.endswith(f"chat-{call.session_id}.txt"))
    assert "turn the valve left" in archive.read(chat).decode()
    assert any(n.endswith(f"receipt-{call.session_id}.json") for n in names)

    # A stranger's vault is empty, and so is their zip.
    stranger = await running.user("client")
    answer = await running.client.get("/api/v1/me/documents", headers=stranger.headers)
    assert (await answer.json())["documents"] == []
    answer = await running.client.get("/api/v1/me/documents.zip", headers=stranger.headers)
    assert zipfile.ZipFile(io.BytesIO(await answer.read())).namelist() == []


async def test_a_bookings_invite_is_in_both_vaults(start_app: StartApp) -> None:
    running = await start_app()
    start = soon(3600)
    expert = await expert_with_hours(running, **hours_around(start, 60))
    client = await funded_client(running)
    booking = await booked(running, client, expert, start)
    for user in (client, expert):
        docs = (await (await running.client.get("/api/v1/me/documents",
                                                headers=user.headers)).json())["documents"]
        assert [(d["kind"], d["booking_id"]) for d in docs] == [("invite", booking["id"])]
        answer = await running.client.get("/api/v1/me/documents.zip", headers=user.headers)
        archive = zipfile.ZipFile(io.BytesIO(await answer.read()))
        [name] = archive.namelist()
        assert name.endswith(f"booking-{booking['id']}.ics")
        assert b"BEGIN:VEVENT" in archive.read(name)
