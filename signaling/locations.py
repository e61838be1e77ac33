"""Which processes hold the sockets of a room, as this process last read it from Redis.

A plain cache with no I/O. Its one subtlety is the race between a read and an
invalidation: a read sent before another process's change but answered after this process
heard of that change must not be stored, or the stale answer would outlive the
invalidation. Every read therefore starts with ``begin()`` and ends with ``finish()``,
which stores a room only if nothing dropped it (or the whole cache) since the read began.

A copy is trusted for ``trust_seconds`` after it was stored, then read again: an account
room's readers are told of its changes only while they are registered as its watchers in
Redis (signaling/directory.py), which lasts longer than that.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# Rooms remembered per process; the oldest is forgotten first (then read again if needed).
LIMIT = 50_000


class Locations:
    def __init__(self, limit: int = LIMIT, trust_seconds: float = float("inf"),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._known: dict[str, tuple[frozenset[str], float]] = {}  # room -> procs, stored at
        self._limit = limit
        self._trust = trust_seconds
        self._clock = clock
        self._generation = 0
        self._cleared_at = 0
        # Rooms dropped while reads were in flight, with the generation of the drop.
        self._dropped_at: dict[str, int] = {}
        self._reading = 0

    def __len__(self) -> int:
        return len(self._known)

    def get(self, room: str) -> frozenset[str] | None:
        known = self._known.get(room)
        if known is None or self._clock() - known[1] > self._trust:
            return None
        return known[0]

    def begin(self) -> int:
        """Before a read from Redis: answers the ticket to give ``finish``."""
        self._reading += 1
        return self._generation

    def finish(self, ticket: int, found: dict[str, frozenset[str]]) -> None:
        """After the read: keep what nothing invalidated since ``begin``."""
        self._reading -= 1
        if self._cleared_at <= ticket:
            for room, procs in found.items():
                if self._dropped_at.get(room, 0) <= ticket:
                    self._store(room, procs)
        if self._reading == 0:
            self._dropped_at.clear()

    def abandon(self) -> None:
        """A read that failed: nothing to store."""
        self.finish(-1, {})

    def _store(self, room: str, procs: frozenset[str]) -> None:
        self._known.pop(room, None)
        if len(self._known) >= self._limit:
            del self._known[next(iter(self._known))]
        self._known[room] = (procs, self._clock())

    def drop(self, rooms: list[str]) -> None:
        self._generation += 1
        for room in rooms:
            self._known.pop(room, None)
            if self._reading:
                self._dropped_at[room] = self._generation

    def clear(self) -> None:
        """Everything is in doubt (the subscription was lost, a process was buried)."""
        self._generation += 1
        self._known.clear()
        self._cleared_at = self._generation
