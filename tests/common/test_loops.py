"""The background loops' timing: a loop's first step at start, or an interval later."""

from __future__ import annotations

import asyncio

from common.loops import Loop


async def _steps_before_stop(loop: Loop, calls: list[int]) -> list[int]:
    task = asyncio.create_task(loop.run())
    for _ in range(5):  # let the task run as far as it goes without time passing
        await asyncio.sleep(0)
    loop.stop()
    await task
    return calls


async def test_a_loop_steps_at_start_unless_told_to_wait_an_interval() -> None:
    calls: list[int] = []

    async def step() -> None:
        calls.append(1)

    assert await _steps_before_stop(Loop(step, 3600), calls) == [1]
    calls.clear()
    # The retention loop's way: nothing at start, so a restarted process does not trim
    # again, and a stop before the first interval runs no step at all.
    assert await _steps_before_stop(Loop(step, 3600, first_after_interval=True), calls) == []
