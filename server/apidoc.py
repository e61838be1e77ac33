"""How a handler under ``/api/v1`` says what it takes and answers (for ``openapi.json``).

Put ``@described(...)`` right under the route decorator::

    @routes.post("/api/v1/wallet/topups")
    @described("Add test credit", body=TopUp, status=201, answer=obj(balance_cents=CENTS))
    async def top_up(request: web.Request) -> web.Response: ...

``body`` is a request dataclass with a ``WIRE`` (``common/schema.py``), the very declaration
its ``parse`` is held to; ``answer`` is the JSON Schema of the success body. The document is
built by walking the router (``server/openapi.py``), so a route without ``@described``
is named by ``tests/server/test_openapi.py``, and the test suite checks the real answers
against the answers described here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from common.schema import Body, Field, Schema

Auth = Literal["account", "brand", "none"]
H = TypeVar("H", bound=Callable[..., Any])
ATTRIBUTE = "__apidoc__"


@dataclass(frozen=True)
class Raw:
    """A body that is not JSON: a content type (``*/*`` for any) and what it holds."""

    content_type: str
    description: str = ""


NO_CONTENT = None


@dataclass(frozen=True)
class Operation:
    summary: str
    status: int
    answer: Schema | Raw | None
    body: Body | Raw | None
    query: tuple[Field, ...]
    auth: Auth
    description: str
    tag: str | None
    # What the handler parses the JSON body with (the dataclass's parse, or the Body's read).
    parse: Callable[[object], object] | None = None


def described(
    summary: str,
    *,
    answer: Schema | Raw | None,
    status: int = 200,
    body: Any = None,
    query: Sequence[Field] = (),
    auth: Auth = "account",
    description: str = "",
    tag: str | None = None,
) -> Callable[[H], H]:
    """Attach the description; ``body`` is a dataclass with ``WIRE``, a ``Body`` or a ``Raw``."""
    wire = getattr(body, "WIRE", body)
    if wire is not None and not isinstance(wire, Body | Raw):
        raise TypeError(f"body must declare WIRE (common/schema.py), not {body!r}")
    parse = getattr(body, "parse", None) or (wire.read if isinstance(wire, Body) else None)
    operation = Operation(summary, status, answer, wire, tuple(query), auth, description, tag,
                          parse)

    def attach(handler: H) -> H:
        setattr(handler, ATTRIBUTE, operation)
        return handler

    return attach


def operation_of(handler: object) -> Operation | None:
    found = getattr(handler, ATTRIBUTE, None)
    return found if isinstance(found, Operation) else None


# Small builders for answer schemas, so a shape reads like the JSON it describes.


def obj(*optional: str, **properties: Schema) -> Schema:
    """An object whose properties are all required, except those named in ``optional``."""
    required = [name for name in properties if name not in optional]
    out: Schema = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    return out


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
NUMBER: Schema = {"type": "number"}
CENTS: Schema = {"type": "integer", "description": "an amount in cents of the currency"}
TIME: Schema = {"type": "string", "format": "date-time"}
ID: Schema = {"type": "string", "pattern": "^[a-z]{1,4}_[0-9a-f]{8,40}$"}
ANY_OBJECT: Schema = {"type": "object"}
