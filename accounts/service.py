"""Sign-up, log-in and token checks: the rules, with the store and signer injected."""

from __future__ import annotations

import time

from accounts.errors import BadCredentials, BadToken
from accounts.models import Account, LogIn, Role, SignUp
from accounts.passwords import hash_password, verify_password
from accounts.store import AccountStore
from accounts.throttle import LoginThrottle
from accounts.tokens import TokenSigner


def _now_ms() -> int:
    return int(time.time() * 1000)


class Accounts:
    def __init__(self, store: AccountStore, signer: TokenSigner, throttle: LoginThrottle) -> None:
        self.store = store
        self.signer = signer
        self.throttle = throttle

    async def sign_up(self, request: SignUp) -> Account:
        password_hash = await hash_password(request.password)
        return await self.store.create(
            request.email, request.display_name, request.role, password_hash
        )

    async def log_in(self, request: LogIn, ip: str) -> tuple[Account, str, int]:
        """Check the password; answer the account, a token and its expiry (epoch ms)."""
        await self.throttle.check(request.email, ip)
        found = await self.store.credentials(request.email)
        ok = await verify_password(request.password, found[1] if found else None)
        if not ok or found is None:
            await self.throttle.failed(request.email, ip)
            raise BadCredentials()
        await self.throttle.succeeded(request.email)
        account = await self.store.require(found[0])
        token, expires_ms = self.signer.issue(account.id, _now_ms())
        return account, token, expires_ms

    async def authenticate(self, token: str | None) -> Account:
        if not token:
            raise BadToken("a token is required")
        account = await self.store.get(self.signer.account_id(token, _now_ms()))
        if account is None:
            raise BadToken("the account of this token no longer exists")
        return account

    async def create_admin(self, email: str, password: str, display_name: str = "Admin") -> Account:
        """Make an admin: a new account, or an existing one promoted (password replaced)."""
        password_hash = await hash_password(password)
        found = await self.store.credentials(email)
        if found is not None:
            await self.store.set_role(found[0], Role.ADMIN)
            await self.store.set_password(found[0], password_hash)
            return await self.store.require(found[0])
        return await self.store.create(email, display_name, Role.ADMIN, password_hash)
