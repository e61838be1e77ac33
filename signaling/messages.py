"""Client-to-server payloads of protocol §3, each a small dataclass that validates itself."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from common import validation as v
from common.errors import Invalid
from sessions.agreed import expected_pricing, no_single_price
from sessions.pricing import Pricing
from signaling.errors import PayloadTooLarge

MAX_SDP_BYTES = 64 * 1024
MAX_CANDIDATE_BYTES = 4 * 1024
MAX_TOPIC_CHARS = 200
MAX_CHAT_CHARS = 2000


@dataclass(frozen=True)
class PresenceRequest:
    status: str

    @classmethod
    def parse(cls, payload: object) -> PresenceRequest:
        return cls(v.choice(v.require_object(payload), "status", ("online", "offline")))


@dataclass(frozen=True)
class CallStart:
    topic: str
    expert_id: str | None = None
    category: str | None = None
    max_rate_cents: int | None = None
    # The price the client was shown (protocol §7.2); None from clients that send none.
    expected_pricing: Pricing | None = None

    @classmethod
    def parse(cls, payload: object) -> CallStart:
        body = v.require_object(payload)
        topic = v.text(body, "topic", max_len=MAX_TOPIC_CHARS, default="")
        if body.get("expert_id") is not None:
            return cls(topic, expert_id=v.identifier(body, "expert_id"),
                       expected_pricing=expected_pricing(body))
        no_single_price(body)
        if body.get("category") is not None:
            return cls(
                topic,
                category=v.text(body, "category", min_len=1, max_len=40),
                max_rate_cents=v.optional_integer(body, "max_rate_cents", minimum=0),
            )
        raise Invalid("expert_id or category is required", "expert_id")


@dataclass(frozen=True)
class SessionRef:
    """Every event that names only a session: accept, decline, cancel, join, hangup."""

    session_id: str

    @classmethod
    def parse(cls, payload: object) -> SessionRef:
        return cls(v.identifier(v.require_object(payload), "session_id"))


@dataclass(frozen=True)
class BookingRef:
    booking_id: str

    @classmethod
    def parse(cls, payload: object) -> BookingRef:
        return cls(v.identifier(v.require_object(payload), "booking_id"))


@dataclass(frozen=True)
class Signal:
    session_id: str
    description: dict[str, Any] | None
    candidate: dict[str, Any] | None
    is_candidate: bool

    @classmethod
    def parse(cls, payload: object) -> Signal:
        body = v.require_object(payload)
        session_id = v.identifier(body, "session_id")
        if "description" in body:
            return cls(session_id, _description(body["description"]), None, False)
        if "candidate" in body:
            return cls(session_id, None, _candidate(body["candidate"]), True)
        raise Invalid("description or candidate is required", "description")

    def relayed(self, sender_id: str) -> dict[str, Any]:
        """The payload the other participant receives: exactly what was sent, plus ``from``."""
        if self.is_candidate:
            return {"session_id": self.session_id, "from": sender_id, "candidate": self.candidate}
        return {"session_id": self.session_id, "from": sender_id, "description": self.description}


def _description(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid("description must be an object", "description")
    kind, sdp = value.get("type"), value.get("sdp", "")
    if kind not in ("offer", "answer", "pranswer", "rollback"):
        raise Invalid("description.type must be offer, answer, pranswer or rollback",
                      "description.type")
    if not isinstance(sdp, str):
        raise Invalid("description.sdp must be a string", "description.sdp")
    if len(sdp.encode()) > MAX_SDP_BYTES:
        raise PayloadTooLarge(f"description.sdp is over {MAX_SDP_BYTES} bytes")
    return value


def _candidate(value: object) -> dict[str, Any] | None:
    # null, or an empty candidate string, marks the end of candidates: relayed as is.
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid("candidate must be an object or null", "candidate")
    text = value.get("candidate", "")
    if not isinstance(text, str):
        raise Invalid("candidate.candidate must be a string", "candidate.candidate")
    if len(json.dumps(value)) > MAX_CANDIDATE_BYTES:
        raise PayloadTooLarge(f"candidate is over {MAX_CANDIDATE_BYTES} bytes")
    return value


@dataclass(frozen=True)
class MediaReport:
    session_id: str
    state: str

    @classmethod
    def parse(cls, payload: object) -> MediaReport:
        body = v.require_object(payload)
        return cls(
            v.identifier(body, "session_id"),
            v.choice(body, "state", ("connected", "disconnected")),
        )


@dataclass(frozen=True)
class ChatMessage:
    session_id: str
    text: str

    @classmethod
    def parse(cls, payload: object) -> ChatMessage:
        body = v.require_object(payload)
        # Counted in code points (protocol §3); surrounding blanks are kept as typed.
        text = v.text(body, "text", min_len=1, max_len=MAX_CHAT_CHARS, strip=False)
        if not text.strip():
            raise Invalid("text must not be blank", "text")
        return cls(v.identifier(body, "session_id"), text)


@dataclass(frozen=True)
class BrandCall:
    """``call:start {brand: "<slug>", topic, max_rate_cents?}``: a call for a brand's experts."""

    brand: str
    topic: str
    max_rate_cents: int | None

    @classmethod
    def parse(cls, payload: object) -> BrandCall:
        body = v.require_object(payload)
        no_single_price(body)
        return cls(
            brand=v.read_slug(body.get("brand"), "brand"),
            topic=v.text(body, "topic", max_len=MAX_TOPIC_CHARS, default=""),
            max_rate_cents=v.optional_integer(body, "max_rate_cents", minimum=0),
        )

    @staticmethod
    def wanted(payload: object) -> bool:
        return isinstance(payload, Mapping) and payload.get("brand") is not None
