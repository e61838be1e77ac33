"""Files shared in a call: the rules (names, types) and the whole path through HTTP and the chat."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from common.errors import Invalid
from sessions.files import MAX_FILE_BYTES, clean_name, content_disposition, sniff_type
from tests.conftest import Running, StartApp, User
from tests.sessions.test_metering import accepted_call, go_live
from tests.signaling.conftest import Connect

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.mark.parametrize(
    ("head", "served"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"<html><script>alert(1)</script>", "application/octet-stream"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_the_served_type_comes_from_the_first_bytes(head: bytes, served: str) -> None:
    assert sniff_type(head[:16]) == served


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("photo.jpg", "photo.jpg"),
        ("C:\\Users\\me\\Desktop\\tap.png", "tap.png"),
        ("../../etc/passwd", "passwd"),
        ("  devis\u00a0n°3.pdf ", "devis\u00a0n°3.pdf"),
        ("bad\x00name\r\n.txt", "badname.txt"),
        ("x" * 300 + ".jpeg", "x" * 115 + ".jpeg"),
    ],
)
def test_names_are_cleaned(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "dir/", "..", "\x07"])
def test_a_file_without_a_usable_name_is_refused(raw: str) -> None:
    with pytest.raises(Invalid):
        clean_name(raw)


def test_the_download_header_survives_any_name() -> None:
    header = content_disposition('reçu "final".pdf')
    assert header == (
        "attachment; filename=\"re_u _final_.pdf\"; filename*=UTF-8''re%C3%A7u%20%22final%22.pdf"
    )


async def _share(
    running: Running, user: User, session_id: str, data: bytes, name: str = "tap.png"
) -> tuple[int, dict[str, object]]:
    answer = await running.client.post(
        f"/api/v1/sessions/{session_id}/files", params={"name": name}, data=data,
        headers={**user.headers, "Content-Type": "image/png"},
    )
    return answer.status, await answer.json()


async def test_a_shared_file_reaches_both_sides_in_the_chat_and_downloads_intact(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app()
    client, client_socket, expert, expert_socket, session_id = await accepted_call(running, connect)
    await go_live(client_socket, expert_socket, session_id)

    status, shared = await _share(running, client, session_id, PNG, name="photos/leaking tap.png")
    assert status == 201, shared
    file = shared["file"]
    assert isinstance(file, dict)
    assert file["name"] == "leaking tap.png" and file["size"] == len(PNG)
    assert file["content_type"] == "image/png"
    for socket in (client_socket, expert_socket):
        event = await socket.wait_for("chat")
        assert event["message_id"] == shared["message_id"] and event["from"] == client.id
        assert event["text"] == "leaking tap.png" and event["file"] == file

    download = await running.client.get(str(file["url"]), headers=expert.headers)
    assert download.status == 200
    assert await download.read() == PNG
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    # Someone who re-joins sees it in the history, like any message.
    joined = await expert_socket.ok("call:join", {"session_id": session_id})
    assert joined["chat"][-1]["file"] == file


async def test_a_page_disguised_as_a_photo_is_served_as_opaque_bytes(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app()
    client, _, expert, _, session_id = await accepted_call(running, connect)
    page = b"<html><script>document.cookie</script></html>"
    status, shared = await _share(running, expert, session_id, page, name="cute.png")
    assert status == 201
    download = await running.client.get(shared["file"]["url"], headers=client.headers)  # type: ignore[index]
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert "sandbox" in download.headers["Content-Security-Policy"]


async def test_files_over_10_mib_or_empty_are_refused_and_the_call_goes_on(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app()
    client, client_socket, _, expert_socket, session_id = await accepted_call(running, connect)
    status, body = await _share(running, client, session_id, b"\0" * (MAX_FILE_BYTES + 1))
    assert status == 413 and body["error"]["code"] == "too_large"  # type: ignore[index]

    async def chunks():  # no Content-Length: the cap holds on the bytes that arrive
        for _ in range(11):
            yield b"\0" * (1024 * 1024)

    answer = await running.client.post(
        f"/api/v1/sessions/{session_id}/files", params={"name": "big.bin"}, data=chunks(),
        headers=client.headers,
    )
    assert answer.status == 413
    status, body = await _share(running, client, session_id, b"")
    assert status == 400 and body["error"]["field"] == "file"  # type: ignore[index]
    status, body = await _share(running, client, session_id, PNG, name="")
    assert status == 400 and body["error"]["field"] == "name"  # type: ignore[index]
    # Exactly 10 MiB is fine, and the chat still works.
    status, _ = await _share(running, client, session_id, b"\0" * MAX_FILE_BYTES, name="ok.bin")
    assert status == 201
    await expert_socket.ok("chat", {"session_id": session_id, "text": "got it"})
    assert (await client_socket.wait_for("chat", lambda e: e["text"] == "got it"))["from"]


async def test_a_call_holds_at_most_twenty_files(start_app: StartApp, connect: Connect) -> None:
    running = await start_app()
    client, _, _, _, session_id = await accepted_call(running, connect)
    for n in range(20):
        status, _ = await _share(running, client, session_id, PNG, name=f"{n}.png")
        assert status == 201
    status, body = await _share(running, client, session_id, PNG, name="21.png")
    assert status == 413 and "limit" in body["error"]["message"]  # type: ignore[index]


async def test_only_participants_share_and_read_and_only_during_the_call(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app()
    client, client_socket, expert, _, session_id = await accepted_call(running, connect)
    status, shared = await _share(running, client, session_id, PNG)
    assert status == 201
    url = str(shared["file"]["url"])  # type: ignore[index]
    stranger = await running.user("client")
    status, body = await _share(running, stranger, session_id, PNG)
    assert status == 404 and body["error"]["code"] == "not_found"  # type: ignore[index]
    assert (await running.client.get(url, headers=stranger.headers)).status == 404
    assert (await running.client.get(url)).status == 401
    missing = url.rsplit("/", 1)[0] + "/f_00000000000000000000"
    assert (await running.client.get(missing, headers=client.headers)).status == 404
    assert (await running.client.get(url + "/../x", headers=client.headers)).status == 404

    await client_socket.ok("call:hangup", {"session_id": session_id})
    status, body = await _share(running, expert, session_id, PNG)
    assert status == 409 and body["error"]["code"] == "conflict"  # type: ignore[index]
    # What was shared stays downloadable after the call, for both.
    assert (await running.client.get(url, headers=expert.headers)).status == 200


async def test_a_file_shared_through_one_process_is_served_by_another(
    redis: aioredis.Redis, start_app: StartApp, connect: Connect
) -> None:
    first, second = await start_app(), await start_app()
    client, _, expert, expert_socket, session_id = await accepted_call(first, connect)
    status, shared = await _share(first, client, session_id, PNG)
    assert status == 201
    assert (await expert_socket.wait_for("chat"))["file"]["file_id"] == shared["file"]["file_id"]  # type: ignore[index]
    download = await second.client.get(str(shared["file"]["url"]), headers=expert.headers)  # type: ignore[index]
    assert download.status == 200 and await download.read() == PNG
