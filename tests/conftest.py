"""One real Redis per test run, and the real app built through the factory.

Every test starts from an empty Redis (FLUSHALL); time-dependent rules run with short
configured values passed to ``start_app``.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from common import keyspace
from common.keyspace import every_stream
from common.redisclient import is_cluster, redis_client, stream_on
from common.streams import stream_id
from server.app import create_app
from server.config import Config, load_config
from server.embedded_redis import EmbeddedRedis
from server.keys import REDIS
from tests import topologies
from tests.mailbox import follow_verification
from tests.openapi_check import DESCRIBED, EXERCISED, AnswerCheck
from tests.processes import ServerProcess
from tests.topologies import Cluster, Sentinels

_counter = itertools.count(1)

# Every script call of the apps the tests build checks that its keys share a slot: what a
# Cluster would refuse fails on the single Redis too (common/keyspace.py).
keyspace.CHECK_SLOTS = True


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--redis", choices=("single", "cluster", "sentinel"),
        default=os.environ.get("HELPCALL_TEST_REDIS", "single"),
        help="the Redis every test's app uses: the embedded single one (default), a 6-node "
             "Cluster or a Sentinel-managed primary started from Debian's redis-server "
             "(run with -m cluster: the subset known to work there, docs/cluster.md)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cluster: also run against a Redis Cluster (pytest -m cluster --redis=cluster)")


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    kind = request.config.getoption("--redis")
    if kind == "cluster":
        yield request.getfixturevalue("redis_cluster").url
        return
    if kind == "sentinel":
        yield request.getfixturevalue("redis_sentinels").url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    url = server.start_sync()
    yield url
    server.stop_sync()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One 3-primary, 3-replica cluster for the whole run (tests/topologies.py)."""
    yield from topologies.started(Cluster, tmp_path_factory.mktemp("cluster"))


@pytest.fixture(scope="session")
def redis_sentinels(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sentinels]:
    """One primary, one replica and three sentinels for the whole run."""
    yield from topologies.started(Sentinels, tmp_path_factory.mktemp("sentinels"))


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = redis_client(redis_url)
    await client.flushall()
    yield client
    await client.aclose()
    await stop_tasks_left()


LEFT_RUNNING: Counter[str] = Counter()  # what was, by coroutine


async def stop_tasks_left() -> None:
    """Stop what a test's apps and clients left running (named in the summary), as
    ``common.loops.stop_task`` does: pytest-asyncio's runner cancels a task once, and on
    Python 3.11 a cancellation that lands as a redis-py command completes is lost, so a
    leftover reader would hang the test's teardown (seen once, 5 Dec, on the Cluster)."""
    me = asyncio.current_task()
    for task in [t for t in asyncio.all_tasks() if t is not me and not t.done()]:
        LEFT_RUNNING[getattr(task.get_coro(), "__qualname__", task.get_name())] += 1
        for _ in range(50):
            task.cancel()
            if (await asyncio.wait({task}, timeout=0.1))[0]:
                break


def on_this_redis(redis: aioredis.Redis, stream: str = "helpcall:billing") -> str:
    """The billing stream's name on the Redis the tests run on (a Cluster's is ``<name>:{0}``)."""
    return stream_on(stream, "cluster" if is_cluster(redis) else "single")


async def billing_entries(redis: aioredis.Redis,
                          stream: str = "helpcall:billing") -> list[tuple[str, dict[str, str]]]:
    """Every billing event on the Redis the tests run on, as ``XRANGE`` answers them, oldest
    first: on a Cluster from every bucket's stream, merged by id."""
    entries = [entry for each in every_stream(on_this_redis(redis, stream))
               for entry in await redis.xrange(each) or []]
    return sorted(entries, key=lambda entry: stream_id(str(entry[0])))


def on_this_redis_config(redis: aioredis.Redis, config: Config) -> Config:
    """``config`` as a worker started on this Redis sees it (its billing stream, above)."""
    return replace(config, billing_stream=on_this_redis(redis, config.billing_stream))


def base_env(redis_url: str, data_dir: Path) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "HELPCALL_DATA_DIR": str(data_dir),
        "HELPCALL_SECRET_KEY": "test-secret-key",
        "HELPCALL_LOG_LEVEL": "WARNING",
        "HELPCALL_REAPER_INTERVAL_SECONDS": "0.05",
        # Every test signs its people up from 127.0.0.1.
        "HELPCALL_SIGNUPS_PER_IP_PER_HOUR": "100000",
    }


@dataclass
class User:
    id: str
    email: str
    token: str
    role: str
    display_name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Running:
    """A started app: its HTTP test client, its base URL and its config."""

    app: web.Application
    client: TestClient[Any, Any]
    config: Config

    @property
    def url(self) -> str:
        return str(self.client.make_url("")).rstrip("/")

    async def user(self, role: str = "client", name: str | None = None) -> User:
        n = next(_counter)
        email = f"{role}{n}@example.test"
        display_name = name or f"{role.title()} {n}"
        body = {"email": email, "password": "correct horse", "display_name": display_name,
                "role": role}
        created = await self.client.post("/api/v1/accounts", json=body)
        assert created.status == 201, await created.text()
        account = await created.json()
        if role == "expert":
            await self.verify_email(email)
        token = await self.client.post(
            "/api/v1/tokens", json={"email": email, "password": "correct horse"}
        )
        assert token.status == 200, await token.text()
        return User(account["id"], email, (await token.json())["token"], role, display_name)


    async def verify_email(self, email: str) -> None:
        """Click the link of the verification mail (still queued: no worker runs here)."""
        path = await follow_verification(self.app[REDIS], email)
        answer = await self.client.get(path, allow_redirects=False)
        assert answer.status in (200, 303), await answer.text()


StartApp = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_app(
    redis: aioredis.Redis, redis_url: str, tmp_path: Path
) -> AsyncIterator[StartApp]:
    """``await start_app(HELPCALL_RING_SECONDS="0.5")``: a real app on a real port."""
    started: list[TestClient[Any, Any]] = []
    answers = AnswerCheck()

    async def start(**env: str) -> Running:
        config = load_config(base_env(redis_url, tmp_path) | env)
        app = create_app(config)
        answers.install(app)
        client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        started.append(client)
        return Running(app, client, config)

    yield start
    for client in reversed(started):
        await client.close()
    assert not answers.problems, "\n".join(answers.problems)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for left, times in sorted(LEFT_RUNNING.items()):
        terminalreporter.write_line(f"left running after a test, stopped: {left} ({times})")
    if EXERCISED:
        terminalreporter.write_line(
            f"openapi.json: {len(EXERCISED)} of {len(DESCRIBED)} operations had their answers "
            "checked")
    never = sorted(DESCRIBED - EXERCISED)
    if len(EXERCISED) > len(DESCRIBED) // 2 and never:
        # A broad run: name what no test called, so it gets a test.
        terminalreporter.write_line("openapi.json: never called: " + ", ".join(never))


@pytest.fixture
async def running(start_app: StartApp) -> Running:
    return await start_app()


# Crash tests (tests/sessions/test_kills.py and the like): a real ``python -m server`` armed
# with HELPCALL_KILL_AT (common/faults.py) dies at a named point; the survivor, an app of
# this test process on the same Redis, heals what it left. A 2 s lease makes that quick.
LEASE = "2"
Doom = Callable[..., Awaitable[ServerProcess]]  # (point, **more settings)


@pytest.fixture
async def survivor(start_app: StartApp) -> Running:
    return await start_app(HELPCALL_LEASE_SECONDS=LEASE)


@pytest.fixture
async def doom(redis_url: str, tmp_path: Path) -> AsyncIterator[Doom]:
    """Starts a server that kills itself at the point given."""
    started: list[ServerProcess] = []

    async def start(point: str, **settings: str) -> ServerProcess:
        env = base_env(redis_url, tmp_path / "doomed") | {
            "HELPCALL_KILL_AT": point, "HELPCALL_LEASE_SECONDS": LEASE} | settings
        server = ServerProcess(env)
        started.append(server)
        # In a thread: the survivor's loop goes on renewing its lease meanwhile.
        return await asyncio.to_thread(server.wait_ready)

    yield start
    for server in started:
        server.stop(sig=signal.SIGKILL)
