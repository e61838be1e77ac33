"""Reports: one person tells the admins about another (during or after a call, or from a
profile); the admins read them in the moderation queue and close them with a note.

A report names the reported account, a reason from a closed set and a text; with a
``session_id`` the reporter and the reported must be its two parties.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, cast

import redis.asyncio as aioredis

from common import validation as v
from common.errors import Conflict, Invalid
from common.ids import new_id
from common.redisvalues import text_map, text_or_none
from common.schema import ID_PATTERN, Body, Choice, Custom, Identifier, Text
from common.timefmt import iso_ms
from trust import keys
from trust.errors import NoSuchReport

MAX_TEXT = 2000
LISTED = 200


class ReportReason(StrEnum):
    HARASSMENT = "harassment"
    INAPPROPRIATE = "inappropriate"  # sexual, violent or hateful content or behaviour
    FRAUD = "fraud"  # scams, asking to pay outside helpcall
    SPAM = "spam"
    NO_SHOW = "no_show"
    OTHER = "other"


@dataclass(frozen=True)
class ReportRequest:
    account_id: str
    reason: ReportReason
    text: str
    session_id: str | None

    WIRE: ClassVar[Body] = Body(
        Identifier("account_id", description="the account reported"),
        Choice("reason", options=tuple(ReportReason)),
        Text("text", min_len=1, max_len=MAX_TEXT),
        Custom("session_id", required=False, sample=None,
               shape={"type": ["string", "null"], "pattern": ID_PATTERN},
               description="the call it happened in, if any"),
    )

    @classmethod
    def parse(cls, payload: object) -> ReportRequest:
        body = v.require_object(payload)
        f = cls.WIRE.read(body)
        session_id = v.identifier(body, "session_id") if body.get("session_id") else None
        return cls(f["account_id"], ReportReason(f["reason"]), f["text"], session_id)


@dataclass(frozen=True)
class CloseRequest:
    note: str

    WIRE: ClassVar[Body] = Body(Text("note", max_len=MAX_TEXT, default=""))

    @classmethod
    def parse(cls, payload: object) -> CloseRequest:
        return cls(cls.WIRE.read(payload)["note"])


def public(fields: dict[str, str]) -> dict[str, Any]:
    return {
        "id": fields["id"], "state": fields["state"], "reporter_id": fields["reporter_id"],
        "account_id": fields["account_id"], "reason": fields["reason"], "text": fields["text"],
        "session_id": fields.get("session_id") or None,
        "created_at": iso_ms(int(fields["created_ms"])),
        "closed_at": iso_ms(int(fields["closed_ms"])) if fields.get("closed_ms") else None,
        "closed_by": fields.get("closed_by") or None, "note": fields.get("note") or None,
    }


class Reports:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def _now_ms(self) -> int:
        seconds, micros = await self._redis.time()
        return int(seconds) * 1000 + int(micros) // 1000

    async def create(self, reporter_id: str, request: ReportRequest) -> dict[str, Any]:
        if request.account_id == reporter_id:
            raise Invalid("you cannot report yourself", "account_id")
        report_id = new_id("rep")
        now = await self._now_ms()
        fields = {"id": report_id, "state": "open", "reporter_id": reporter_id,
                  "account_id": request.account_id, "reason": request.reason.value,
                  "text": request.text, "session_id": request.session_id or "",
                  "created_ms": str(now)}
        await self._redis.hset(keys.report(report_id), mapping=cast(Any, fields))
        await self._redis.zadd(keys.reports_in("open"), {report_id: now})
        return public(fields)

    async def get(self, report_id: str) -> dict[str, str]:
        fields = text_map(await self._redis.hgetall(keys.report(report_id)))
        if not fields:
            raise NoSuchReport()
        return fields

    async def close(self, report_id: str, admin_id: str, note: str) -> dict[str, Any]:
        fields = await self.get(report_id)
        if fields["state"] != "open":
            raise Conflict("this report is closed already")
        now = await self._now_ms()
        changes = {"state": "closed", "closed_ms": str(now), "closed_by": admin_id,
                   "note": note}
        await self._redis.hset(keys.report(report_id), mapping=cast(Any, changes))
        # The hash says closed first: a crash here leaves it listed as open, closed again.
        await self._redis.zrem(keys.reports_in("open"), report_id)
        await self._redis.zadd(keys.reports_in("closed"), {report_id: int(fields["created_ms"])})
        return public({**fields, **changes})

    async def listed(self, state: str, limit: int = LISTED) -> list[dict[str, Any]]:
        ids = await self._redis.zrevrange(keys.reports_in(state), 0, limit - 1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for report_id in ids:
                pipe.hgetall(keys.report(str(text_or_none(report_id))))
            rows = await pipe.execute()
        return [public(text_map(row)) for row in rows if row]
