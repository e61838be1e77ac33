"""Waiting for a condition that has no event to await (a file, a process, a port)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


def until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


async def eventually(
    condition: Callable[[], Awaitable[bool]], within: float = 10.0, what: str = "condition"
) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
