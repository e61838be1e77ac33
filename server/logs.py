"""Logging set-up: one line per request or event, never a secret.

``HELPCALL_LOG_FORMAT=json`` writes JSON lines (one object per line) carrying the request,
session and account ids of the line's context (``common/logcontext.py``); ``text`` (the
default) writes plain lines for a terminal.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from common import logcontext
from common.ids import looks_like_id

ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'
REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's request id is kept when it is short and plain; anything else is replaced.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# What aiohttp's access logger passes as record attributes, under shorter names.
_ACCESS_FIELDS = {"first_request_line": "request", "response_status": "status",
                  "response_size": "bytes", "request_time": "seconds",
                  "remote_address": "remote"}


class ContextIds(logging.Filter):
    """Puts the ids of the current context on each record (for any formatter to use)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in logcontext.current().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "session_id", "account_id"):
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        for attribute, key in _ACCESS_FIELDS.items():
            value = getattr(record, attribute, None)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class MalformedRequests(logging.Filter):
    """A request aiohttp cannot even parse (a NUL in a header, a broken request line) is
    answered 400 by aiohttp itself, which logs it as an ERROR with a stack trace: one line
    (a WARNING naming what was wrong) is what a client's mistake deserves."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg, record.args = "malformed request refused (%s): %s", (
                error.code, str(error.message).splitlines()[0] if error.message else "")
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_malformed_requests() -> None:
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, MalformedRequests) for f in server_log.filters):
        server_log.addFilter(MalformedRequests())


def configure_logging(level: str, fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(ContextIds())
    handler.setFormatter(JsonLines() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    # Their per-packet chatter would drown ours and slow the hot path.
    for noisy in ("socketio", "engineio", "aiortc", "aioice"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def log_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Binds the request's ids (and a session named in its path) for its log lines, and
    answers the request id in ``X-Request-ID`` so a client can quote it."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = given if _REQUEST_ID.match(given) else secrets.token_hex(8)
    session_id = request.match_info.get("session_id")
    logcontext.bind(request_id=request_id,
                    session_id=session_id if looks_like_id(session_id) else None)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers[REQUEST_ID_HEADER] = request_id
        raise
    if not response.prepared:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response
