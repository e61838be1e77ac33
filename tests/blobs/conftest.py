"""A real S3-compatible server (moto's, from PyPI) on a loopback port, for the whole run."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from blobs.s3 import S3BlobStore, S3Location
from blobs.sigv4 import Credentials
from tests.processes import free_port
from tests.waiting import until

CREDENTIALS = Credentials("test-access-key", "test-secret-key", "us-east-1")


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        until(lambda: process.poll() is not None or _listening(port), 30, "the S3 server")
        assert process.poll() is None, "moto_server exited"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def new_bucket() -> str:
    return f"helpcall-{secrets.token_hex(6)}"


async def open_s3(endpoint: str, bucket: str, prefix: str = "blobs") -> S3BlobStore:
    """A store on a bucket created for the test."""
    store = await S3BlobStore(S3Location(endpoint, bucket, prefix, CREDENTIALS)).open()
    await store.create_bucket()
    return store


@pytest.fixture
async def s3_store(s3_endpoint: str) -> AsyncIterator[S3BlobStore]:
    store = await open_s3(s3_endpoint, new_bucket())
    yield store
    await store.close()


def s3_env(endpoint: str, bucket: str) -> dict[str, str]:
    """What a deployment sets for shared files in S3."""
    return {
        "HELPCALL_BLOB_URL": f"s3://{bucket}/files",
        "HELPCALL_S3_ENDPOINT": endpoint,
        "HELPCALL_S3_ACCESS_KEY_ID": CREDENTIALS.access_key_id,
        "HELPCALL_S3_SECRET_ACCESS_KEY": CREDENTIALS.secret_access_key,
    }
