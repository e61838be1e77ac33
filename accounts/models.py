"""Account records and the sign-up / log-in messages, validating themselves."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from common import validation as v
from common.errors import Invalid
from common.schema import Body, Choice, Custom, Name, Text
from common.timefmt import iso_ms

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
# Mail a person may turn off (docs/mail.md); security and transactional mail always goes.
MAIL_TOPICS = ("reminders", "notices")


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
    language: str = DEFAULT_LANGUAGE
    email_verified: bool = False
    mail_off: frozenset[str] = frozenset()

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "display_name": self.display_name,
            "role": self.role.value,
            "created_at": iso_ms(self.created_at_ms),
            "language": self.language,
            "email_verified": self.email_verified,
            "mail_preferences": {topic: topic not in self.mail_off for topic in MAIL_TOPICS},
        }


def language_from_header(accept_language: str | None) -> str:
    """The best of our languages in an ``Accept-Language`` header (q-values honoured)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def _language(body: Mapping[str, Any]) -> str | None:
    if body.get("language") is None:
        return None
    return v.choice(body, "language", LANGUAGES)


EMAIL = Text("email", max_len=254, sample="ada@example.test", description="an email address")
PASSWORD = Text("password", min_len=8, max_len=1024, strip=False, sample="correct horse")
NEW_PASSWORD = Text("new_password", min_len=8, max_len=1024, strip=False,
                    sample="a new correct horse")
LANGUAGE = Custom("language", required=False, sample="fr",
                  shape={"type": ["string", "null"], "enum": [*LANGUAGES, None]},
                  description="en or fr; by default the browser's Accept-Language")


@dataclass(frozen=True)
class SignUp:
    email: str
    password: str
    display_name: str
    role: Role
    language: str | None = None  # None: the edge takes it from Accept-Language

    WIRE: ClassVar[Body] = Body(
        EMAIL, PASSWORD, Name("display_name"),
        Choice("role", options=(Role.CLIENT.value, Role.EXPERT.value)), LANGUAGE,
    )

    @classmethod
    def parse(cls, payload: object) -> SignUp:
        f = cls.WIRE.read(payload)
        return cls(
            email=normalise_email(f["email"]),
            password=f["password"],
            display_name=f["display_name"],
            role=Role(f["role"]),
            language=_language(v.require_object(payload)),
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


@dataclass(frozen=True)
class AccountUpdate:
    """``PATCH /me``: the language, and which optional mail to receive."""

    language: str | None
    mail_preferences: dict[str, bool]

    WIRE: ClassVar[Body] = Body(
        LANGUAGE,
        Custom("mail_preferences", required=False, sample={"reminders": False},
               shape={"type": "object",
                      "properties": {topic: {"type": "boolean"} for topic in MAIL_TOPICS},
                      "additionalProperties": False}),
        closed=True,
    )

    @classmethod
    def parse(cls, payload: object) -> AccountUpdate:
        body = v.require_object(payload)
        for name in body:
            if name not in ("language", "mail_preferences"):
                raise Invalid(f"unknown field: {name}", name)
        prefs: dict[str, bool] = {}
        raw = body.get("mail_preferences")
        if raw is not None:
            if not isinstance(raw, dict):
                raise Invalid("mail_preferences must be an object", "mail_preferences")
            for topic, wanted in raw.items():
                if topic not in MAIL_TOPICS:
                    raise Invalid(f"mail_preferences: {topic} is not one of "
                                  f"{', '.join(MAIL_TOPICS)}", "mail_preferences")
                if not isinstance(wanted, bool):
                    raise Invalid(f"mail_preferences.{topic} must be true or false",
                                  f"mail_preferences.{topic}")
                prefs[topic] = wanted
        return cls(_language(body), prefs)


@dataclass(frozen=True)
class PasswordChange:
    current_password: str
    new_password: str

    WIRE: ClassVar[Body] = Body(
        Text("current_password", min_len=1, max_len=1024, strip=False, sample="correct horse"),
        NEW_PASSWORD,
    )

    @classmethod
    def parse(cls, payload: object) -> PasswordChange:
        f = cls.WIRE.read(payload)
        return cls(current_password=f["current_password"], new_password=f["new_password"])


@dataclass(frozen=True)
class ResetRequest:
    email: str

    WIRE: ClassVar[Body] = Body(EMAIL)

    @classmethod
    def parse(cls, payload: object) -> ResetRequest:
        return cls(normalise_email(cls.WIRE.read(payload)["email"]))


@dataclass(frozen=True)
class NewPassword:
    new_password: str

    WIRE: ClassVar[Body] = Body(NEW_PASSWORD)

    @classmethod
    def parse(cls, payload: object) -> NewPassword:
        return cls(cls.WIRE.read(payload)["new_password"])
