"""Expert photos and brand logos live in the blob store, not in Redis; one kept in Redis by
an earlier version is still served, and moved to the store on that first read."""

from __future__ import annotations

import base64
import io

import redis.asyncio as aioredis
from PIL import Image

from marketplace import keys as market_keys
from tests.brands.conftest import brand_admin, new_brand
from tests.conftest import Running
from tests.marketplace.conftest import admin, put_profile


def _png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 200)).save(out, "PNG")
    return out.getvalue()


async def test_a_photo_is_a_blob_and_redis_keeps_only_its_version(
    running: Running, redis: aioredis.Redis
) -> None:
    expert = await running.user("expert")
    await put_profile(running, expert)
    answer = await running.client.put("/api/v1/experts/me/photo", data=_png((600, 600)),
                                      headers={**expert.headers, "Content-Type": "image/png"})
    assert answer.status == 200
    blob = running.config.data_dir / "blobs" / expert.id / "photo.jpg"
    served = await running.client.get((await answer.json())["photo_url"])
    assert await served.read() == blob.read_bytes()
    assert not await redis.exists(market_keys.photo(expert.id))


async def test_a_photo_left_in_redis_by_an_earlier_version_moves_to_the_store(
    running: Running, redis: aioredis.Redis
) -> None:
    expert = await running.user("expert")
    await put_profile(running, expert)
    old = _png((40, 40))
    # Where layout 10 (server/keymigration.py) leaves such a photo: the expert's slot.
    await redis.set(market_keys.photo(expert.id), base64.b64encode(old).decode())
    served = await running.client.get(f"/media/experts/{expert.id}.jpg")
    assert served.status == 200 and await served.read() == old
    assert not await redis.exists(market_keys.photo(expert.id))
    assert (running.config.data_dir / "blobs" / expert.id / "photo.jpg").read_bytes() == old
    again = await running.client.get(f"/media/experts/{expert.id}.jpg")
    assert await again.read() == old


async def test_a_brand_logo_is_a_blob(running: Running, redis: aioredis.Redis) -> None:
    platform = await admin(running)
    brand = await new_brand(running, platform, "acme")
    owner = await brand_admin(running, platform, "acme")
    answer = await running.client.put("/api/v1/brands/acme/logo", data=_png((300, 100)),
                                      headers={**owner.headers, "Content-Type": "image/png"})
    assert answer.status == 200, await answer.text()
    logo = await running.client.get((await answer.json())["logo_url"])
    blob = running.config.data_dir / "blobs" / brand["id"] / "logo.jpg"
    assert await logo.read() == blob.read_bytes()
    assert not await redis.exists(f"hc:{{0}}:brand:{brand['id']}:logo")
