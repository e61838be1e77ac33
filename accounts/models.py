"""Account records and the sign-up / log-in messages, validating themselves."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from common.errors import Invalid
from common.schema import Body, Choice, Name, Text
from common.timefmt import iso_ms

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Role(StrEnum):
    CLIENT = "client"
    EXPERT = "expert"
    ADMIN = "admin"


def normalise_email(raw: str) -> str:
    email = unicodedata.normalize("NFC", raw.strip()).lower()
    hidden = any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in email)
    if len(email) > 254 or hidden or not _EMAIL.match(email):
        raise Invalid("email is not a valid address", "email")
    return email


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    display_name: str
    role: Role
    created_at_ms: int

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "display_name": self.display_name,
            "role": self.role.value,
            "created_at": iso_ms(self.created_at_ms),
        }


EMAIL = Text("email", max_len=254, sample="ada@example.test", description="an email address")
PASSWORD = Text("password", min_len=8, max_len=1024, strip=False, sample="correct horse")


@dataclass(frozen=True)
class SignUp:
    email: str
    password: str
    display_name: str
    role: Role

    WIRE: ClassVar[Body] = Body(
        EMAIL, PASSWORD, Name("display_name"),
        Choice("role", options=(Role.CLIENT.value, Role.EXPERT.value)),
    )

    @classmethod
    def parse(cls, payload: object) -> SignUp:
        f = cls.WIRE.read(payload)
        return cls(
            email=normalise_email(f["email"]),
            password=f["password"],
            display_name=f["display_name"],
            role=Role(f["role"]),
        )


@dataclass(frozen=True)
class LogIn:
    email: str
    password: str

    WIRE: ClassVar[Body] = Body(
        EMAIL, Text("password", min_len=1, max_len=1024, strip=False, sample="correct horse"))

    @classmethod
    def parse(cls, payload: object) -> LogIn:
        f = cls.WIRE.read(payload)
        return cls(email=normalise_email(f["email"]), password=f["password"])


def _password(body: Mapping[str, Any]) -> str:
    return str(PASSWORD.read(body))
