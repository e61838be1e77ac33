"""The ids a log line is about: request, session, account (``HELPCALL_LOG_FORMAT=json``).

Context variables, so each aiohttp request and each Socket.IO event (both run in a task of
their own) carries its own ids into every line logged on its behalf, however deep the call.
Set by the HTTP middleware (``server/logs.py``), ``server.http.caller``, the Socket.IO
namespace and the session service; read by the log formatter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

_IDS: dict[str, ContextVar[str | None]] = {
    name: ContextVar(name, default=None) for name in ("request_id", "session_id", "account_id")
}


def bind(**ids: str | None) -> None:
    """Set ids for the rest of the current task (a request, a socket event)."""
    for name, value in ids.items():
        _IDS[name].set(value)


@contextmanager
def scope(**ids: str | None) -> Iterator[None]:
    """Set ids for a block only: for loops that serve many sessions in one task."""
    tokens: list[tuple[ContextVar[str | None], Token[str | None]]] = [
        (_IDS[name], _IDS[name].set(value)) for name, value in ids.items()]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def current() -> dict[str, str]:
    return {name: value for name, var in _IDS.items() if (value := var.get()) is not None}
