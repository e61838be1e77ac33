"""Callback requests: when nobody could take a category call, the client leaves one, and
the next expert of the category to come online sees it and may take it (once).

Keys: ``hc:callbacks:<slug>`` (zset of open requests by time), ``hc:callback:<id>``
(hash: client, category, topic, created, taken_by). Requests expire after a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import redis.asyncio as aioredis

from common.errors import Conflict, Invalid, NotFound
from common.ids import new_id
from common.lua import Lua
from common.redisvalues import text_map, text_or_none
from common.schema import Body, Text
from common.timefmt import iso_ms
from marketplace import keys
from marketplace.categories import BY_SLUG

TTL_MS = 24 * 3600 * 1000
MAX_OPEN = 200  # per category: the oldest go first



@dataclass(frozen=True)
class CallbackRequest:
    category: str
    topic: str

    WIRE: ClassVar[Body] = Body(
        Text("category", min_len=1, max_len=40, sample="cooking", description="a category slug"),
        Text("topic", max_len=200, default=""),
    )

    @classmethod
    def parse(cls, payload: object) -> CallbackRequest:
        f = cls.WIRE.read(payload)
        if f["category"] not in BY_SLUG:
            raise Invalid(f"unknown category: {f['category']}", "category")
        return cls(f["category"], f["topic"])


class Callbacks:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._leave = Lua(redis, "marketplace/lua/callback_leave.lua")
        self._take = Lua(redis, "marketplace/lua/callback_take.lua")

    async def leave(self, client_id: str, request: CallbackRequest) -> dict[str, Any]:
        request_id = new_id("cb")
        reply = await self._leave(
            keys={"open": keys.callbacks(request.category), "request": keys.callback(request_id)},
            args={"id": request_id, "client": client_id, "category": request.category,
                  "topic": request.topic, "ttl_ms": TTL_MS, "most": MAX_OPEN},
        )
        if text_or_none(reply[0]) == "err":
            raise Conflict("you already have an open callback request in this category")
        return {"id": request_id, "category": request.category, "topic": request.topic,
                "created_at": iso_ms(int(reply[1]))}

    async def open_in(self, categories: list[str]) -> list[dict[str, Any]]:
        """Open requests in these categories, oldest first."""
        found = []
        for slug in categories:
            for raw_id in await self._redis.zrange(keys.callbacks(slug), 0, -1):
                fields = text_map(await self._redis.hgetall(keys.callback(str(raw_id))))
                if fields:
                    found.append(fields)
        found.sort(key=lambda f: int(f["created_at"]))
        return [{"id": f["id"], "client_id": f["client_id"], "category": f["category"],
                 "topic": f["topic"], "created_at": iso_ms(int(f["created_at"]))} for f in found]

    async def client_of(self, request_id: str) -> str | None:
        """Who asked for this callback (None when there is no such request)."""
        return text_or_none(await self._redis.hget(keys.callback(request_id), "client_id"))

    async def take(
        self, request_id: str, expert_id: str, open_categories: list[str]
    ) -> dict[str, str]:
        fields = text_map(await self._redis.hgetall(keys.callback(request_id)))
        if not fields or fields["category"] not in open_categories:
            raise NotFound("no such callback request")
        taken = await self._take(
            keys={"open": keys.callbacks(fields["category"]),
                  "request": keys.callback(request_id)},
            args={"id": request_id, "expert": expert_id},
        )
        if not taken:
            raise Conflict("another expert already took this request")
        return fields
