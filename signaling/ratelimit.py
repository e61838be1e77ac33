"""Per-socket token buckets: a flood from one socket is refused without touching Redis."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Bucket:
    rate: float  # tokens per second
    burst: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = time.monotonic()
        if self.tokens < 0:
            self.tokens = self.burst
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


# ICE gathering sends bursts of candidates; chat and call control are human-paced. Media
# reports have their own bucket so that a flapping network never blocks a hang-up.
LIMITS = {
    "signal": (50.0, 200.0),
    "chat": (5.0, 20.0),
    "media": (10.0, 30.0),
    "default": (10.0, 30.0),
}


class SocketLimits:
    def __init__(self) -> None:
        self._buckets = {name: Bucket(rate, burst) for name, (rate, burst) in LIMITS.items()}

    def allow(self, event: str) -> bool:
        return self._buckets.get(event, self._buckets["default"]).take()
