"""A brand and the messages that create and change it, validating themselves."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from brands.contrast import require_readable
from common import validation as v
from common.errors import Invalid
from common.schema import (
    ID_PATTERN,
    Body,
    Boolean,
    Custom,
    Field,
    Integer,
    StringList,
    Text,
)
from common.timefmt import iso_ms

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A logo is ours (an upload, a path on this site) or an https image: never a script URL,
# and nothing that could close the attribute it is written into.
_LOGO_URL = re.compile(r"^(?:https://|/)[^\s\"'<>\\`]{1,500}$")
_WEBHOOK_URL = re.compile(r"^https?://[^\s\"'<>\\`]{1,1000}$")
MAX_WELCOME = 500
DEFAULT_PRIMARY = "#1f6feb"
DEFAULT_ACCENT = "#ffffff"
# A brand's calls queue as the category ``brand:<id>`` (sessions and the router see a name).
QUEUE_PREFIX = "brand:"

SLUG = Custom("slug", shape={"type": "string", "pattern": v.SLUG.pattern}, sample="acme")


def _colour_field(name: str, default: str | None) -> Field:
    shape = {"type": "string", "pattern": _COLOUR.pattern}
    # The samples are the defaults: a readable pair (brands/contrast.py).
    return Custom(name, required=False, sample=default or DEFAULT_PRIMARY,
                  shape={**shape, "default": default} if default else shape)


# The page and money fields, shared by creation and change.
_PAGE_FIELDS: tuple[Field, ...] = (
    Text("name", min_len=1, max_len=80),
    Custom("logo_url", required=False, sample="/static/logo.png",
           shape={"type": ["string", "null"], "maxLength": 501,
                  "description": "an https:// URL or a path on this site; empty: none"}),
    _colour_field("primary_colour", DEFAULT_PRIMARY),
    _colour_field("accent_colour", DEFAULT_ACCENT),
    Text("welcome", max_len=MAX_WELCOME, default=""),
    Integer("fee_percent", required=False, minimum=0, maximum=100,
            description="platform admins only; absent: the platform's fee"),
    Boolean("sponsored", default=False, description="the brand pays for its calls"),
)


def _colour(body: Mapping[str, Any], field: str, default: str | None) -> str | None:
    value = body.get(field, default)
    if value is None:
        return None
    if not isinstance(value, str) or not _COLOUR.match(value):
        raise Invalid(f"{field} must be a hex colour like #1f6feb", field)
    return value.lower()


def _logo(body: Mapping[str, Any]) -> str | None:
    value = body.get("logo_url")
    if value is None or value == "":
        return None if value is None else ""
    if not isinstance(value, str) or not _LOGO_URL.match(value) or value.startswith("//"):
        raise Invalid("logo_url must be an https:// URL or a path on this site", "logo_url")
    return value


def _fee(body: Mapping[str, Any]) -> int | None:
    return v.optional_integer(body, "fee_percent", minimum=0, maximum=100)


def brand_of_queue(category: str) -> str | None:
    """The brand whose queue this category is, or None for a platform category."""
    return category[len(QUEUE_PREFIX):] if category.startswith(QUEUE_PREFIX) else None


@dataclass(frozen=True)
class Brand:
    id: str
    slug: str
    name: str
    logo_url: str
    primary_colour: str
    accent_colour: str
    welcome: str
    fee_percent: int | None  # None: the platform's fee
    sponsored: bool  # the brand pays its calls; the client pays nothing
    webhook_url: str
    created_at_ms: int

    @property
    def queue(self) -> str:
        """The queue (a session's ``category``) of the brand's calls."""
        return f"{QUEUE_PREFIX}{self.id}"

    @classmethod
    def from_hash(cls, fields: Mapping[str, str]) -> Brand:
        return cls(
            id=fields["id"],
            slug=fields["slug"],
            name=fields["name"],
            logo_url=fields.get("logo_url", ""),
            primary_colour=fields.get("primary_colour", DEFAULT_PRIMARY),
            accent_colour=fields.get("accent_colour", DEFAULT_ACCENT),
            welcome=fields.get("welcome", ""),
            fee_percent=int(fields["fee_percent"]) if fields.get("fee_percent") else None,
            sponsored=fields.get("sponsored") == "1",
            webhook_url=fields.get("webhook_url", ""),
            created_at_ms=int(fields.get("created_at", 0)),
        )

    def public(self) -> dict[str, Any]:
        """What anybody may see (the branded page's data)."""
        return {
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "logo_url": self.logo_url or None,
            "primary_colour": self.primary_colour,
            "accent_colour": self.accent_colour,
            "welcome": self.welcome,
            "sponsored": self.sponsored,
        }

    def private(self) -> dict[str, Any]:
        """What the brand's admins (and platform admins) see."""
        return {
            **self.public(),
            "fee_percent": self.fee_percent,
            "webhook_url": self.webhook_url or None,
            "created_at": iso_ms(self.created_at_ms),
        }


@dataclass(frozen=True)
class BrandCreate:
    slug: str
    name: str
    logo_url: str
    primary_colour: str
    accent_colour: str
    welcome: str
    fee_percent: int | None
    sponsored: bool
    admins: list[str]

    WIRE: ClassVar[Body] = Body(
        SLUG, *_PAGE_FIELDS,
        StringList("admins", required=False, sample=(), items={"type": "string",
                                                              "pattern": ID_PATTERN}),
    )

    @classmethod
    def parse(cls, payload: object) -> BrandCreate:
        body = v.require_object(payload)
        admins = v.string_list(body, "admins") if body.get("admins") is not None else []
        for account_id in admins:
            v.identifier({"admins": account_id}, "admins")
        created = cls(
            slug=v.read_slug(body.get("slug")),
            name=v.name(body, "name"),
            logo_url=_logo(body) or "",
            primary_colour=_colour(body, "primary_colour", DEFAULT_PRIMARY) or DEFAULT_PRIMARY,
            accent_colour=_colour(body, "accent_colour", DEFAULT_ACCENT) or DEFAULT_ACCENT,
            welcome=v.text(body, "welcome", max_len=MAX_WELCOME, default=""),
            fee_percent=_fee(body),
            sponsored=v.boolean(body, "sponsored", default=False),
            admins=admins,
        )
        require_readable(created.primary_colour, created.accent_colour)
        return created

    def fields(self) -> dict[str, str]:
        return {
            "slug": self.slug, "name": self.name, "logo_url": self.logo_url,
            "primary_colour": self.primary_colour, "accent_colour": self.accent_colour,
            "welcome": self.welcome,
            "fee_percent": "" if self.fee_percent is None else str(self.fee_percent),
            "sponsored": "1" if self.sponsored else "0",
        }


@dataclass(frozen=True)
class BrandUpdate:
    """A partial change of the page and money rules; absent fields stay as they are."""

    changes: dict[str, str]
    changes_fee: bool

    WIRE: ClassVar[Body] = Body(
        *(Custom(f.name, required=False, shape=f.schema(), sample=f.example())
          for f in _PAGE_FIELDS),
        description="at least one field; absent fields stay as they are",
    )

    @classmethod
    def parse(cls, payload: object) -> BrandUpdate:
        body = v.require_object(payload)
        changes: dict[str, str] = {}
        if "name" in body:
            changes["name"] = v.name(body, "name")
        if "logo_url" in body:
            changes["logo_url"] = _logo(body) or ""
        for field in ("primary_colour", "accent_colour"):
            if field in body:
                changes[field] = _colour(body, field, None) or ""
                if not changes[field]:
                    raise Invalid(f"{field} must be a hex colour like #1f6feb", field)
        if "welcome" in body:
            changes["welcome"] = v.text(body, "welcome", max_len=MAX_WELCOME, default="")
        if "sponsored" in body:
            changes["sponsored"] = "1" if v.boolean(body, "sponsored") else "0"
        if "fee_percent" in body:
            fee = _fee(body)
            changes["fee_percent"] = "" if fee is None else str(fee)
        if not changes:
            raise Invalid("nothing to change")
        return cls(changes, "fee_percent" in changes)

    def require_readable(self, current: Brand) -> None:
        """The colours after this change must still be readable together."""
        if "primary_colour" in self.changes or "accent_colour" in self.changes:
            require_readable(self.changes.get("primary_colour", current.primary_colour),
                             self.changes.get("accent_colour", current.accent_colour))


@dataclass(frozen=True)
class WebhookSettings:
    url: str  # "" removes the webhook
    secret: str | None  # None: keep the current one, or make one

    WIRE: ClassVar[Body] = Body(
        Text("url", max_len=1000, default="", pattern=_WEBHOOK_URL.pattern + "|^$",
             sample="https://hooks.example.test/helpcall",
             description="empty: no webhook"),
        Text("secret", required=False, min_len=16, max_len=200, sample="s" * 16,
             description="absent: keep the current one, or make one"),
    )

    @classmethod
    def parse(cls, payload: object) -> WebhookSettings:
        body = v.require_object(payload)
        url = v.text(body, "url", max_len=1000, default="")
        if url and not _WEBHOOK_URL.match(url):
            raise Invalid("url must be an https:// URL", "url")
        secret = v.optional_text(body, "secret", max_len=200)
        if secret is not None and len(secret) < 16:
            raise Invalid("secret must have at least 16 characters", "secret")
        return cls(url, secret)


@dataclass(frozen=True)
class KeyRequest:
    name: str

    WIRE: ClassVar[Body] = Body(Text("name", max_len=80, default=""))

    @classmethod
    def parse(cls, payload: object) -> KeyRequest:
        return cls(cls.WIRE.read(payload)["name"])
