"""Expert photos: decoded whatever the sender claims, re-encoded as a small JPEG.

Nothing of the upload is kept but its pixels: the name and the declared type are never
trusted, metadata (EXIF location and the like) is dropped, and the stored JPEG is at most
512 x 512. Photos live in the blob store (``<expert>/photo.jpg``) so that every process
serves them without filling Redis; Redis keeps the version (``photo_at``).
"""

from __future__ import annotations

import asyncio
import io
import logging
import warnings

import redis.asyncio as aioredis
from PIL import Image, ImageOps, UnidentifiedImageError

from blobs.images import get_image, put_image
from blobs.store import BlobKey, BlobStore
from common.errors import Invalid, RateLimited
from common.lua import Lua
from marketplace import keys

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SIDE = 512
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp")
_FORMATS = {"JPEG", "PNG", "WEBP"}
# A small file may claim a huge canvas (a 154 KB PNG of 6300 x 6300 decodes to 120 MB):
# the header's size is judged before a pixel is decoded. 12 MP (4000 x 3000) is more than a
# 512-pixel photo needs, and bounds one decode to 48 MB (4 bytes a pixel at most). A JPEG is
# decoded scaled down by its own DCT (Pillow's draft), so a 48 MP camera photo is judged at
# the 1/8 size it is decoded at.
MAX_DECODED_PIXELS = 12_000_000
MAX_DECODED_SIDE = 8_000
# Decodes at once, per process, and uploads that may wait for one: the rest are told to
# come back, so that memory stays bounded however many arrive together.
DECODES_AT_ONCE = 2
MAX_WAITING = 8



def reencode(data: bytes) -> bytes:
    """The upload as a JPEG of at most 512 x 512, or ``invalid`` if it is not a photo."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(_FORMATS)) as image:
                if image.format == "JPEG":
                    image.draft("RGB", (MAX_SIDE, MAX_SIDE))
                if (image.width * image.height > MAX_DECODED_PIXELS
                        or max(image.size) > MAX_DECODED_SIDE):
                    raise Invalid(f"the image is too large: at most {MAX_DECODED_PIXELS:,} "
                                  "pixels (4000 x 3000) for a PNG or WebP", "photo")
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


class Decoder:
    """Few decodes at once (a thread each), and a short bounded wait for the others."""

    def __init__(self, at_once: int = DECODES_AT_ONCE, max_waiting: int = MAX_WAITING) -> None:
        self._slots = asyncio.Semaphore(at_once)
        self._waiting = 0
        self._max_waiting = max_waiting

    async def reencode(self, data: bytes) -> bytes:
        if self._waiting >= self._max_waiting:
            raise RateLimited("too many images are being processed; try again in a moment")
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            # CPU work in a thread: the event loop (and everyone's calls) stays responsive.
            return await asyncio.get_running_loop().run_in_executor(None, reencode, data)
        finally:
            self._slots.release()


class Photos:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._put = Lua(redis, "marketplace/lua/photo_put.lua")
        self.decoder = Decoder()

    @staticmethod
    def url(expert_id: str, photo_at: str | None) -> str | None:
        # The version in the query lets browsers cache a photo until it changes.
        return f"/media/experts/{expert_id}.jpg?v={photo_at}" if photo_at else None

    async def put(self, expert_id: str, jpeg: bytes, blobs: BlobStore) -> str:
        # The bytes first: the new version is announced only once it can be served.
        await put_image(blobs, _blob(expert_id), jpeg)
        at = await self._put(keys={"expert": keys.expert(expert_id),
                                   "old_photo": keys.photo(expert_id)})
        log.info("expert %s has a new photo (%d bytes)", expert_id, len(jpeg))
        return str(self.url(expert_id, str(at)))

    async def get(self, expert_id: str, blobs: BlobStore) -> bytes | None:
        return await get_image(blobs, _blob(expert_id), self._redis, keys.photo(expert_id))


def _blob(expert_id: str) -> BlobKey:
    return BlobKey(expert_id, "photo.jpg")
