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


async def stop_task(*tasks: asyncio.Task[None]) -> None:
    """Cancel ``tasks`` and wait for their end, cancelling again until they end.

    Once is not always enough: on Python 3.11 ``asyncio.wait_for`` (which redis-py awaits
    inside every command) swallows a cancellation that arrives just as the command completes.
    And a cancellation of the caller meanwhile does not cut this short: a task that stops
    tasks of its own (``common.streams.on_every_stream``) is itself stopped this way, cancelled
    every 100 ms, and giving up at the first would leave its tasks running after the app.
    The caller's cancellation goes on once they have ended.
    """
    interrupted = False
    while pending := [task for task in tasks if not task.done()]:
        for task in pending:
            task.cancel()
        try:
            await asyncio.wait(pending, timeout=0.1)
        except asyncio.CancelledError:
            interrupted = True
    if interrupted:
        raise asyncio.CancelledError
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
