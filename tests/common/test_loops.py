"""The background loops' timing: a loop's first step at start, or an interval later."""

from __future__ import annotations

import asyncio
import contextlib

from common.loops import Loop, stop_task


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


async def test_a_task_stopping_its_own_tasks_stops_them_all_though_cancelled_again() -> None:
    """An outer ``stop_task`` cancels every 100 ms; the inner one, in the outer task's
    ``finally`` (as ``common.streams.on_every_stream`` has it), must still stop every inner
    task, even those slow to end, before the outer task ends."""
    ended: list[str] = []

    async def inner(name: str) -> None:
        # Busy for 350 ms whatever it is told (three of the outer's cancels), as a reader
        # whose cancellations redis-py swallows.
        deadline = asyncio.get_running_loop().time() + 0.35
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(left)
        ended.append(name)

    async def outer() -> None:
        tasks = [asyncio.create_task(inner(name)) for name in ("a", "b", "c")]
        try:
            await asyncio.gather(*tasks)
        finally:
            await stop_task(*tasks)

    task = asyncio.create_task(outer())
    await asyncio.sleep(0.01)
    await stop_task(task)
    assert task.cancelled()
    assert sorted(ended) == ["a", "b", "c"]
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
