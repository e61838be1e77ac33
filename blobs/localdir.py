"""Blobs as files under one folder (by default ``<HELPCALL_DATA_DIR>/blobs``).

``<root>/<owner>/<name>``; a blob is written to ``<root>/.tmp/`` first and renamed into
place once complete and flushed, so a reader (any process sharing the folder) sees the
whole old blob or the whole new one, never a part. Every file operation runs in a thread:
the event loop carries everyone's calls and must never wait for a disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import BinaryIO

from blobs.store import CHUNK_BYTES, BlobInfo, BlobKey, BlobMissing, BlobStoreError, capped

log = logging.getLogger(__name__)

# Chunks from the network are small; gather them so that one thread hop writes ~1 MiB.
_WRITE_BYTES = 1024 * 1024
STALE_TEMP_SECONDS = 3600


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / ".tmp"

    async def open(self) -> LocalBlobStore:
        await asyncio.to_thread(self._prepare)
        return self

    def _prepare(self) -> None:
        self._tmp.mkdir(parents=True, exist_ok=True)
        # A process killed in the middle of an upload leaves its temp file behind.
        cutoff = time.time() - STALE_TEMP_SECONDS
        for stale in self._tmp.iterdir():
            with contextlib.suppress(OSError):
                if stale.stat().st_mtime < cutoff:
                    stale.unlink()

    def _path(self, key: BlobKey) -> Path:
        return self.root / key.owner / key.name

    async def put(self, key: BlobKey, chunks: AsyncIterable[bytes], max_bytes: int) -> int:
        temp = self._tmp / f"{secrets.token_hex(12)}.part"
        try:
            handle = await asyncio.to_thread(_create, temp)
        except OSError as exc:
            log.error("cannot write blobs under %s: %s", self.root, exc)
            raise BlobStoreError() from exc
        size = 0
        try:
            pending = bytearray()
            async for chunk in capped(chunks, max_bytes):
                pending += chunk
                size += len(chunk)
                if len(pending) >= _WRITE_BYTES:
                    await asyncio.to_thread(handle.write, bytes(pending))
                    pending.clear()
            await asyncio.to_thread(_finish, handle, bytes(pending), temp, self._path(key))
        except BaseException as exc:
            await asyncio.to_thread(_discard, handle, temp)
            if isinstance(exc, OSError):  # a full disk, a lost mount
                log.error("cannot write blob %s: %s", key.path, exc)
                raise BlobStoreError() from exc
            raise
        return size

    async def get(self, key: BlobKey) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(open, self._path(key), "rb")
        except FileNotFoundError:
            raise BlobMissing(key.path) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    async def delete(self, key: BlobKey) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def list(self, owner: str) -> list[BlobInfo]:
        folder = self._path(BlobKey(owner, "x")).parent
        return await asyncio.to_thread(_listing, folder, owner)

    async def close(self) -> None:
        return None


def _create(temp: Path) -> BinaryIO:
    return open(temp, "xb")


def _finish(handle: BinaryIO, rest: bytes, temp: Path, final: Path) -> None:
    handle.write(rest)
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, final)


def _discard(handle: BinaryIO, temp: Path) -> None:
    handle.close()
    temp.unlink(missing_ok=True)


def _listing(folder: Path, owner: str) -> list[BlobInfo]:
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    found = []
    for entry in entries:
        with contextlib.suppress(OSError, ValueError):
            if entry.is_file():
                found.append(BlobInfo(BlobKey(owner, entry.name), entry.stat().st_size))
    return sorted(found, key=lambda info: info.key.name)
