"""The operator's appointment settings (server/config.py reads them from the environment)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppointmentSettings:
    # 24 h and 15 min before the start; each reminder is sent once per booking.
    reminder_offsets_seconds: tuple[float, ...] = (86_400.0, 900.0)
    # A side that has not joined this long after the start is a no-show.
    no_show_seconds: float = 600.0
    # How often each process looks for due reminders and no-shows.
    interval_seconds: float = 0.25
    notifications_kept: int = 100

    def __post_init__(self) -> None:
        if not self.reminder_offsets_seconds or any(o <= 0 for o in
                                                    self.reminder_offsets_seconds):
            raise ValueError("reminder offsets must be positive")
        if self.no_show_seconds <= 0 or self.interval_seconds <= 0:
            raise ValueError("no_show_seconds and interval_seconds must be positive")

    @property
    def reminder_offsets_ms(self) -> tuple[int, ...]:
        return tuple(sorted({round(o * 1000) for o in self.reminder_offsets_seconds},
                            reverse=True))

    @property
    def no_show_ms(self) -> int:
        return round(self.no_show_seconds * 1000)
