"""The reaper: runs in every web process, fires due deadlines and buries dead processes.

Any number may run: each deadline is claimed inside its script, so it fires once; a
dead process is claimed for one lease at a time, and cleaning up after it is idempotent.
Its cost is one Redis round trip per process per tick, not per session.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from common.loops import Loop, tolerant
from sessions.leases import Leases
from sessions.service import CallService

log = logging.getLogger(__name__)

DeadProcessHook = Callable[[str, int], Awaitable[None]]


class Reaper:
    def __init__(
        self,
        calls: CallService,
        leases: Leases,
        interval_seconds: float,
        on_dead_process: DeadProcessHook | None = None,
    ) -> None:
        self._calls = calls
        self._leases = leases
        self._interval = interval_seconds
        self._on_dead_process = on_dead_process

    async def tick(self) -> None:
        await self._calls.store.steps.intents.drop_done()
        await self._calls.store.listing.drop_left()
        for member in await self._calls.store.due_deadlines():
            try:
                await self._calls.fire(member)
            except Exception:
                log.exception("deadline %s failed", member)
        for proc, last_seen in await self._leases.claim_dead():
            log.warning("process %s stopped renewing its lease; detaching its sockets", proc)
            count = await self._calls.bury_process(proc, last_seen)
            if self._on_dead_process is not None:
                await self._on_dead_process(proc, last_seen)
            await self._leases.buried(proc)
            log.info("process %s buried: %d session sockets detached", proc, count)

    def loop(self) -> Loop:
        return Loop(tolerant(self.tick, "reaper tick", log), self._interval)
