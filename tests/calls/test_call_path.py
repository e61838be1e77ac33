"""How far one on-demand call travels through the code (issue #13).

Every project function that runs with the Socket.IO edge on its stack is recorded, from
``call:start`` to ``call:summary`` (the hang-up's script appends the billing event): the
packages they live in are the packages one call crosses. docs/architecture.md lists them,
with what each is asked; a new one on the path must be added there, and here, on purpose.

The line of the call imports nothing else (import-linter contracts in pyproject.toml); a
side trip is entered only through a port the wiring injects (``calls/ports.py``, the
sessions' ``Notifier``), and this test checks each entry against those ports' methods.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import calls.ports
import sessions.notify
from tests.conftest import Running
from tests.signaling.conftest import Connect, funded_client, online_expert

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

ROOT = Path(__file__).resolve().parents[2]
EDGE = str(ROOT / "signaling" / "namespace.py")

# The line of the call, then what it consults or tells on the way (docs/architecture.md).
MAIN_LINE = {"signaling", "calls", "sessions", "common"}
SIDE_TRIPS = {
    "accounts",      # display names on the incoming banner
    "appointments",  # is an appointment of the expert about to start?
    "mail",          # missed call and receipt mails (a notifier decorator)
    "marketplace",   # the expert's profile and price
    "server",        # metrics (a notifier decorator)
    "trust",         # has either side blocked the other?
}


class PathTrace:
    """Counts the calls of project functions made with the Socket.IO edge on the stack."""

    def __init__(self) -> None:
        self.files: Counter[str] = Counter()
        # (side-trip package, function) where a side trip was entered from another package.
        self.entries: set[tuple[str, str]] = set()

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        name = frame.f_code.co_filename
        package = _package(name)
        if package is None:
            return
        caller: FrameType | None = frame
        while caller is not None:
            if caller.f_code.co_filename == EDGE:
                self.files[str(Path(name).relative_to(ROOT))] += 1
                if package in SIDE_TRIPS and _package(_project_caller(frame)) != package:
                    self.entries.add((package, frame.f_code.co_name))
                return
            caller = caller.f_back

    @property
    def packages(self) -> set[str]:
        return {path.split("/")[0] for path in self.files}


def _package(filename: str) -> str | None:
    if not filename.startswith(str(ROOT)) or "/tests/" in filename or "/.venv/" in filename:
        return None
    return Path(filename).relative_to(ROOT).parts[0]


def _project_caller(frame: FrameType) -> str:
    """The file of the nearest project function that called ``frame`` (the event loop's
    and libraries' frames in between skipped)."""
    caller = frame.f_back
    while caller is not None and _package(caller.f_code.co_filename) is None:
        caller = caller.f_back
    return caller.f_code.co_filename if caller is not None else ""


def _port_methods() -> set[str]:
    """The methods of every port the line is given: what a side trip may be asked."""
    ports = [getattr(calls.ports, name) for name in dir(calls.ports)]
    ports.append(sessions.notify.Notifier)
    names = {"__call__"}  # calls.ports.BookedSoon is a callable
    for port in ports:
        if isinstance(port, type) and getattr(port, "_is_protocol", False):
            names |= {n for n in vars(port) if not n.startswith("_")}
    return names


async def test_one_call_runs_through_the_packages_the_docs_list(
        running: Running, connect: Connect) -> None:
    expert, expert_socket = await online_expert(running, connect)
    _, client_socket = await funded_client(running, connect)
    trace = PathTrace()
    sys.setprofile(trace)
    try:
        started = await client_socket.ok("call:start", {"expert_id": expert.id})
        session_id = started["session_id"]
        await expert_socket.wait_for("call:incoming")
        await expert_socket.ok("call:accept", {"session_id": session_id})
        for socket in (client_socket, expert_socket):
            await socket.ok("media", {"session_id": session_id, "state": "connected"})
        await client_socket.state("live")
        await client_socket.ok("call:hangup", {"session_id": session_id})
        summary = await client_socket.wait_for("call:summary")
    finally:
        sys.setprofile(None)
    assert summary["end_reason"] == "hangup"
    print(f"\n{len(trace.files)} files in {len(trace.packages)} packages:")
    print("\n".join(f"{path} {n}" for path, n in sorted(trace.files.items())))
    print("entered through ports:", sorted(trace.entries))
    assert MAIN_LINE <= trace.packages
    assert trace.packages <= MAIN_LINE | SIDE_TRIPS, sorted(
        trace.packages - MAIN_LINE - SIDE_TRIPS)
    assert {package for package, _ in trace.entries} == trace.packages - MAIN_LINE
    outside_ports = {entry for entry in trace.entries if entry[1] not in _port_methods()}
    assert not outside_ports, sorted(outside_ports)
