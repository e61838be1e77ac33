"""Small images (expert photos, brand logos) in the blob store, one per owner.

They used to be base64 strings in Redis: one per expert or brand is small, but their number
is only bounded by sign-ups. An image still found there is moved to the store the first time
it is read, so an existing deployment needs no migration step.
"""

from __future__ import annotations

import base64

import redis.asyncio as aioredis

from blobs.store import BlobKey, BlobMissing, BlobStore, one_chunk, read_all
from common.redisvalues import text_or_none


async def put_image(blobs: BlobStore, key: BlobKey, jpeg: bytes) -> None:
    await blobs.put(key, one_chunk(jpeg), len(jpeg))


async def get_image(
    blobs: BlobStore, key: BlobKey, redis: aioredis.Redis, legacy_key: str
) -> bytes | None:
    try:
        return await read_all(blobs, key)
    except BlobMissing:
        pass
    raw = text_or_none(await redis.get(legacy_key))
    if not raw:
        return None
    image = base64.b64decode(raw)
    await put_image(blobs, key, image)
    await redis.delete(legacy_key)
    return image
