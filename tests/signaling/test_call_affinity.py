"""Both sides of a call on one process, behind a real nginx configured as docs/deployment.md says.

The browser's call page names its call in the Socket.IO handshake (``?call=<session id>``,
web/static/js/socket.js); nginx hashes on it (and on the client's address for every other
socket), so the two participants' call sockets land on one process, wherever they come
from, and their signals never cross processes. Debian's nginx runs on loopback in front of
two real server processes; each participant connects from an address of its own.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis

from sessions.keys import sockets_key
from tests.conftest import User
from tests.processes import ROOT, free_port, listening
from tests.signaling.multiprocess import candidate, for_session, numbered, people, start_processes
from tests.signaling.peers import SocketPeer
from tests.waiting import until

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

# The lines of the documented configuration that place sockets; the test runs exactly these.
MAP = """map $arg_call $helpcall_affinity {
    ""      $remote_addr;
    default $arg_call;
}"""
BALANCE = "hash $helpcall_affinity consistent;"
CALLS = 8


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def balanced(redis: aioredis.Redis, redis_url: str, tmp_path: Path) -> Iterator[str]:
    """Two server processes behind nginx; answers nginx's URL."""
    processes = start_processes(2, redis_url, tmp_path, HELPCALL_RINGS_PER_EXPERT=str(CALLS))
    port = free_port()
    (tmp_path / "nginx").mkdir()
    config = tmp_path / "nginx" / "nginx.conf"
    servers = "\n".join(f"server 127.0.0.1:{p.port};" for p in processes)
    config.write_text(f"""
daemon off;
worker_processes 1;
pid {tmp_path}/nginx/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/nginx/body;
    proxy_temp_path {tmp_path}/nginx/proxy;
    fastcgi_temp_path {tmp_path}/nginx/fastcgi;
    uwsgi_temp_path {tmp_path}/nginx/uwsgi;
    scgi_temp_path {tmp_path}/nginx/scgi;
    {MAP}
    upstream helpcall {{
        {BALANCE}
        {servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location /socket.io/ {{
            proxy_pass http://helpcall;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
        }}
        location / {{
            proxy_pass http://helpcall;
        }}
    }}
}}
""")
    error_log = tmp_path / "nginx" / "error.log"
    nginx = subprocess.Popen(["nginx", "-e", str(error_log), "-p", str(tmp_path / "nginx"),
                              "-c", str(config)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.STDOUT)
    try:
        until(lambda: nginx.poll() is not None or listening(port), 20, "nginx")
        assert nginx.poll() is None, error_log.read_text() if error_log.exists() else "nginx"
        yield f"http://127.0.0.1:{port}"
    finally:
        nginx.terminate()
        nginx.wait(10)
        for process in processes:
            process.stop()


@pytest.fixture
async def leaving_from() -> AsyncIterator[Callable[[int], aiohttp.ClientSession]]:
    """HTTP sessions whose connections leave from 127.0.0.<n> (any loopback address works)."""
    made: list[aiohttp.ClientSession] = []

    def make(n: int) -> aiohttp.ClientSession:
        made.append(aiohttp.ClientSession(connector=aiohttp.TCPConnector(
            local_addr=(f"127.0.0.{n}", 0))))
        return made[-1]

    yield make
    for http in made:
        await http.close()


def test_the_deployment_guide_configures_nginx_this_way() -> None:
    guide = _squeezed((ROOT / "docs" / "deployment.md").read_text())
    assert _squeezed(MAP) in guide and BALANCE in guide


async def test_the_two_call_pages_of_a_call_land_on_one_process(
    balanced: str, leaving_from: Callable[[int], aiohttp.ClientSession],
    redis: aioredis.Redis,
) -> None:
    async with people(balanced) as crowd:
        expert, client = await crowd.expert(), await crowd.client()

        async def opened(user: User, n: int, query: str = "") -> SocketPeer:
            peer = SocketPeer(balanced + query, user, leaving_from(n))
            crowd.sockets.append(peer)
            return await peer.connect()

        console = await opened(expert, 2)
        await console.ok("presence", {"status": "online"})
        caller = await opened(client, 3)
        # Eight calls, each side's call page from an address of its own: hashing on the
        # addresses would split about half of them across the two processes.
        for n in range(CALLS):
            started = await caller.ok("call:start", {"expert_id": expert.id, "topic": "x"})
            session_id = started["session_id"]
            await console.wait_for("call:incoming", for_session(session_id))
            await console.ok("call:accept", {"session_id": session_id})
            pages = [await opened(client, 10 + 2 * n, f"?call={session_id}"),
                     await opened(expert, 11 + 2 * n, f"?call={session_id}")]
            for page in pages:
                await page.ok("call:join", {"session_id": session_id})
            await pages[0].ok("signal", candidate(n, session_id))
            await pages[1].wait_for("signal", numbered(n))

            where = await redis.hgetall(sockets_key(session_id))  # sid -> 'c|proc', 'e|proc'
            procs = {where[page.sio.get_sid("/")].partition("|")[2] for page in pages}
            assert len(procs) == 1, f"call {n}: its two call pages are on {procs}"
            await caller.ok("call:hangup", {"session_id": session_id})
            for page in pages:
                await page.close()
