"""Expert photos: decoded whatever the sender claims, re-encoded as a small JPEG.

Nothing of the upload is kept but its pixels: the name and the declared type are never
trusted, metadata (EXIF location and the like) is dropped, and the stored JPEG is at most
512 x 512. Photos live in the blob store (``<expert>/photo.jpg``) so that every process
serves them without filling Redis; Redis keeps the version (``photo_at``).
"""

from __future__ import annotations

import io
import logging
import warnings

import redis.asyncio as aioredis
from PIL import Image, ImageOps, UnidentifiedImageError

from blobs.images import get_image, put_image
from blobs.store import BlobKey, BlobStore
from common.errors import Invalid
from marketplace import keys
from sessions.wallet import CLOCK_LUA

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SIDE = 512
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp")
_FORMATS = {"JPEG", "PNG", "WEBP"}
# A small file may still claim a huge canvas (a decompression bomb): refuse such claims.
_MAX_PIXELS = 40_000_000

# KEYS: expert hash, the photo as it was kept in Redis before the blob store.
_PUT = CLOCK_LUA + """
local now = now_ms()
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'photo_at', now)
return now
"""


def reencode(data: bytes) -> bytes:
    """The upload as a JPEG of at most 512 x 512, or ``invalid`` if it is not a photo."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(_FORMATS)) as image:
                if image.width * image.height > _MAX_PIXELS:
                    raise Invalid("the image is too large in pixels", "photo")
                image.load()
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((MAX_SIDE, MAX_SIDE))
                if upright.mode in ("RGBA", "LA", "P", "PA"):
                    # JPEG has no transparency: lay the image on white rather than black.
                    rgba = upright.convert("RGBA")
                    flat = Image.new("RGB", rgba.size, "white")
                    flat.paste(rgba, mask=rgba.getchannel("A"))
                    upright = flat
                out = io.BytesIO()
                upright.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                return out.getvalue()
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, OSError, ValueError, SyntaxError):
        raise Invalid("the photo must be a JPEG, PNG or WebP image", "photo") from None


class Photos:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._put = redis.register_script(_PUT)

    @staticmethod
    def url(expert_id: str, photo_at: str | None) -> str | None:
        # The version in the query lets browsers cache a photo until it changes.
        return f"/media/experts/{expert_id}.jpg?v={photo_at}" if photo_at else None

    async def put(self, expert_id: str, jpeg: bytes, blobs: BlobStore) -> str:
        # The bytes first: the new version is announced only once it can be served.
        await put_image(blobs, _blob(expert_id), jpeg)
        at = await self._put(keys=[keys.expert(expert_id), keys.photo(expert_id)])
        log.info("expert %s has a new photo (%d bytes)", expert_id, len(jpeg))
        return str(self.url(expert_id, str(at)))

    async def get(self, expert_id: str, blobs: BlobStore) -> bytes | None:
        return await get_image(blobs, _blob(expert_id), self._redis, keys.photo(expert_id))


def _blob(expert_id: str) -> BlobKey:
    return BlobKey(expert_id, "photo.jpg")
