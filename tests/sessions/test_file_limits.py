"""Shared files out of Redis (issue 17, finding 1): the bytes in the blob store, Redis flat,
each account bounded by a storage quota and an upload rate, and expired files deleted."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from server.keys import FILES
from sessions.files import MAX_FILE_BYTES, SharedFile, blob_key
from sessions.filestore import file_key, index_key, usage_key
from tests.conftest import Running, StartApp, User
from tests.sessions.test_files import PNG
from tests.sessions.test_metering import accepted_call
from tests.signaling.conftest import Connect, online_expert
from tests.signaling.peers import SocketPeer
from tests.waiting import eventually

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

FREE = {"mode": "free", "amount_cents": 0}
KIB = 1024


async def penniless_client(running: Running, connect: Connect) -> tuple[User, SocketPeer]:
    client = await running.user("client")  # a wallet of 0 cents: free calls only
    return client, await connect(running, client)


async def free_call(running: Running, connect: Connect, client: User, socket: SocketPeer) -> str:
    """A free call of ``client`` with a new expert, accepted: files may be shared."""
    expert, expert_socket = await online_expert(running, connect, FREE)
    started = await socket.ok("call:start", {"expert_id": expert.id, "topic": "files"})
    await expert_socket.ok("call:accept", {"session_id": started["session_id"]})
    await socket.state("accepted")
    return str(started["session_id"])


async def share(running: Running, user: User, session_id: str, data: bytes,
                name: str = "doc.bin") -> tuple[int, dict[str, object], dict[str, str]]:
    answer = await running.client.post(
        f"/api/v1/sessions/{session_id}/files", params={"name": name}, data=data,
        headers=user.headers,
    )
    return answer.status, await answer.json(), dict(answer.headers)


async def used_memory(redis: aioredis.Redis) -> int:
    return int((await redis.info("memory"))["used_memory"])


def blob_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "blobs").rglob("*") if p.is_file() and ".tmp" not in p.parts]


async def test_two_free_calls_of_five_10_mib_files_leave_redis_flat(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    # The finding: this raised Redis from 3 to 176 MiB in 2 s, for 0 cents.
    running = await start_app()
    client, socket = await penniless_client(running, connect)
    before = await used_memory(redis)
    sent: dict[str, str] = {}
    urls: list[str] = []
    for _ in range(2):
        session_id = await free_call(running, connect, client, socket)
        for n in range(5):
            data = os.urandom(MAX_FILE_BYTES)
            status, body, _ = await share(running, client, session_id, data, f"{n}.bin")
            assert status == 201, body
            url = str(body["file"]["url"])  # type: ignore[index]
            sent[url] = hashlib.sha256(data).hexdigest()
            urls.append(url)
        await socket.ok("call:hangup", {"session_id": session_id})
    after = await used_memory(redis)
    assert after - before < 2 * 1024 * KIB, (before, after)  # records only, not 100 MiB
    assert len(blob_files(running.config.data_dir)) == 10
    for url in urls:  # every byte is there, served from the blob store
        download = await running.client.get(url, headers=client.headers)
        assert download.status == 200
        assert download.headers["Content-Length"] == str(MAX_FILE_BYTES)
        assert hashlib.sha256(await download.read()).hexdigest() == sent[url]
    # 100 MiB in an hour is the default rate: the next file waits, and says how long.
    session_id = await free_call(running, connect, client, socket)
    status, body, headers = await share(running, client, session_id, PNG)
    assert status == 429 and body["error"]["code"] == "rate_limited"  # type: ignore[index]
    assert int(headers["Retry-After"]) > 0 and "try again in" in body["error"]["message"]  # type: ignore[index]


async def test_an_account_keeps_at_most_its_quota_and_parallel_uploads_cannot_pass_it(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_FILE_QUOTA_MB="1", HELPCALL_FILE_QUOTA_FILES="3")
    client, socket = await penniless_client(running, connect)
    session_id = await free_call(running, connect, client, socket)
    status, _, _ = await share(running, client, session_id, b"a" * 600 * KIB)
    assert status == 201
    status, body, _ = await share(running, client, session_id, b"b" * 600 * KIB)
    assert status == 413 and body["error"]["code"] == "too_large"  # type: ignore[index]
    assert "1 MiB" in body["error"]["message"]  # type: ignore[index]
    # Many small files at once: exactly the two left of the three-file quota get in.
    answers = await asyncio.gather(*(share(running, client, session_id, PNG) for _ in range(6)))
    assert sorted(status for status, _, _ in answers) == [201, 201, 413, 413, 413, 413]
    assert len(blob_files(running.config.data_dir)) == 3  # the refused ones left nothing
    # The quota is the account's, across calls; the other side has its own.
    other_call = await free_call(running, connect, client, socket)
    assert (await share(running, client, other_call, PNG))[0] == 413


async def test_the_upload_rate_is_per_account_and_refused_before_the_body(
    start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_FILE_RATE_FILES="2", HELPCALL_FILE_RATE_SECONDS="600")
    client, client_socket, expert, _, session_id = await accepted_call(running, connect)
    for _ in range(2):
        assert (await share(running, client, session_id, PNG))[0] == 201
    status, body, headers = await share(running, client, session_id, PNG)
    assert status == 429 and body["error"]["code"] == "rate_limited"  # type: ignore[index]
    assert 0 < int(headers["Retry-After"]) <= 600
    assert "2 files" in body["error"]["message"]  # type: ignore[index]
    # The expert is another account, with its own rate; the call and its chat go on.
    assert (await share(running, expert, session_id, PNG))[0] == 201
    await client_socket.ok("chat", {"session_id": session_id, "text": "still here"})


async def test_expired_files_are_deleted_once_by_any_number_of_processes(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    fast = {"HELPCALL_FILE_KEPT_SECONDS": "1", "HELPCALL_FILE_CLEANUP_INTERVAL_SECONDS": "0.05",
            "HELPCALL_FILE_QUOTA_FILES": "4"}
    first, second = await start_app(**fast), await start_app(**fast)  # one data dir
    client, socket = await penniless_client(first, connect)
    session_id = await free_call(first, connect, client, socket)
    urls = []
    for n in range(4):
        status, body, _ = await share(first, client, session_id, PNG, f"{n}.png")
        assert status == 201
        urls.append(str(body["file"]["url"]))  # type: ignore[index]
    assert (await share(first, client, session_id, PNG))[0] == 413  # 4 files kept at most

    async def all_gone() -> bool:
        return not blob_files(first.config.data_dir) and not await redis.exists(
            f"hc:{{0}}:files:{client.id}")

    await eventually(all_gone, 15, "the expired files to be deleted")
    for url in urls:
        assert (await second.client.get(url, headers=client.headers)).status == 404
    # Two cleaners saw the same files: the usage went back to zero exactly, not below.
    assert await redis.hgetall(f"hc:{{0}}:files:{client.id}:use") == {"bytes": "0", "files": "0"}
    assert (await share(second, client, session_id, PNG))[0] == 201


async def test_redis_keeps_the_record_and_the_blob_store_the_bytes(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    running = await start_app()
    client, _, _, _, session_id = await accepted_call(running, connect)
    status, body, _ = await share(running, client, session_id, PNG, "tap.png")
    assert status == 201
    file_id = str(body["file"]["file_id"])  # type: ignore[index]
    record = await redis.hgetall(file_key(session_id, file_id))
    assert record["from"] == client.id and record["size"] == str(len(PNG))
    assert record["blob"] == f"{client.id}/{file_id}" and "data" not in record
    blob = running.config.data_dir / "blobs" / client.id / file_id
    assert blob.read_bytes() == PNG
    url = str(body["file"]["url"])  # type: ignore[index]
    head = await running.client.head(url, headers=client.headers)
    assert head.status == 200 and head.headers["Content-Length"] == str(len(PNG))
    assert await (await running.client.get(url, headers=client.headers)).read() == PNG
    # What a "my documents" page needs: every file of the account, newest last.
    assert await redis.zrange(f"hc:{{0}}:files:{client.id}", 0, -1) == [f"{session_id}|{file_id}"]


async def test_a_file_the_call_refuses_leaves_the_account_as_it_was(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    # The account keeps a file first (its slot), then the call posts it (the session's): a
    # refusal by the call takes back what the first step counted.
    running = await start_app(HELPCALL_FILE_QUOTA_FILES="30")
    client, socket = await penniless_client(running, connect)
    session_id = await free_call(running, connect, client, socket)
    for n in range(20):
        assert (await share(running, client, session_id, PNG, f"{n}.png"))[0] == 201
    status, body, _ = await share(running, client, session_id, PNG, "21.png")
    assert status == 413 and "this call" in body["error"]["message"]  # type: ignore[index]
    assert await redis.hgetall(usage_key(client.id)) == {
        "bytes": str(20 * len(PNG)), "files": "20"}
    assert await redis.zcard(index_key(client.id)) == 20
    assert len(blob_files(running.config.data_dir)) == 20


async def test_a_file_kept_but_never_posted_is_deleted_when_it_expires(
    start_app: StartApp, connect: Connect, redis: aioredis.Redis
) -> None:
    # A process stopped between the two steps: the account keeps the file, no chat shows
    # it. It expires as any other: bytes deleted, the quota given back.
    running = await start_app(HELPCALL_FILE_KEPT_SECONDS="1",
                              HELPCALL_FILE_CLEANUP_INTERVAL_SECONDS="0.05")
    client, socket = await penniless_client(running, connect)
    session_id = await free_call(running, connect, client, socket)
    sharing = running.app[FILES]
    key = blob_key(client.id, "f_stopped")

    async def chunks() -> AsyncIterator[bytes]:
        yield PNG

    size = await sharing.blobs.put(key, chunks(), MAX_FILE_BYTES)
    await sharing.files.keep(client.id, session_id, SharedFile.of("f_stopped", "x.png", size, PNG),
                             key.path, claimed=size)
    assert await redis.hget(usage_key(client.id), "files") == "1"

    async def gone() -> bool:
        return (not blob_files(running.config.data_dir)
                and await redis.hget(usage_key(client.id), "files") == "0")

    await eventually(gone, 15, "the file kept but never posted to be deleted")
    assert not await redis.exists(file_key(session_id, "f_stopped"))
