"""The only code that touches account keys in Redis.

Keys: ``hc:acct:<id>`` (hash) and ``hc:acct:email:<email>`` (id), claimed together in
one script so that two sign-ups with one email can never both succeed;
``hc:accounts:verified`` (set of accounts whose email is verified: the marketplace lists
only those experts); ``hc:accounts:suspended`` (set of suspended accounts: never listed,
routed or let in, docs/trust.md). The hash also holds the token state (``epoch``, ``keep``,
``rv:<jti>``, see ``accounts/tokens.py``), read with the account in one ``HMGET``.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

from accounts.errors import EmailTaken
from accounts.models import DEFAULT_LANGUAGE, Account, Role
from common.errors import NotFound
from common.ids import new_id
from common.lua import Lua
from common.redistime import redis_ms
from common.redisvalues import text_map, text_or_none

VERIFIED = "hc:{0}:accounts:verified"
SUSPENDED = "hc:{0}:accounts:suspended"
# Every process listens here (signaling/revocations.py): an account's tokens changed, so
# its open sockets must be checked again.
REVOKED_CHANNEL = "hc:{0}:accounts:revoked"
_FIELDS = ("id", "email", "display_name", "role", "created_at", "language", "verified_at",
           "mail_off", "epoch", "keep", "suspended_at")


def _account_key(account_id: str) -> str:
    return f"hc:{{0}}:acct:{account_id}"


def _email_key(email: str) -> str:
    return f"hc:{{0}}:acct:email:{email}"


def _account(fields: dict[str, str]) -> Account:
    return Account(
        id=fields["id"],
        email=fields["email"],
        display_name=fields["display_name"],
        role=Role(fields["role"]),
        created_at_ms=int(fields["created_at"]),
        language=fields.get("language") or DEFAULT_LANGUAGE,
        email_verified=bool(fields.get("verified_at")),
        mail_off=frozenset(t for t in (fields.get("mail_off") or "").split(",") if t),
    )


@dataclass(frozen=True)
class TokenState:
    """What decides whether a token of the account still stands."""

    epoch: int
    keep: str  # the jti spared by the last password change ('' for none)
    revoked: bool  # this very token was revoked
    suspended: bool = False  # the account is suspended: no token of it stands


class AccountStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._create = Lua(redis, "accounts/lua/create.lua")
        self._revoke = Lua(redis, "accounts/lua/revoke.lua")
        self._new_epoch = Lua(redis, "accounts/lua/new_epoch.lua")
        self._suspend = Lua(redis, "accounts/lua/suspend.lua")

    async def create(
        self, email: str, display_name: str, role: Role, password_hash: str,
        language: str = DEFAULT_LANGUAGE, verified: bool = False,
    ) -> Account:
        account_id = new_id("a")
        created = await self._create(
            keys={"email": _email_key(email), "account": _account_key(account_id),
                  "verified_set": VERIFIED},
            args={"id": account_id, "email": email, "display_name": display_name,
                  "role": role.value, "pw": password_hash, "language": language,
                  "verified": int(verified)},
        )
        if not created:
            raise EmailTaken()
        return Account(account_id, email, display_name, role, int(created), language, verified)

    async def get(self, account_id: str) -> Account | None:
        fields = text_map(await self._redis.hgetall(_account_key(account_id)))
        return _account(fields) if fields else None

    async def for_token(self, account_id: str, jti: str) -> tuple[Account, TokenState] | None:
        """The account and its token state in one command: the token check's only I/O."""
        values = await self._redis.hmget(_account_key(account_id), [*_FIELDS, f"rv:{jti}"])
        fields = {name: str(text_or_none(value)) for name, value in zip(
            (*_FIELDS, "rv"), values, strict=True) if value is not None}
        if "id" not in fields:
            return None
        state = TokenState(int(fields.get("epoch") or 0), fields.get("keep", ""),
                           bool(jti) and "rv" in fields, "suspended_at" in fields)
        return _account(fields), state

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

    async def id_of(self, email: str) -> str | None:
        return text_or_none(await self._redis.get(_email_key(email)))

    async def credentials(self, email: str) -> tuple[str, str] | None:
        """``(account_id, password_hash)`` for an email, or None when nobody has it."""
        account_id = await self.id_of(email)
        if account_id is None:
            return None
        password_hash = text_or_none(await self._redis.hget(_account_key(account_id), "pw"))
        return (account_id, password_hash) if password_hash else None

    async def password_hash(self, account_id: str) -> str | None:
        return text_or_none(await self._redis.hget(_account_key(account_id), "pw"))

    async def epoch(self, account_id: str) -> int:
        return int(text_or_none(await self._redis.hget(_account_key(account_id), "epoch")) or 0)

    async def set_role(self, account_id: str, role: Role) -> None:
        await self._redis.hset(_account_key(account_id), "role", role.value)

    async def set_password(self, account_id: str, password_hash: str, keep_jti: str = "") -> int:
        """A new password; every token but ``keep_jti`` stops working. Answers the epoch."""
        return int(await self._new_epoch(
            keys={"account": _account_key(account_id)},
            args={"pw": password_hash, "keep": keep_jti, "channel": REVOKED_CHANNEL}))

    async def revoke(self, account_id: str, jti: str, expires_ms: int) -> None:
        await self._revoke(keys={"account": _account_key(account_id)},
                           args={"jti": jti, "expires_ms": expires_ms,
                                 "channel": REVOKED_CHANNEL})

    async def update(self, account_id: str, language: str | None,
                     mail_off: frozenset[str] | None) -> None:
        changes: list[str] = []
        if language is not None:
            changes += ["language", language]
        if mail_off is not None:
            changes += ["mail_off", ",".join(sorted(mail_off))]
        if changes:
            await self._redis.hset(_account_key(account_id), items=changes)

    async def forget(self, account_id: str, email: str) -> None:
        """Erasure: the account hash and its email's index go; the id, which names no
        one once they are gone, stays in ledgers and billing records."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(_account_key(account_id))
            if email:
                pipe.delete(_email_key(email))
            pipe.srem(VERIFIED, account_id)
            await pipe.execute()
        await self._redis.publish(REVOKED_CHANNEL, account_id)

    async def mark_verified(self, account_id: str) -> None:
        now = await redis_ms(self._redis)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(_account_key(account_id), "verified_at", now)
            pipe.sadd(VERIFIED, account_id)
            await pipe.execute()

    async def verified(self, account_ids: list[str]) -> set[str]:
        """Those of ``account_ids`` whose email is verified."""
        if not account_ids:
            return set()
        flags = await self._redis.smismember(VERIFIED, account_ids)
        return {a for a, ok in zip(account_ids, flags, strict=True) if ok}

    async def set_suspended(self, account_id: str, suspended: bool, reason: str = "") -> str:
        """Suspend (every token revoked, sockets told) or restore: ``done``, ``unchanged``
        (suspended already, or not suspended) or ``not_found``."""
        done = int(await self._suspend(
            keys={"account": _account_key(account_id), "suspended": SUSPENDED},
            args={"on": "1" if suspended else "0", "reason": reason,
                  "channel": REVOKED_CHANNEL}))
        return {0: "not_found", 1: "done"}.get(done, "unchanged")

    async def suspension(self, account_id: str) -> tuple[int, str] | None:
        """``(since ms, reason)`` when the account is suspended."""
        since, reason = await self._redis.hmget(_account_key(account_id), "suspended_at",
                                                "suspended_reason")
        if since is None:
            return None
        return int(str(text_or_none(since))), str(text_or_none(reason) or "")

    async def suspended(self, account_ids: list[str]) -> set[str]:
        """Those of ``account_ids`` that are suspended."""
        if not account_ids:
            return set()
        flags = await self._redis.smismember(SUSPENDED, account_ids)
        return {a for a, on in zip(account_ids, flags, strict=True) if on}

    async def all_suspended(self) -> list[str]:
        return sorted(str(text_or_none(a)) for a in await self._redis.smembers(SUSPENDED))
