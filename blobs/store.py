"""The blob store interface: named bytes, grouped by owner, written whole or not at all.

A blob is named ``<owner>/<name>``, both parts made by the server (ids, fixed words), never
taken from a client; ``BlobKey`` refuses anything else, so no name can climb out of its
folder or prefix. Redis keeps what a blob is (metadata, quotas); the store keeps only bytes.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from common.errors import HelpcallError, TooLarge

_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
CHUNK_BYTES = 256 * 1024


class BlobMissing(LookupError):
    """The blob is not (or no longer) in the store."""


class BlobStoreError(HelpcallError):
    """The store failed (a remote store's error status, a full disk): the details go to the
    log, the person who asked is told plainly that storage is unavailable."""

    code = "storage_unavailable"

    def __init__(self) -> None:
        super().__init__("file storage is unavailable, so nothing was stored; please try again")


@dataclass(frozen=True)
class BlobKey:
    owner: str
    name: str

    def __post_init__(self) -> None:
        for part in (self.owner, self.name):
            if not _PART.match(part) or ".." in part:
                raise ValueError(f"not a safe blob name part: {part!r}")

    @property
    def path(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class BlobInfo:
    key: BlobKey
    size: int


class BlobStore(Protocol):
    """Every method may be called from any process at any time; ``delete`` is idempotent."""

    async def put(self, key: BlobKey, chunks: AsyncIterable[bytes], max_bytes: int) -> int:
        """Store the chunks under ``key`` (replacing it) and answer the size; ``TooLarge``
        as soon as more than ``max_bytes`` arrive, and then nothing is stored."""
        ...

    def get(self, key: BlobKey) -> AsyncIterator[bytes]:
        """The bytes in chunks; ``BlobMissing`` at the first step when there is no blob."""
        ...

    async def delete(self, key: BlobKey) -> None: ...

    async def list(self, owner: str) -> list[BlobInfo]: ...

    async def close(self) -> None: ...


async def usage(store: BlobStore, owner: str) -> int:
    """Bytes an owner has in the store (a check: quotas are counted in Redis)."""
    return sum(info.size for info in await store.list(owner))


async def read_all(store: BlobStore, key: BlobKey) -> bytes:
    """A small blob whole (a photo, a logo)."""
    return b"".join([chunk async for chunk in store.get(key)])


async def capped(chunks: AsyncIterable[bytes], max_bytes: int) -> AsyncIterator[bytes]:
    """The chunks, refused with ``TooLarge`` as soon as they pass ``max_bytes``."""
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise TooLarge(f"the file is larger than {max_bytes} bytes")
        yield chunk


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data
