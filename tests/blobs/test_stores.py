"""Both blob stores keep the same promises: whole blobs or nothing, a size cap, safe names,
idempotent deletes, listing by owner. The S3 one runs against a real S3-compatible server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from blobs.localdir import LocalBlobStore
from blobs.s3 import S3BlobStore
from blobs.sigv4 import EMPTY_SHA256, Credentials, authorization
from blobs.store import BlobKey, BlobMissing, BlobStore, BlobStoreError, read_all, usage
from common.errors import TooLarge
from tests.blobs.conftest import new_bucket, open_s3

MIB = 1024 * 1024


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "local":
        local = await LocalBlobStore(tmp_path / "blobs").open()
        yield local
        await local.close()
    else:
        s3 = await open_s3(request.getfixturevalue("s3_endpoint"), new_bucket())
        yield s3
        await s3.close()


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_a_blob_comes_back_byte_for_byte_and_goes_away(store: BlobStore) -> None:
    data = bytes(range(256)) * 5000  # 1.2 MiB, several chunks each way
    key = BlobKey("a_0123456789", "f_0123456789")
    assert await store.put(key, chunks(data[:1000], data[1000:]), 2 * MIB) == len(data)
    assert await read_all(store, key) == data
    assert [(i.key, i.size) for i in await store.list("a_0123456789")] == [(key, len(data))]
    assert await usage(store, "a_0123456789") == len(data)
    await store.delete(key)
    await store.delete(key)  # twice is fine: another process may have done it
    with pytest.raises(BlobMissing):
        await read_all(store, key)
    assert await store.list("a_0123456789") == []


async def test_over_the_cap_nothing_is_stored(store: BlobStore) -> None:
    key = BlobKey("a_1", "big")
    with pytest.raises(TooLarge):
        await store.put(key, chunks(b"x" * MIB, b"x" * MIB, b"x"), 2 * MIB)
    with pytest.raises(BlobMissing):
        await read_all(store, key)
    assert await store.list("a_1") == []


async def test_owners_are_apart_and_a_put_replaces_whole(store: BlobStore) -> None:
    await store.put(BlobKey("a_1", "photo.jpg"), chunks(b"first"), MIB)
    await store.put(BlobKey("a_2", "photo.jpg"), chunks(b"other"), MIB)
    await store.put(BlobKey("a_1", "photo.jpg"), chunks(b"second"), MIB)
    assert await read_all(store, BlobKey("a_1", "photo.jpg")) == b"second"
    assert [i.size for i in await store.list("a_1")] == [6]
    assert await usage(store, "a_3") == 0


async def test_readers_see_the_old_blob_or_the_new_one_never_a_part(store: BlobStore) -> None:
    key = BlobKey("a_1", "doc")
    old, new = b"o" * (3 * MIB), b"n" * (3 * MIB)
    await store.put(key, chunks(old), 4 * MIB)

    async def slow_new() -> AsyncIterator[bytes]:
        for n in range(3):
            yield new[n * MIB:(n + 1) * MIB]
            await asyncio.sleep(0)

    writer = asyncio.create_task(store.put(key, slow_new(), 4 * MIB))
    seen = []
    while not writer.done():
        seen.append(await read_all(store, key))
    await writer
    seen.append(await read_all(store, key))
    assert all(blob in (old, new) for blob in seen) and seen[-1] == new


@pytest.mark.parametrize(("owner", "name"), [
    ("..", "x"), ("a", "../etc"), ("a/b", "x"), ("a", ""), ("", "x"), (".hidden", "x"),
    ("a", "x/y"), ("a", "x\x00"), ("a", "é"),
])
def test_names_that_could_leave_their_folder_are_refused(owner: str, name: str) -> None:
    with pytest.raises(ValueError):
        BlobKey(owner, name)


async def test_the_local_store_writes_through_a_temp_file_and_renames(tmp_path: Path) -> None:
    store = await LocalBlobStore(tmp_path).open()
    await store.put(BlobKey("a_1", "f_1"), chunks(b"data"), MIB)
    assert (tmp_path / "a_1" / "f_1").read_bytes() == b"data"
    assert list((tmp_path / ".tmp").iterdir()) == []  # no temp file left behind
    with pytest.raises(TooLarge):
        await store.put(BlobKey("a_1", "f_2"), chunks(b"x" * 10), 5)
    assert list((tmp_path / ".tmp").iterdir()) == [] and not (tmp_path / "a_1" / "f_2").exists()


async def test_an_unreachable_s3_is_a_clear_storage_error(s3_store: S3BlobStore) -> None:
    location = s3_store.location
    dead = S3BlobStore(type(location)("http://127.0.0.1:9", location.bucket, "", location.credentials))
    await dead.open()
    try:
        with pytest.raises(BlobStoreError):
            await dead.put(BlobKey("a_1", "f_1"), chunks(b"x"), MIB)
        with pytest.raises(BlobStoreError):
            await read_all(dead, BlobKey("a_1", "f_1"))
    finally:
        await dead.close()


async def test_a_long_s3_listing_is_read_page_by_page(s3_store: S3BlobStore) -> None:
    names = [f"f_{n:02d}" for n in range(7)]
    for name in names:
        await s3_store.put(BlobKey("a_1", name), chunks(name.encode()), MIB)
    s3_store.page_size = 2
    assert [info.key.name for info in await s3_store.list("a_1")] == names


def test_signatures_match_the_published_sigv4_examples() -> None:
    # The two GET examples of the S3 SigV4 documentation ("examplebucket", 2013-05-24).
    credentials = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                              "us-east-1")
    now = datetime(2013, 5, 24, tzinfo=UTC)
    host = {"host": "examplebucket.s3.amazonaws.com"}
    get = authorization(credentials, "GET", "/test.txt", {}, {**host, "range": "bytes=0-9"},
                        EMPTY_SHA256, now)
    assert get["Authorization"].endswith(
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    listing = authorization(credentials, "GET", "/", {"max-keys": "2", "prefix": "J"}, host,
                            EMPTY_SHA256, now)
    assert listing["Authorization"].endswith(
        "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
