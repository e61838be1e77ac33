"""The only code that touches account keys in Redis.

Keys: ``hc:{a:<id>}:acct`` (hash, in the account's own slot) and the claim of its email
(accounts/claims.py, in the address's slot), so that two sign-ups with one email can never
both succeed; and ``hc:{0}:accounts:suspended`` (set of suspended accounts, for the
admins' list, docs/trust.md). The hash also holds the token state (``epoch``, ``keep``,
``rv:<jti>``, see ``accounts/tokens.py``), read with the account in one ``HMGET``, and
whether the email is verified (``verified_at``) and the account suspended
(``suspended_at``): what the marketplace reads of each expert it lists or rings
(``listable``), in the expert's slot beside their profile.

The set is an index in the home slot, written as a step after the hash it follows: a
process stopping in between leaves it behind the hash (healed when the suspension is given
again), and only the admins' list reads it; nothing listed or rung depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import redis.asyncio as aioredis

from accounts.claims import PENDING_MS, EmailClaims
from accounts.errors import EmailTaken, SignUpInterrupted
from accounts.models import DEFAULT_LANGUAGE, Account, Role
from common.errors import NotFound
from common.ids import new_id
from common.keyspace import account_prefix
from common.lua import Lua
from common.redistime import redis_ms
from common.redisvalues import text_map, text_or_none

SUSPENDED = "hc:{0}:accounts:suspended"
# Every process listens here (signaling/revocations.py): an account's tokens changed, so
# its open sockets must be checked again.
REVOKED_CHANNEL = "hc:{0}:accounts:revoked"
# What the marketplace reads of each expert it lists or rings, in their slot: whether the
# email is verified and whether the account is suspended (set while it is).
STANDING = ("verified_at", "suspended_at")
_FIELDS = ("id", "email", "display_name", "role", "created_at", "language", "verified_at",
           "mail_off", "epoch", "keep", "suspended_at")


def account_key(account_id: str) -> str:
    return account_prefix(account_id) + "acct"


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
    def __init__(self, redis: aioredis.Redis, pending_ms: int = PENDING_MS) -> None:
        self._redis = redis
        self._create = Lua(redis, "accounts/lua/create.lua")
        self._revoke = Lua(redis, "accounts/lua/revoke.lua")
        self._new_epoch = Lua(redis, "accounts/lua/new_epoch.lua")
        self._suspend = Lua(redis, "accounts/lua/suspend.lua")
        self.claims = EmailClaims(redis, pending_ms)

    async def create(
        self, email: str, display_name: str, role: Role, password_hash: str,
        language: str = DEFAULT_LANGUAGE, verified: bool = False,
    ) -> Account:
        """A new account, in the steps of accounts/claims.py: claim, hash, keep, persist."""
        account = Account(new_id("a"), email, display_name, role, 0, language, verified)
        if not await self.claims.take(email, account.id, self.exists):
            raise EmailTaken()
        account = await self.write_pending(account, password_hash)
        # Kept only while still ours, then the hash: a stall past the claim's time loses it
        # (someone may hold the address now), and this sign-up gives up cleanly.
        key = account_key(account.id)
        if not await self.claims.keep(email, account.id):
            await self._redis.delete(key)
            raise SignUpInterrupted()
        if not await self._redis.persist(key):
            await self.claims.release(email, account.id)
            raise SignUpInterrupted()
        return account

    async def write_pending(self, account: Account, password_hash: str) -> Account:
        """Step 2 of a sign-up: the hash, expiring unless the sign-up ends."""
        created = int(await self._create(
            keys={"account": account_key(account.id)},
            args={"id": account.id, "email": account.email,
                  "display_name": account.display_name, "role": account.role.value,
                  "pw": password_hash, "language": account.language,
                  "verified": int(account.email_verified),
                  "pending_ms": 2 * self.claims.pending_ms}))
        return replace(account, created_at_ms=created)

    async def exists(self, account_id: str) -> bool:
        return bool(await self._redis.exists(account_key(account_id)))

    async def get(self, account_id: str) -> Account | None:
        fields = text_map(await self._redis.hgetall(account_key(account_id)))
        return _account(fields) if fields else None

    async def for_token(self, account_id: str, jti: str) -> tuple[Account, TokenState] | None:
        """The account and its token state in one command: the token check's only I/O."""
        values = await self._redis.hmget(account_key(account_id), [*_FIELDS, f"rv:{jti}"])
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
                pipe.hget(account_key(account_id), "display_name")
            names = await pipe.execute()
        return {a: str(n) for a, n in zip(account_ids, names, strict=True) if n is not None}

    async def id_of(self, email: str) -> str | None:
        """The account holding ``email`` (None for a claim left dangling)."""
        account_id = await self.claims.holder(email)
        return account_id if account_id is not None and await self.exists(account_id) else None

    async def credentials(self, email: str) -> tuple[str, str] | None:
        """``(account_id, password_hash)`` for an email, or None when nobody has it."""
        account_id = await self.claims.holder(email)  # a dangling claim finds no password
        if account_id is None:
            return None
        password_hash = text_or_none(await self._redis.hget(account_key(account_id), "pw"))
        return (account_id, password_hash) if password_hash else None

    async def password_hash(self, account_id: str) -> str | None:
        return text_or_none(await self._redis.hget(account_key(account_id), "pw"))

    async def epoch(self, account_id: str) -> int:
        return int(text_or_none(await self._redis.hget(account_key(account_id), "epoch")) or 0)

    async def set_role(self, account_id: str, role: Role) -> None:
        await self._redis.hset(account_key(account_id), "role", role.value)

    async def set_password(self, account_id: str, password_hash: str, keep_jti: str = "") -> int:
        """A new password; every token but ``keep_jti`` stops working. Answers the epoch."""
        return int(await self._new_epoch(
            keys={"account": account_key(account_id)},
            args={"pw": password_hash, "keep": keep_jti, "channel": REVOKED_CHANNEL}))

    async def revoke(self, account_id: str, jti: str, expires_ms: int) -> None:
        await self._revoke(keys={"account": account_key(account_id)},
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
            await self._redis.hset(account_key(account_id), items=changes)

    async def forget(self, account_id: str, email: str) -> None:
        """Erasure: the account hash and its email's claim go; the id, which names no
        one once they are gone, stays in ledgers and billing records. The hash goes first:
        a stop before the claim goes leaves it dangling, and the next sign-up frees it."""
        await self._redis.delete(account_key(account_id))
        if email:
            await self.claims.release(email, account_id)
        await self._redis.publish(REVOKED_CHANNEL, account_id)

    async def mark_verified(self, account_id: str) -> None:
        now = await redis_ms(self._redis)
        await self._redis.hsetnx(account_key(account_id), "verified_at", now)

    async def set_suspended(self, account_id: str, suspended: bool, reason: str = "") -> str:
        """Suspend (every token revoked, sockets told) or restore: ``done``, ``unchanged``
        (suspended already, or not suspended) or ``not_found``."""
        done = int(await self._suspend(
            keys={"account": account_key(account_id)},
            args={"on": "1" if suspended else "0", "reason": reason,
                  "channel": REVOKED_CHANNEL}))
        if done:  # unchanged too: a suspension given again heals a set left behind
            if suspended:
                await self._redis.sadd(SUSPENDED, account_id)
            else:
                await self._redis.srem(SUSPENDED, account_id)
        return {0: "not_found", 1: "done"}.get(done, "unchanged")

    async def suspension(self, account_id: str) -> tuple[int, str] | None:
        """``(since ms, reason)`` when the account is suspended."""
        since, reason = await self._redis.hmget(account_key(account_id), "suspended_at",
                                                "suspended_reason")
        if since is None:
            return None
        return int(str(text_or_none(since))), str(text_or_none(reason) or "")

    async def all_suspended(self) -> list[str]:
        return sorted(str(text_or_none(a)) for a in await self._redis.smembers(SUSPENDED))
