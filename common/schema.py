"""Wire fields that both read a request and describe it (JSON Schema, for OpenAPI).

A request dataclass lists its fields once, as ``WIRE = Body(...)``; its ``parse`` reads
through those same fields (``cls.WIRE.read(payload)``) or, where it needs more than the
readers give, through its own code that ``tests/server/test_request_schemas.py`` holds to the
declaration (a field the parser wants but the schema lacks, a limit that differs, a type
the parser refuses: each fails that test). The OpenAPI document is built from ``WIRE``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from common import validation as v

Schema = dict[str, Any]
Reader = Callable[[Mapping[str, Any], str], Any]


@dataclass(frozen=True)
class Field:
    """One property of a JSON object: its schema, an example, and how to read it."""

    name: str
    required: bool = True
    description: str = ""

    def schema(self) -> Schema:
        raise NotImplementedError

    def example(self) -> Any:
        raise NotImplementedError

    def read(self, body: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def described(self, schema: Schema) -> Schema:
        return {**schema, "description": self.description} if self.description else schema


def _nullable(schema: Schema, optional: bool) -> Schema:
    return {**schema, "type": [schema["type"], "null"]} if optional else schema


@dataclass(frozen=True)
class Text(Field):
    def __post_init__(self) -> None:
        if self.default is not None:  # a field with a default may be left out
            object.__setattr__(self, "required", False)

    min_len: int = 0
    max_len: int = 10_000
    strip: bool = True
    default: str | None = None
    pattern: str | None = None
    sample: str | None = None

    def schema(self) -> Schema:
        out: Schema = {"type": "string", "maxLength": self.max_len}
        if self.min_len:
            out["minLength"] = self.min_len
        if self.pattern:
            out["pattern"] = self.pattern
        if self.default is not None:
            out["default"] = self.default
        return self.described(_nullable(out, not self.required and self.default is None))

    def example(self) -> Any:
        return self.sample if self.sample is not None else "x" * max(self.min_len, 1)

    def read(self, body: Mapping[str, Any]) -> Any:
        if not self.required and self.default is None:
            return v.optional_text(body, self.name, max_len=self.max_len)
        return v.text(body, self.name, min_len=self.min_len, max_len=self.max_len,
                      strip=self.strip, default=self.default)


@dataclass(frozen=True)
class Name(Text):
    """A name shown next to others' (``validation.name``): printable characters only."""

    min_len: int = 1
    max_len: int = 80

    def read(self, body: Mapping[str, Any]) -> Any:
        return v.name(body, self.name, max_len=self.max_len)


@dataclass(frozen=True)
class Integer(Field):
    def __post_init__(self) -> None:
        if self.default is not None:  # a field with a default may be left out
            object.__setattr__(self, "required", False)

    minimum: int | None = None
    maximum: int | None = None
    default: int | None = None

    def schema(self) -> Schema:
        out: Schema = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.default is not None:
            out["default"] = self.default
        return self.described(_nullable(out, not self.required and self.default is None))

    def example(self) -> Any:
        return self.minimum if self.minimum is not None else 1

    def read(self, body: Mapping[str, Any]) -> Any:
        if not self.required and self.default is None:
            return v.optional_integer(body, self.name, minimum=self.minimum,
                                      maximum=self.maximum)
        return v.integer(body, self.name, minimum=self.minimum, maximum=self.maximum,
                         default=self.default)


@dataclass(frozen=True)
class Boolean(Field):
    def __post_init__(self) -> None:
        if self.default is not None:  # a field with a default may be left out
            object.__setattr__(self, "required", False)

    default: bool | None = None

    def schema(self) -> Schema:
        out: Schema = {"type": "boolean"}
        if self.default is not None:
            out["default"] = self.default
        return self.described(out)

    def example(self) -> Any:
        return True

    def read(self, body: Mapping[str, Any]) -> Any:
        return v.boolean(body, self.name, default=self.default)


@dataclass(frozen=True)
class Choice(Field):
    options: Sequence[str] = ()

    def schema(self) -> Schema:
        return self.described({"type": "string", "enum": list(self.options)})

    def example(self) -> Any:
        return self.options[0]

    def read(self, body: Mapping[str, Any]) -> Any:
        return v.choice(body, self.name, self.options)


@dataclass(frozen=True)
class Identifier(Field):
    def schema(self) -> Schema:
        return self.described({"type": "string", "pattern": ID_PATTERN})

    def example(self) -> Any:
        return "a_0123456789abcdef0123"

    def read(self, body: Mapping[str, Any]) -> Any:
        return v.identifier(body, self.name)


@dataclass(frozen=True)
class StringList(Field):
    max_items: int = 50
    max_len: int = 100
    items: Schema | None = None
    sample: Sequence[str] = ("x",)

    def schema(self) -> Schema:
        items = self.items or {"type": "string", "minLength": 1, "maxLength": self.max_len}
        return self.described({"type": "array", "items": items, "maxItems": self.max_items})

    def example(self) -> Any:
        return list(self.sample)

    def read(self, body: Mapping[str, Any]) -> Any:
        return v.string_list(body, self.name, max_items=self.max_items, max_len=self.max_len)


@dataclass(frozen=True)
class Custom(Field):
    """A field read by the parser's own code; its schema is stated here, beside the others."""

    shape: Schema = field(default_factory=dict)
    sample: Any = None

    def schema(self) -> Schema:
        return self.described(self.shape)

    def example(self) -> Any:
        return self.sample


ID_PATTERN = "^[a-z]{1,4}_[0-9a-f]{8,40}$"


@dataclass(frozen=True)
class Body:
    """A JSON object made of fields; unknown properties are ignored, as the parsers do,
    unless ``closed`` (a parser that refuses them)."""

    fields: tuple[Field, ...]
    description: str = ""
    closed: bool = False  # unknown properties refused (its parser says so) rather than ignored

    def __init__(self, *fields: Field, description: str = "", closed: bool = False) -> None:
        object.__setattr__(self, "fields", fields)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "closed", closed)

    def __getitem__(self, name: str) -> Field:
        for one in self.fields:
            if one.name == name:
                return one
        raise KeyError(name)

    def schema(self) -> Schema:
        out: Schema = {
            "type": "object",
            "properties": {f.name: f.schema() for f in self.fields},
        }
        required = [f.name for f in self.fields if f.required]
        if required:
            out["required"] = required
        if self.description:
            out["description"] = self.description
        if self.closed:
            out["additionalProperties"] = False
        return out

    def example(self) -> dict[str, Any]:
        return {f.name: f.example() for f in self.fields}

    def read(self, payload: object) -> dict[str, Any]:
        """Every field the readers can check, by name (``Custom`` ones are left to the parser)."""
        body = v.require_object(payload)
        return {f.name: f.read(body) for f in self.fields if not isinstance(f, Custom)}
