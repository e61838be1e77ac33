"""Verification of experts for categories that require it (``health``).

An expert submits evidence; an admin approves or rejects it. Approval opens the category to
the expert at once (it joins their hash's ``verified``, in their slot, and the category's
index follows if the profile asks for it: steps recorded by the decision's own script,
marketplace/index.py). Every decision is kept on the request, appended to a log stream
(who, when, decision, note) and logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

import redis.asyncio as aioredis

from common import faults
from common import validation as v
from common.errors import Invalid
from common.ids import new_id
from common.lua import Lua
from common.redisvalues import text_map, text_or_none
from common.schema import Body, Choice, Text
from common.timefmt import iso_ms, iso_ms_or_none
from marketplace import keys
from marketplace.categories import BY_SLUG, CATEGORIES
from marketplace.errors import AlreadyDone, NoSuchVerification
from marketplace.index import ExpertIndex
from marketplace.listing import Page

log = logging.getLogger(__name__)

MAX_EVIDENCE = 2000
MAX_NOTE = 2000


class VerificationState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"




@dataclass(frozen=True)
class VerificationRequest:
    category: str
    evidence: str

    WIRE: ClassVar[Body] = Body(
        Choice("category", options=tuple(c.slug for c in CATEGORIES if c.requires_verification),
               description="a category that requires verification"),
        Text("evidence", min_len=1, max_len=MAX_EVIDENCE),
    )

    @classmethod
    def parse(cls, payload: object) -> VerificationRequest:
        body = v.require_object(payload)
        category = v.choice(body, "category", list(BY_SLUG))
        if not BY_SLUG[category].requires_verification:
            raise Invalid(f"{category} needs no verification", "category")
        return cls(category, cls.WIRE["evidence"].read(body))


@dataclass(frozen=True)
class Decision:
    approve: bool
    note: str

    WIRE: ClassVar[Body] = Body(Choice("decision", options=("approve", "reject")),
                                Text("note", max_len=MAX_NOTE, default=""))

    @classmethod
    def parse(cls, payload: object) -> Decision:
        f = cls.WIRE.read(payload)
        return cls(f["decision"] == "approve", f["note"])

    @property
    def state(self) -> VerificationState:
        return VerificationState.APPROVED if self.approve else VerificationState.REJECTED


def _public(fields: dict[str, str]) -> dict[str, Any]:
    decided_at = fields.get("decided_at_ms")
    return {
        "id": fields["id"],
        "expert": {"id": fields["expert_id"], "display_name": fields["display_name"]},
        "category": fields["category"],
        "evidence": fields["evidence"],
        "state": fields["state"],
        "created_at": iso_ms(int(fields["created_at_ms"])),
        "decided_by": fields.get("decided_by"),
        "decided_at": iso_ms_or_none(int(decided_at) if decided_at else None),
        "note": fields.get("note"),
    }


class Verifications:
    def __init__(self, redis: aioredis.Redis, index: ExpertIndex) -> None:
        self._redis = redis
        self._index = index
        self._submit = Lua(redis, "marketplace/lua/verification_submit.lua")
        self._decide = Lua(redis, "marketplace/lua/verification_decide.lua")

    async def submit(self, expert_id: str, display_name: str,
                     request: VerificationRequest) -> dict[str, Any]:
        verified = text_or_none(await self._redis.hget(keys.expert(expert_id), "verified"))
        if request.category in (verified or "").split(","):
            raise AlreadyDone(f"you are already verified for {request.category}")
        request_id = new_id("v")
        status, existing = await self._submit(
            keys={"request": keys.verification(request_id),
                  "pending": keys.verifications_in("pending"),
                  "open_pairs": keys.open_verifications(),
                  "expert_requests": keys.expert_verifications(expert_id)},
            args={"id": request_id, "expert": expert_id, "display_name": display_name,
                  "category": request.category, "evidence": request.evidence})
        if text_or_none(status) == "pending":
            raise AlreadyDone(f"a request for {request.category} is already pending "
                              f"({text_or_none(existing)})")
        log.info("expert %s asks to be verified for %s (%s)", expert_id, request.category,
                 request_id)
        return await self.get(request_id)

    async def get(self, request_id: str) -> dict[str, Any]:
        fields = text_map(await self._redis.hgetall(keys.verification(request_id)))
        if not fields:
            raise NoSuchVerification()
        return _public(fields)

    async def decide(self, request_id: str, admin_id: str, decision: Decision) -> dict[str, Any]:
        fields = text_map(await self._redis.hgetall(keys.verification(request_id)))
        if not fields:
            raise NoSuchVerification()
        # Expert and category never change once written: the script re-checks the state.
        expert_id, category = fields["expert_id"], fields["category"]
        intent = self._index.approval(expert_id, category)
        answer = text_or_none(await self._decide(
            keys={"request": keys.verification(request_id),
                  "pending": keys.verifications_in("pending"),
                  "decided": keys.verifications_in(decision.state.value),
                  "open_pairs": keys.open_verifications(), "saving": keys.SAVING,
                  "log": keys.VERIFICATION_LOG},
            args={"decision": decision.state.value, "admin": admin_id,
                  "note": decision.note, "intent": intent,
                  "lease_ms": self._index.lease_ms}))
        if answer == "not_found":
            raise NoSuchVerification()
        if answer == "decided":
            raise AlreadyDone("this request has already been decided")
        if decision.approve:
            faults.reached("verification.decided")
            await self._index.finish(intent)
        log.info("verification %s: admin %s %s expert %s for %s (note: %r)", request_id,
                 admin_id, decision.state.value, expert_id, category, decision.note)
        return await self.get(request_id)

    async def in_state(self, state: VerificationState,
                       page: Page) -> tuple[list[dict[str, Any]], int]:
        """Requests in a state, oldest first (the queue an admin works through)."""
        return await self._page(keys.verifications_in(state.value), page)

    async def of_expert(self, expert_id: str, page: Page) -> tuple[list[dict[str, Any]], int]:
        """An expert's own requests, oldest first, with the decisions and notes."""
        return await self._page(keys.expert_verifications(expert_id), page)

    async def _page(self, key: str, page: Page) -> tuple[list[dict[str, Any]], int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zrange(key, page.start, page.start + page.per_page - 1)
            pipe.zcard(key)
            ids, total = await pipe.execute()
        async with self._redis.pipeline(transaction=False) as pipe:
            for request_id in ids:
                pipe.hgetall(keys.verification(str(request_id)))
            rows = await pipe.execute()
        return [_public(text_map(row)) for row in rows if row], int(total)

    async def log_entries(self, count: int = 100) -> list[dict[str, str]]:
        """The newest decisions first, as logged."""
        rows = await self._redis.xrevrange(keys.VERIFICATION_LOG, count=count) or []
        return [text_map(fields or {}) for _, fields in rows]
