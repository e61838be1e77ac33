"""Several machines: two web processes with no disk in common share files through S3."""

from __future__ import annotations

from blobs.store import BlobKey, read_all
from server.keys import BLOBS
from tests.blobs.conftest import new_bucket, open_s3, s3_env
from tests.conftest import StartApp
from tests.sessions.test_file_limits import blob_files, share
from tests.sessions.test_files import PNG
from tests.sessions.test_metering import accepted_call
from tests.signaling.conftest import Connect, connect

__all__ = ["connect"]


async def test_a_file_shared_on_one_machine_downloads_on_another(
    start_app: StartApp, connect: Connect, s3_endpoint: str
) -> None:
    bucket = new_bucket()
    setup = await open_s3(s3_endpoint, bucket)
    await setup.close()
    env = s3_env(s3_endpoint, bucket)
    first = await start_app(**env)
    second = await start_app(**env, HELPCALL_DATA_DIR=str(first.config.data_dir / "elsewhere"))
    client, _, expert, _, session_id = await accepted_call(first, connect)
    status, body, _ = await share(first, client, session_id, PNG, "tap.png")
    assert status == 201, body
    file = body["file"]
    assert isinstance(file, dict)
    download = await second.client.get(str(file["url"]), headers=expert.headers)
    assert download.status == 200 and await download.read() == PNG
    # The bytes are in the bucket, under the prefix; no machine kept them on its disk.
    key = BlobKey(client.id, str(file["file_id"]))
    assert await read_all(second.app[BLOBS], key) == PNG
    assert blob_files(first.config.data_dir) == []


async def test_a_store_that_fails_is_a_clear_error_and_the_call_goes_on(
    start_app: StartApp, connect: Connect, s3_endpoint: str
) -> None:
    running = await start_app(**s3_env(s3_endpoint, new_bucket()))  # no such bucket
    client, client_socket, _, _, session_id = await accepted_call(running, connect)
    status, body, _ = await share(running, client, session_id, PNG)
    assert status == 503
    assert body["error"]["code"] == "storage_unavailable"  # type: ignore[index]
    await client_socket.ok("chat", {"session_id": session_id, "text": "I will describe it"})
