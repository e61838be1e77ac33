"""Private calendar feed tokens: one per account, random, replaced (and so revoked) on demand.

Keys, each in its owner's slot: ``hc:{f:<token>}:feed`` -> account, read by every feed
fetch (calendar apps poll it), and ``hc:{a:<account>}:feed`` -> the account's token. A
token is valid only while both say so: replacing it first points the account at the new
token, which revokes the old one at once, then writes the new token's key and deletes the
old one's. A stop in between leaves at worst a key of a token nobody can use (the account
points elsewhere), never two valid feed URLs.
"""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

from common.keyspace import account_prefix, feed_prefix
from common.redisvalues import text_or_none


def token_key(token: str) -> str:
    return feed_prefix(token) + "feed"


def account_token_key(account_id: str) -> str:
    return account_prefix(account_id) + "feed"


class FeedTokens:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def rotate(self, account_id: str) -> str:
        token = secrets.token_urlsafe(24)
        old = text_or_none(await self._redis.set(account_token_key(account_id), token,
                                                 get=True))
        await self._redis.set(token_key(token), account_id)
        if old:
            await self._redis.delete(token_key(old))
        return token

    async def account_of(self, token: str) -> str | None:
        account_id = text_or_none(await self._redis.get(token_key(token)))
        if account_id is None:
            return None
        current = text_or_none(await self._redis.get(account_token_key(account_id)))
        return account_id if current == token else None
