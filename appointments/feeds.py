"""Private calendar feed tokens: one per account, random, replaced (and so revoked) on demand.

Keys: ``hc:calendar:token:<token>`` -> account, ``hc:calendar:account:<account>`` -> token.
"""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

from common.lua import Lua
from common.redisvalues import text_or_none


def token_key(token: str) -> str:
    return f"hc:{{0}}:calendar:token:{token}"


def account_token_key(account_id: str) -> str:
    return f"hc:{{0}}:calendar:account:{account_id}"


class FeedTokens:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._rotate = Lua(redis, "appointments/lua/feed_rotate.lua")

    async def rotate(self, account_id: str) -> str:
        token = secrets.token_urlsafe(24)
        await self._rotate(keys={"token": token_key(token),
                                 "account": account_token_key(account_id)},
                           args={"account_id": account_id, "token_value": token})
        return token

    async def account_of(self, token: str) -> str | None:
        return text_or_none(await self._redis.get(token_key(token)))
