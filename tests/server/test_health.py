from pathlib import Path

from server.embedded_redis import EmbeddedRedis
from tests.conftest import StartApp


async def test_health_and_readiness(start_app: StartApp) -> None:
    running = await start_app()
    assert (await running.client.get("/healthz")).status == 200
    ready = await running.client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["redis"] == "up"


async def test_readiness_follows_redis_down_and_back(start_app: StartApp, tmp_path: Path) -> None:
    own = EmbeddedRedis(tmp_path / "own-redis")
    url = own.start_sync()
    running = await start_app(REDIS_URL=url)
    try:
        assert (await running.client.get("/readyz")).status == 200
        own.stop_sync()
        down = await running.client.get("/readyz")
        assert down.status == 503
        assert (await down.json())["redis"] == "down"
        assert (await running.client.get("/healthz")).status == 200
        own.start_sync()
        # The client reconnects on the next command: no restart of the app needed.
        statuses = [(await running.client.get("/readyz")).status for _ in range(3)]
        assert statuses[-1] == 200
    finally:
        own.stop_sync()
