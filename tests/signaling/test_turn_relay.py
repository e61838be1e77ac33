"""TURN with a real coturn: the credentials of ``accepted`` carry a call that may only use
relayed candidates, and expired ones are refused (docs/deployment.md, coturn).

Debian's ``turnserver`` runs on loopback with ``use-auth-secret``, as in production; only
``allow-loopback-peers`` is added, since both peers live on 127.0.0.1 here.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aioice.stun import TransactionFailed
from aioice.turn import create_turn_endpoint
from aiortc import RTCConfiguration, RTCIceServer, RTCIceTransportPolicy

from signaling.ice import turn_credentials
from tests.conftest import StartApp
from tests.processes import free_port, listening
from tests.signaling.conftest import Connect, funded_client, online_expert
from tests.signaling.webrtc import RtcPeer
from tests.waiting import until

SECRET = "coturn-shared-secret-for-tests"


@dataclass(frozen=True)
class Coturn:
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp"


@pytest.fixture
def coturn(tmp_path: Path) -> Iterator[Coturn]:
    port = free_port()
    relay = free_port()  # a small relay range from a free port up; coturn skips busy ones
    log = tmp_path / "turn.log"
    config = tmp_path / "turnserver.conf"
    config.write_text("\n".join([
        "listening-ip=127.0.0.1", "relay-ip=127.0.0.1", f"listening-port={port}",
        f"min-port={relay}", f"max-port={min(relay + 40, 65535)}",
        "realm=helpcall.test", "use-auth-secret", f"static-auth-secret={SECRET}",
        "fingerprint", "no-tls", "no-dtls", "no-cli", "no-multicast-peers",
        "allow-loopback-peers", "verbose", f"log-file={log}", "simple-log",
        f"pidfile={tmp_path / 'turnserver.pid'}", f"userdb={tmp_path / 'turndb'}",
    ]) + "\n")
    process = subprocess.Popen(["turnserver", "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        until(lambda: process.poll() is not None or listening(port), 20, "coturn")
        assert process.poll() is None, log.read_text() if log.exists() else "coturn exited"
        yield Coturn(port, log)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def relay_only(ice_servers: list[dict[str, object]]) -> RTCConfiguration:
    servers = [RTCIceServer(urls=s["urls"], username=s.get("username"),  # type: ignore[arg-type]
                            credential=s.get("credential")) for s in ice_servers]  # type: ignore[arg-type]
    return RTCConfiguration(iceServers=servers, iceTransportPolicy=RTCIceTransportPolicy.RELAY)


def _candidate_types(peer: RtcPeer) -> set[str]:
    sctp = peer.pc.sctp
    assert sctp is not None
    connection = sctp.transport.transport._connection  # aioice's, behind aiortc's transports
    return {candidate.type for candidate in connection.local_candidates}


async def test_a_call_goes_live_through_coturn_with_relay_candidates_only(
    coturn: Coturn, start_app: StartApp, connect: Connect
) -> None:
    running = await start_app(HELPCALL_TURN_URLS=coturn.url, HELPCALL_TURN_SECRET=SECRET)
    expert, expert_socket = await online_expert(running, connect)
    client, client_socket = await funded_client(running, connect)
    session_id = (await client_socket.ok("call:start", {"expert_id": expert.id,
                                                        "topic": "behind a NAT"}))["session_id"]
    await expert_socket.ok("call:accept", {"session_id": session_id})
    client_ice = (await client_socket.state("accepted"))["ice_servers"]
    expert_ice = (await expert_socket.state("accepted"))["ice_servers"]
    assert client_ice[0]["urls"] == [coturn.url]
    assert client_ice[0]["username"].endswith(":" + client.id)
    assert expert_ice[0]["username"].endswith(":" + expert.id)

    client_rtc = RtcPeer(client_socket, session_id, relay_only(client_ice))
    expert_rtc = RtcPeer(expert_socket, session_id, relay_only(expert_ice))
    try:
        await client_rtc.offer()
        await client_socket.state("live", within=30)
        await expert_rtc.send_when_open("heard through the relay")
        assert await asyncio.wait_for(client_rtc.received.get(), 10) == "heard through the relay"
        assert _candidate_types(client_rtc) == {"relay"}
        assert _candidate_types(expert_rtc) == {"relay"}
    finally:
        await client_rtc.close()
        await expert_rtc.close()
    # coturn itself allocated a relay for each of them, under helpcall's credentials.
    allocations = [line for line in coturn.log.read_text().splitlines()
                   if "ALLOCATE processed, success" in line]
    assert any(f":{client.id}>" in line for line in allocations), allocations
    assert any(f":{expert.id}>" in line for line in allocations), allocations


async def _allocate(coturn: Coturn, username: str, password: str) -> None:
    transport, _ = await create_turn_endpoint(
        asyncio.DatagramProtocol, ("127.0.0.1", coturn.port), username, password)
    transport.close()


async def test_coturn_refuses_expired_or_forged_credentials(coturn: Coturn) -> None:
    now = int(time.time())
    await _allocate(coturn, *turn_credentials(SECRET, "c_0123456789abcdef0123", now, 60))
    expired = turn_credentials(SECRET, "c_0123456789abcdef0123", now - 7200, 3600)
    with pytest.raises(TransactionFailed):
        await _allocate(coturn, *expired)
    forged = turn_credentials("not-the-secret", "c_0123456789abcdef0123", now, 3600)
    with pytest.raises(TransactionFailed):
        await _allocate(coturn, *forged)
