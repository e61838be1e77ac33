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
from common.redisvalues import text_map, text_or_none
from common.schema import Body, Text
from common.timefmt import iso_ms
from marketplace import keys
from marketplace.categories import BY_SLUG

TTL_MS = 24 * 3600 * 1000
MAX_OPEN = 200  # per category: the oldest go first

_LEAVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[5]))
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('HGET', 'hc:{0}:callback:' .. id, 'client_id') == ARGV[2] then
    return {'err', 'conflict'}
  end
end
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'client_id', ARGV[2], 'category', ARGV[3],
           'topic', ARGV[4], 'created_at', now, 'taken_by', '')
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[6]) - 1)
return {'ok', now}
"""

# Taking is atomic: two experts pressing at once, one gets it.
_TAKE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'taken_by', ARGV[2])
return 1
"""


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
        self._leave = redis.register_script(_LEAVE)
        self._take = redis.register_script(_TAKE)

    async def leave(self, client_id: str, request: CallbackRequest) -> dict[str, Any]:
        request_id = new_id("cb")
        reply = await self._leave(
            keys=[keys.callbacks(request.category), keys.callback(request_id)],
            args=[request_id, client_id, request.category, request.topic, TTL_MS, MAX_OPEN],
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

    async def take(
        self, request_id: str, expert_id: str, open_categories: list[str]
    ) -> dict[str, str]:
        fields = text_map(await self._redis.hgetall(keys.callback(request_id)))
        if not fields or fields["category"] not in open_categories:
            raise NotFound("no such callback request")
        taken = await self._take(
            keys=[keys.callbacks(fields["category"]), keys.callback(request_id)],
            args=[request_id, expert_id],
        )
        if not taken:
            raise Conflict("another expert already took this request")
        return fields
