"""Finding 2: a small image claiming a huge canvas is refused before it is decoded, a few
decodes run at once, and real camera photos still pass (expert photos and brand logos)."""

from __future__ import annotations

import asyncio
import io
import resource

from PIL import Image

from tests.brands.conftest import admin, brand_admin, new_brand
from tests.conftest import Running
from tests.marketplace.conftest import put_profile


def _png_bomb() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (6300, 6300)).save(out, "PNG", optimize=True)
    return out.getvalue()


def _camera_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (6000, 4000), (90, 140, 200)).save(out, "JPEG", quality=80)
    return out.getvalue()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def test_six_parallel_png_bombs_are_refused_without_decoding(running: Running) -> None:
    bomb = _png_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    expert = await running.user("expert")
    await put_profile(running, expert)
    headers = {**expert.headers, "Content-Type": "image/png"}
    before = _peak_rss_mb()
    answers = await asyncio.gather(*(running.client.put(
        "/api/v1/experts/me/photo", data=bomb, headers=headers) for _ in range(6)))
    for answer in answers:
        assert answer.status == 400
        error = (await answer.json())["error"]
        assert error["code"] == "invalid" and error["field"] == "photo"
        assert "too large" in error["message"]
    # Decoding one would have taken 120 MB at least; six of them, 700 MB.
    assert _peak_rss_mb() - before < 100


async def test_a_48_megapixel_class_camera_jpeg_is_still_accepted(running: Running) -> None:
    expert = await running.user("expert")
    await put_profile(running, expert)
    answer = await running.client.put("/api/v1/experts/me/photo", data=_camera_jpeg(),
                                      headers={**expert.headers, "Content-Type": "image/jpeg"})
    assert answer.status == 200, await answer.text()
    served = await running.client.get((await answer.json())["photo_url"])
    assert Image.open(io.BytesIO(await served.read())).size == (512, 341)


async def test_a_brand_logo_bomb_is_refused_too(running: Running) -> None:
    platform = await admin(running)
    await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    answer = await running.client.put("/api/v1/brands/acme/logo", data=_png_bomb(),
                                      headers={**owner.headers, "Content-Type": "image/png"})
    assert answer.status == 400
    assert (await answer.json())["error"]["field"] == "photo"
