"""JSON from strangers: bounded nesting and no lone surrogates (docs/security.md, 7 and 8).

``json.loads`` recurses once per nesting level: a thousand ``[`` raise ``RecursionError``
deep inside the decoder, and what parses at depth 900 may still blow the stack of the
code that walks it later. A lone surrogate (``"\\ud800"``) is valid JSON but no valid
text: it cannot be encoded to UTF-8, so Redis, logs and other clients would choke on it.
``loads`` refuses both with ``Refused`` (a ``ValueError``), before any handler sees them.

Socket.IO decodes packets itself; ``SocketJson`` is the ``json`` of python-socketio's
packets: a refused packet becomes the event ``REFUSED_EVENT``, which the namespace answers
with an ``invalid`` ack (the ack id was read before the JSON), and nothing raises inside
python-engineio (which would log a stack trace). ``EngineJson`` is python-engineio's: it
only tries JSON on a message and keeps the raw text when that fails, so it raises a plain
``ValueError`` (never ``RecursionError``) and lets Socket.IO's decoder see the text.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
REFUSED_EVENT = "\x00refused"

# A lone surrogate can only come in as an escape: the raw text was decoded from UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class Refused(ValueError):
    """Valid JSON that we still refuse; ``reason`` is safe to show to the sender."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check(value: Any, surrogates: bool) -> None:
    # Iterative: the point is not to recurse on a stranger's structure.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > MAX_DEPTH:
                raise Refused(f"the JSON is nested deeper than {MAX_DEPTH} levels")
            for key, child in item.items():
                if surrogates and _SURROGATE.search(key):
                    raise Refused("the JSON holds a lone surrogate (invalid text)")
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            if depth > MAX_DEPTH:
                raise Refused(f"the JSON is nested deeper than {MAX_DEPTH} levels")
            stack.extend((child, depth + 1) for child in item)
        elif surrogates and isinstance(item, str) and _SURROGATE.search(item):
            raise Refused("the JSON holds a lone surrogate (invalid text)")


def loads(text: str | bytes) -> Any:
    """``json.loads`` that refuses deep nesting and lone surrogates (``Refused``)."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8")
    try:
        value = json.loads(text)
    except RecursionError:
        raise Refused(f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    # Cheap tests first (C speed): most messages are shallow and plain.
    deep = text.count("[") + text.count("{") > MAX_DEPTH
    surrogates = "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None
    if deep or surrogates:
        _check(value, surrogates)
    return value


class EngineJson:
    """python-engineio's ``json``: a refusal is a ``ValueError`` (engineio keeps the text)."""

    @staticmethod
    def dumps(*args: Any, **kwargs: Any) -> str:
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        return loads(text)


class SocketJson:
    """python-socketio's ``json``: a refused packet becomes the event ``REFUSED_EVENT``."""

    @staticmethod
    def dumps(*args: Any, **kwargs: Any) -> str:
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        try:
            return loads(text)
        except Refused as exc:
            return [REFUSED_EVENT, exc.reason]
