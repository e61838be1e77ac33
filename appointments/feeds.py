"""Private calendar feed tokens: one per account, random, replaced (and so revoked) on demand.

Keys: ``hc:calendar:token:<token>`` -> account, ``hc:calendar:account:<account>`` -> token.
"""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

from common.redisvalues import text_or_none

# KEYS: the new token's key, the account's key. ARGV: account, new token. The old token
# goes in the same step, so no moment has two valid feed URLs.
_ROTATE = """
local old = redis.call('GET', KEYS[2])
if old then redis.call('DEL', 'hc:{0}:calendar:token:' .. old) end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return old or ''
"""


def token_key(token: str) -> str:
    return f"hc:{{0}}:calendar:token:{token}"


def account_token_key(account_id: str) -> str:
    return f"hc:{{0}}:calendar:account:{account_id}"


class FeedTokens:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._rotate = redis.register_script(_ROTATE)

    async def rotate(self, account_id: str) -> str:
        token = secrets.token_urlsafe(24)
        await self._rotate(keys=[token_key(token), account_token_key(account_id)],
                           args=[account_id, token])
        return token

    async def account_of(self, token: str) -> str | None:
        return text_or_none(await self._redis.get(token_key(token)))
