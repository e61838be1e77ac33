"""Each request body described in openapi.json is what its parser really accepts.

For every described JSON body, its declaration (``WIRE``, common/schema.py) is held to the
parser the handler uses: the declared example parses; a required field left out, a value of
the wrong type, one character or unit past a declared limit, or a value outside a declared
list is refused with an ``invalid`` error naming that field; an optional field left out is
accepted. A parser that grows a field or changes a limit without its declaration fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from common.errors import Invalid
from common.schema import Body, Field
from server.apidoc import Operation, operation_of
from server.app import create_app
from server.config import load_config
from server.openapi import api_routes

_WRONG = {"string": 12345, "integer": "12", "boolean": "yes", "array": "x", "object": "x",
          "number": "x"}


def _bodies() -> Iterator[tuple[str, Operation, Body]]:
    config = load_config({"HELPCALL_DATA_DIR": "/nonexistent", "HELPCALL_SECRET_KEY": "k" * 20,
                          "REDIS_URL": "redis://127.0.0.1:1"})
    for method, path, handler in api_routes(create_app(config)):
        op = operation_of(handler)
        if op is not None and isinstance(op.body, Body):
            yield f"{method.upper()} {path}", op, op.body


CASES = [(name, op, body, field) for name, op, body in _bodies() for field in body.fields]


def _type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "oneOf" in schema:
        return "object"
    return kind


def _refused(op: Operation, payload: dict[str, Any], field: str) -> None:
    assert op.parse is not None
    with pytest.raises(Invalid) as caught:
        op.parse(payload)
    named = caught.value.field or ""
    assert named == field or named.startswith((field + ".", field + "[")), (
        f"{payload!r} was refused for {named!r}, not for {field!r}: {caught.value.message}")


def _too_far(schema: dict[str, Any], example: Any) -> list[Any]:
    """Values one step past each limit the schema declares."""
    out: list[Any] = []
    if "maxLength" in schema:
        out.append("x" * (schema["maxLength"] + 1))
    if schema.get("minLength", 0) > 0:
        out.append(" " * (schema["minLength"] - 1) if schema["minLength"] > 1 else "")
    if "minimum" in schema:
        out.append(schema["minimum"] - 1)
    if "maximum" in schema:
        out.append(schema["maximum"] + 1)
    if "enum" in schema:
        out.append("not-one-of-them")
    if "maxItems" in schema and isinstance(example, list) and example:
        out.append(example[:1] * (schema["maxItems"] + 1))
    return out


def _at_limits(schema: dict[str, Any], example: Any) -> list[Any]:
    """Values right at each limit, where nothing else about them could be wrong."""
    out: list[Any] = []
    plain_text = isinstance(example, str) and set(example) == {"x"} and "pattern" not in schema
    if plain_text and "maxLength" in schema:
        out.append("x" * schema["maxLength"])
    if plain_text and schema.get("minLength", 0) > 0:
        out.append("x" * schema["minLength"])
    if _type(schema) == "integer":
        out += [schema[k] for k in ("minimum", "maximum") if k in schema]
    return out


@pytest.mark.parametrize("name,op,body", [(n, o, b) for n, o, b in _bodies()],
                         ids=[n for n, _, _ in _bodies()])
def test_the_declared_example_parses(name: str, op: Operation, body: Body) -> None:
    assert op.parse is not None, f"{name}: the handler's parser is unknown"
    op.parse(body.example())


@pytest.mark.parametrize("name,op,body,field", CASES,
                         ids=[f"{n} {f.name}" for n, _, _, f in CASES])
def test_each_declared_field_is_held_to_its_declaration(
    name: str, op: Operation, body: Body, field: Field
) -> None:
    assert op.parse is not None
    example = body.example()
    without = {k: v for k, v in example.items() if k != field.name}
    if field.required:
        _refused(op, without, field.name)
    else:
        op.parse(without)
    schema = field.schema()
    kind = _type(schema)
    if kind in _WRONG:
        _refused(op, {**example, field.name: _WRONG[kind]}, field.name)
    for value in _too_far(schema, example[field.name]):
        _refused(op, {**example, field.name: value}, field.name)
    for value in _at_limits(schema, example[field.name]):
        op.parse({**example, field.name: value})


@pytest.mark.parametrize("name,op,body", [(n, o, b) for n, o, b in _bodies()],
                         ids=[n for n, _, _ in _bodies()])
def test_unknown_properties_are_ignored_unless_the_body_says_closed(
    name: str, op: Operation, body: Body
) -> None:
    # The fuzzing found PATCH /me refusing what its description let through.
    assert op.parse is not None
    with_extra = {**body.example(), "not_a_field": 1}
    if body.closed:
        _refused(op, with_extra, "not_a_field")
    else:
        op.parse(with_extra)
