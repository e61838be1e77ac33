"""Sign-up, log-in and token checks: the rules, with the store and signer injected."""

from __future__ import annotations

import logging
import time

from accounts.errors import BadCredentials, BadToken, EmailTaken
from accounts.models import Account, LogIn, Role, SignUp
from accounts.passwords import hash_password, verify_password
from accounts.store import AccountStore
from accounts.throttle import LoginThrottle
from accounts.tokens import TokenSigner
from common.ids import new_id

log = logging.getLogger(__name__)


def _now_ms() -> int:
    return int(time.time() * 1000)


class Accounts:
    def __init__(self, store: AccountStore, signer: TokenSigner, throttle: LoginThrottle) -> None:
        self.store = store
        self.signer = signer
        self.throttle = throttle

    async def sign_up(self, request: SignUp, ip: str) -> Account:
        """A new account; for an email already registered, an answer that looks the same.

        Telling "this email is taken" would let anyone test which addresses have an
        account. So a taken email gets the same 201 with a fresh id that names nothing
        (docs/security.md, 13): the real owner's account is untouched, and the new
        password only works if it is the owner's own. Probing this way costs a sign-up
        (limited per IP and hour) and a login attempt (throttled) per address.
        """
        await self.throttle.sign_up(ip)
        password_hash = await hash_password(request.password)
        try:
            return await self.store.create(
                request.email, request.display_name, request.role, password_hash
            )
        except EmailTaken:
            log.info("sign-up with an email already registered; answered as any sign-up")
            return Account(new_id("a"), request.email, request.display_name, request.role,
                           _now_ms())

    async def log_in(self, request: LogIn, ip: str) -> tuple[Account, str, int]:
        """Check the password; answer the account, a token and its expiry (epoch ms)."""
        await self.throttle.attempt(request.email, ip)
        found = await self.store.credentials(request.email)
        ok = await verify_password(request.password, found[1] if found else None)
        if not ok or found is None:
            raise BadCredentials()
        await self.throttle.succeeded(request.email, ip)
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
