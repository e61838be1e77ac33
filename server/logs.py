"""Logging set-up: one line per request or event, never a secret."""

from __future__ import annotations

import logging

ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Their per-packet chatter would drown ours and slow the hot path.
    for noisy in ("socketio", "engineio", "aiortc", "aioice"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
