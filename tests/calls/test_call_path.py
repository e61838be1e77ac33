"""How far one on-demand call travels through the code (issue #13).

Every project function that runs with the Socket.IO edge on its stack is recorded, from
``call:start`` to ``call:summary`` (the hang-up's script appends the billing event): the
packages they live in are the packages one call crosses. docs/architecture.md lists them,
with what each is asked; a new one on the path must be added there, and here, on purpose.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

from tests.conftest import Running
from tests.signaling.conftest import Connect, funded_client, online_expert

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

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call":
            return
        name = frame.f_code.co_filename
        if not name.startswith(str(ROOT)) or "/tests/" in name or "/.venv/" in name:
            return
        caller: FrameType | None = frame
        while caller is not None:
            if caller.f_code.co_filename == EDGE:
                self.files[str(Path(name).relative_to(ROOT))] += 1
                return
            caller = caller.f_back

    @property
    def packages(self) -> set[str]:
        return {path.split("/")[0] for path in self.files}


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
    assert MAIN_LINE <= trace.packages
    assert trace.packages <= MAIN_LINE | SIDE_TRIPS, sorted(
        trace.packages - MAIN_LINE - SIDE_TRIPS)
