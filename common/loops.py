"""Background loops that stop when asked, even if a library swallows a cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError

# While Redis is down every tick fails the same way: one line each, not a traceback each.
OUTAGES = (RedisError, OSError)


class Loop:
    """Runs ``step`` every ``interval`` seconds until ``stop()``; ``run`` is the task body.
    ``first_after_interval``: the first step comes an interval after the start, not at once."""

    def __init__(self, step: Callable[[], Awaitable[None]], interval: float,
                 first_after_interval: bool = False) -> None:
        self._step = step
        self._interval = interval
        self._wait_first = first_after_interval
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        if self._wait_first:
            await self._pause()
        while not self._stopping.is_set():
            await self._step()
            await self._pause()

    async def _pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self._interval)

    def stop(self) -> None:
        self._stopping.set()


def tolerant(step: Callable[[], Awaitable[None]], what: str,
             log: logging.Logger) -> Callable[[], Awaitable[None]]:
    """``step`` for a loop that outlives a Redis outage and logs any other failure in full."""

    async def guarded() -> None:
        try:
            await step()
        except OUTAGES as exc:
            log.warning("%s failed: %s", what, exc)
        except Exception:
            log.exception("%s failed", what)

    return guarded


async def stop_all(loops: list[Loop], tasks: list[asyncio.Task[None]]) -> None:
    """Ask every loop to stop, cancel its task too, and wait until all have ended."""
    for loop in loops:
        loop.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def stop_task(task: asyncio.Task[None]) -> None:
    """Cancel ``task`` and wait for its end, cancelling again until it ends.

    Once is not always enough: on Python 3.11 ``asyncio.wait_for`` (which redis-py awaits
    inside every command) swallows a cancellation that arrives just as the command completes.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.1)
    with contextlib.suppress(asyncio.CancelledError):
        await task
