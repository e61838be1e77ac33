"""Sharing a file in a call, serving it, and deleting it when it expires.

The bytes stream straight from the request into the blob store (never whole in memory,
never in Redis); then two steps, each in its own slot: the account keeps the file (its
record, its usage and its expiry: refused over its quota), and the call posts it in the
chat (refused when it ended or reached its limit meanwhile). A refusal deletes the blob
and forgets the record; a process stopped between the two leaves a file kept and never
posted, deleted when it expires as any other. Expired files are deleted by every web
process's cleanup loop; deleting a blob twice is harmless and only one process gives the
bytes back to the quota.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator

import redis.asyncio as aioredis

from blobs.store import BlobMissing, BlobStore, BlobStoreError
from common.ids import new_id
from common.loops import Loop
from sessions.files import MAX_FILE_BYTES, SharedFile, blob_key, clean_name
from sessions.filestore import Expired, FileStore
from sessions.service import CallService

log = logging.getLogger(__name__)


class FileSharing:
    def __init__(self, calls: CallService, files: FileStore, blobs: BlobStore) -> None:
        self.calls = calls
        self.files = files
        self.blobs = blobs

    async def share(
        self, session_id: str, account_id: str, raw_name: str, chunks: AsyncIterable[bytes],
        declared: int | None,
    ) -> dict[str, object]:
        """The chat message that carries the file; the caller checked the session first."""
        name = clean_name(raw_name)
        claim = self.files.limits.claim(declared)
        await self.files.admit(account_id, claim)
        file_id = new_id("f")
        key = blob_key(account_id, file_id)
        head = bytearray()

        async def watched() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                if len(head) < 16:
                    head.extend(chunk[: 16 - len(head)])
                yield chunk

        size = await self.blobs.put(key, watched(), MAX_FILE_BYTES)
        shared = SharedFile.of(file_id, name, size, bytes(head))
        try:
            await self.files.keep(account_id, session_id, shared, key.path, claim)
        except BaseException:
            await self.blobs.delete(key)
            raise
        try:
            message = await self.calls.store.share(session_id, account_id, shared)
        except BaseException:
            await self.remove(Expired(account_id, session_id, file_id))
            raise
        log.info("session %s: %s shared %d bytes (%s)", session_id, account_id, size,
                 shared.content_type)
        await self.calls.notifier.chat(session_id, message)
        return message

    async def open(
        self, session_id: str, file_id: str
    ) -> tuple[SharedFile, AsyncGenerator[bytes, None]] | None:
        """The file and its bytes, or None once it expired (or never was)."""
        stored = await self.files.get(session_id, file_id)
        if stored is None or stored.expires_at_ms <= time.time() * 1000:
            return None
        chunks = self.blobs.get(blob_key(stored.owner_id, file_id))
        try:
            first = await anext(chunks)
        except BlobMissing:
            return None
        except StopAsyncIteration:
            first = b""
        return stored.shared, _starting_with(first, chunks)

    async def remove(self, expired: Expired) -> bool:
        """Delete a file: its bytes first, then its record (so a crash in between leaves a
        record the next cleanup finishes, never bytes nobody knows of)."""
        await self.blobs.delete(blob_key(expired.owner_id, expired.file_id))
        return await self.files.forget(expired)

    async def expire_due(self) -> int:
        removed = 0
        for expired in await self.files.due():
            removed += await self.remove(expired)
        if removed:
            log.info("deleted %d expired shared files", removed)
        return removed

    async def _guarded_expiry(self) -> None:
        try:
            await self.expire_due()
        except (aioredis.RedisError, OSError, BlobStoreError) as exc:
            log.warning("expiring shared files failed: %s", exc)

    def cleanup_loop(self, interval_seconds: float) -> Loop:
        return Loop(self._guarded_expiry, interval_seconds)


async def _starting_with(
    first: bytes, rest: AsyncIterator[bytes]
) -> AsyncGenerator[bytes, None]:
    try:
        if first:
            yield first
        async for chunk in rest:
            yield chunk
    finally:
        await rest.aclose()  # type: ignore[attr-defined]
