"""Expert photos: judged by their content, re-encoded small, never trusted by their label."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image

from tests.conftest import Running, User
from tests.marketplace.conftest import put_profile

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

PHOTO = "/api/v1/experts/me/photo"


def _image(fmt: str, size: tuple[int, int] = (1000, 600), mode: str = "RGB",
           color: float | tuple[float, ...] = (200, 30, 30), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


async def _put(running: Running, expert: User, body: bytes | AsyncIterator[bytes],
               content_type: str) -> tuple[int, Any]:
    answer = await running.client.put(PHOTO, data=body,
                                      headers={**expert.headers, "Content-Type": content_type})
    return answer.status, await answer.json()


async def _served(running: Running, url: str) -> Image.Image:
    answer = await running.client.get(url)
    assert answer.status == 200 and answer.content_type == "image/jpeg"
    image = Image.open(io.BytesIO(await answer.read()))
    assert image.format == "JPEG"
    return image


async def test_a_photo_is_reencoded_to_a_small_jpeg_and_shown_on_the_card(
    running: Running
) -> None:
    expert = await running.user("expert")
    await put_profile(running, expert)
    status, body = await _put(running, expert, _image("PNG"), "image/png")
    assert status == 200
    url = str(body["photo_url"])
    assert url.startswith(f"/media/experts/{expert.id}.jpg")
    card = await (await running.client.get(f"/api/v1/experts/{expert.id}")).json()
    assert card["photo_url"] == url
    served = await _served(running, url)
    assert served.size == (512, 307)
    assert await _served(running, f"/media/experts/{expert.id}.jpg") is not None

    status, body = await _put(running, expert, _image("WEBP", (300, 400)), "image/webp")
    assert status == 200 and body["photo_url"] != url
    assert (await _served(running, str(body["photo_url"]))).size == (300, 400)


async def test_a_png_disguised_as_jpeg_is_judged_by_its_content(running: Running) -> None:
    expert = await running.user("expert")
    see_through = _image("PNG", (64, 64), "RGBA", (0, 0, 0, 0))
    status, body = await _put(running, expert, see_through, "image/jpeg")
    assert status == 200
    served = await _served(running, str(body["photo_url"]))
    assert served.convert("RGB").getpixel((32, 32)) == (255, 255, 255)  # white, not black


async def test_what_is_not_a_photo_is_refused(running: Running) -> None:
    expert = await running.user("expert")
    for body, content_type in ((b"<script>alert(1)</script>", "image/jpeg"),
                               (b"\xff\xd8\xff\xe0 truncated jpeg", "image/jpeg"),
                               (_image("GIF", (10, 10)), "image/png"),
                               (_image("PNG", (10, 10)), "text/plain"),
                               (_image("PNG", (10, 10)), "image/svg+xml"),
                               (b"", "image/png")):
        status, answer = await _put(running, expert, body, content_type)
        assert status == 400, content_type
        assert answer["error"]["code"] == "invalid"
    # A tiny file claiming a huge canvas (a decompression bomb).
    bomb = _image("PNG", (8000, 8000), "1", 0, optimize=True)
    assert len(bomb) < 2 * 1024 * 1024
    assert (await _put(running, expert, bomb, "image/png"))[0] == 400
    card = await running.client.get(f"/media/experts/{expert.id}.jpg")
    assert card.status == 404


async def test_an_oversized_upload_is_413_even_without_a_length(running: Running) -> None:
    expert = await running.user("expert")
    big = b"\x89PNG" + b"\0" * (2 * 1024 * 1024)
    status, answer = await _put(running, expert, big, "image/png")
    assert status == 413 and answer["error"]["code"] == "too_large"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b"\0" * 65536

    status, _ = await _put(running, expert, chunks(), "image/png")
    assert status == 413


async def test_photo_metadata_is_dropped(running: Running) -> None:
    expert = await running.user("expert")
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Maker"
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    status, body = await _put(running, expert, _image("JPEG", (100, 100), exif=exif.tobytes()),
                              "image/jpeg")
    assert status == 200
    raw = await (await running.client.get(str(body["photo_url"]))).read()
    assert b"Secret Camera Maker" not in raw
    assert not Image.open(io.BytesIO(raw)).getexif()


async def test_only_experts_upload_photos(running: Running) -> None:
    client = await running.user("client")
    status, _ = await _put(running, client, _image("PNG", (10, 10)), "image/png")
    assert status == 403
    assert (await running.client.get("/media/experts/junk.jpg")).status == 404


async def test_a_large_photo_arriving_in_pieces_is_read_whole(running: Running) -> None:
    expert = await running.user("expert")
    noise = Image.frombytes("RGB", (800, 700), os.urandom(800 * 700 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    data = out.getvalue()
    assert 1024 * 1024 < len(data) <= 2 * 1024 * 1024

    async def pieces() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 50_000):
            yield data[start:start + 50_000]

    status, body = await _put(running, expert, pieces(), "image/png")
    assert status == 200, body
    assert (await _served(running, str(body["photo_url"]))).size == (512, 448)
