"""The only code that touches account keys in Redis.

Keys: ``hc:acct:<id>`` (hash) and ``hc:acct:email:<email>`` (id), claimed together in
one script so that two sign-ups with one email can never both succeed.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from accounts.errors import EmailTaken
from accounts.models import Account, Role
from common.errors import NotFound
from common.ids import new_id
from common.redisvalues import text_map, text_or_none

_CREATE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'email', ARGV[2], 'display_name', ARGV[3],
           'role', ARGV[4], 'pw', ARGV[5], 'created_at', now)
return now
"""


def _account_key(account_id: str) -> str:
    return f"hc:acct:{account_id}"


def _email_key(email: str) -> str:
    return f"hc:acct:email:{email}"


def _account(fields: dict[str, str]) -> Account:
    return Account(
        id=fields["id"],
        email=fields["email"],
        display_name=fields["display_name"],
        role=Role(fields["role"]),
        created_at_ms=int(fields["created_at"]),
    )


class AccountStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._create = redis.register_script(_CREATE)

    async def create(
        self, email: str, display_name: str, role: Role, password_hash: str
    ) -> Account:
        account_id = new_id("a")
        created = await self._create(
            keys=[_email_key(email), _account_key(account_id)],
            args=[account_id, email, display_name, role.value, password_hash],
        )
        if not created:
            raise EmailTaken()
        return Account(account_id, email, display_name, role, int(created))

    async def get(self, account_id: str) -> Account | None:
        fields = text_map(await self._redis.hgetall(_account_key(account_id)))
        return _account(fields) if fields else None

    async def require(self, account_id: str) -> Account:
        account = await self.get(account_id)
        if account is None:
            raise NotFound("no such account")
        return account

    async def display_names(self, account_ids: list[str]) -> dict[str, str]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for account_id in account_ids:
                pipe.hget(_account_key(account_id), "display_name")
            names = await pipe.execute()
        return {a: str(n) for a, n in zip(account_ids, names, strict=True) if n is not None}

    async def credentials(self, email: str) -> tuple[str, str] | None:
        """``(account_id, password_hash)`` for an email, or None when nobody has it."""
        account_id = text_or_none(await self._redis.get(_email_key(email)))
        if account_id is None:
            return None
        password_hash = text_or_none(await self._redis.hget(_account_key(account_id), "pw"))
        return (account_id, password_hash) if password_hash else None

    async def set_role(self, account_id: str, role: Role) -> None:
        await self._redis.hset(_account_key(account_id), "role", role.value)

    async def set_password(self, account_id: str, password_hash: str) -> None:
        await self._redis.hset(_account_key(account_id), "pw", password_hash)
