"""The app on a Redis topology of a test's own (a failover test kills one of its nodes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from server.app import create_app
from server.config import load_config
from tests.conftest import Running, base_env


@asynccontextmanager
async def app_on(url: str, data_dir: Path, **env: str) -> AsyncIterator[Running]:
    config = load_config(base_env(url, data_dir) | env)
    app = create_app(config)
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Running(app, client, config)
    finally:
        await client.close()
