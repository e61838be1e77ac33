"""Whether an expert is about to meet an appointment: on-demand calls must not ring into it.

Asked on every direct ring and for every expert the router considers, so it is one script
over the expert's bookings still to be met (``appointments/lua/blocks.lua``), built once by
the wiring and handed to the calls as their ``BookedSoon`` port.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from appointments.keys import active_key
from appointments.store import MAX_LEN_MS
from common.lua import Lua

# An on-demand call is not rung when an appointment of the expert starts within this.
ON_DEMAND_MINIMUM_MS = 15 * 60 * 1000


class UpcomingBookings:
    """``await booked_soon(expert_id)``: True when one of the expert's appointments starts
    within ``within_ms`` (or is under way and not yet met)."""

    def __init__(self, redis: aioredis.Redis, within_ms: int = ON_DEMAND_MINIMUM_MS) -> None:
        self._script = Lua(redis, "appointments/lua/blocks.lua")
        self.within_ms = within_ms

    async def __call__(self, expert_id: str) -> bool:
        return bool(await self._script(
            keys={"active": active_key(expert_id)},
            args={"within_ms": self.within_ms, "max_len_ms": MAX_LEN_MS}))
