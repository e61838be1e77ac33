"""Sign-up, log-in, token checks, revocation and recovery: the rules, with the store, the
signer and the mail injected."""

from __future__ import annotations

import logging
import time

from accounts.errors import AccountSuspended, BadCredentials, BadToken
from accounts.links import OneTimeLinks
from accounts.models import (
    DEFAULT_LANGUAGE,
    MAIL_TOPICS,
    Account,
    AccountUpdate,
    LogIn,
    PasswordChange,
    Role,
    SignUp,
)
from accounts.notify import AccountMail, NoAccountMail
from accounts.passwords import hash_password, verify_password
from accounts.store import AccountStore
from accounts.throttle import LoginThrottle
from accounts.tokens import Claims, TokenSigner
from common.errors import Invalid, NotFound

log = logging.getLogger(__name__)

RESET_SECONDS = 3600
VERIFY_SECONDS = 7 * 24 * 3600
RESETS_PER_HOUR = 5  # links mailed per email and hour: more requests are answered, mail nothing


def _now_ms() -> int:
    return int(time.time() * 1000)


class NoSuchLink(NotFound):
    def __init__(self) -> None:
        super().__init__("this link is unknown, used already or expired")


class Accounts:
    def __init__(self, store: AccountStore, signer: TokenSigner, throttle: LoginThrottle,
                 resets: OneTimeLinks | None = None, verifications: OneTimeLinks | None = None,
                 mail: AccountMail | None = None) -> None:
        self.store = store
        self.signer = signer
        self.throttle = throttle
        self.resets = resets
        self.verifications = verifications
        self.mail: AccountMail = mail or NoAccountMail()

    async def sign_up(self, request: SignUp, ip: str) -> Account:
        """A new account; an email already registered is refused (409, protocol §2).

        The wire contract answers 409 for a taken email, so a sign-up does tell whether an
        address has an account. What keeps that from being a cheap oracle is the sign-up
        limit per IP and hour, checked first (docs/security.md, 13). A new account is
        mailed its verification link.
        """
        await self.throttle.sign_up(ip)
        password_hash = await hash_password(request.password)
        language = request.language or DEFAULT_LANGUAGE
        account = await self.store.create(
            request.email, request.display_name, request.role, password_hash, language)
        await self.send_verification(account)
        return account

    async def send_verification(self, account: Account) -> None:
        if self.verifications is None or account.email_verified:
            return
        # Anyone may sign up with someone else's address: never a flood of mail to it.
        if not await self.verifications.allow(account.email, RESETS_PER_HOUR):
            return
        await self.mail.verify_email(account, await self.verifications.create(account.id))

    async def verify_email(self, token: str) -> Account:
        account_id = await self.verifications.take(token) if self.verifications else None
        if account_id is None:
            raise NoSuchLink()
        await self.store.mark_verified(account_id)
        log.info("account %s verified its email", account_id)
        return await self.store.require(account_id)

    async def log_in(self, request: LogIn, ip: str) -> tuple[Account, str, int]:
        """Check the password; answer the account, a token and its expiry (epoch ms)."""
        await self.throttle.attempt(request.email, ip)
        found = await self.store.credentials(request.email)
        ok = await verify_password(request.password, found[1] if found else None)
        if not ok or found is None:
            raise BadCredentials()
        await self.throttle.succeeded(request.email, ip)
        # Told only to someone who knows the password: it reveals nothing to a guesser.
        if await self.store.suspension(found[0]) is not None:
            raise AccountSuspended()
        account = await self.store.require(found[0])
        token, expires_ms = self.signer.issue(account.id, _now_ms(),
                                              await self.store.epoch(account.id))
        return account, token, expires_ms

    async def check(self, token: str | None) -> tuple[Account, Claims]:
        """The account of a valid token and its claims; one Redis command (``HMGET``)."""
        if not token:
            raise BadToken("a token is required")
        claims = self.signer.claims(token, _now_ms())
        found = await self.store.for_token(claims.account_id, claims.jti)
        if found is None:
            raise BadToken("the account of this token no longer exists")
        account, state = found
        if state.suspended:
            raise BadToken("this account is suspended")
        if state.revoked or not (claims.epoch == state.epoch
                                 or (claims.jti and claims.jti == state.keep)):
            raise BadToken("this token was revoked")
        return account, claims

    async def authenticate(self, token: str | None) -> Account:
        return (await self.check(token))[0]

    async def log_out(self, token: str | None) -> None:
        """Revoke this token now: every later request and socket with it is refused."""
        account, claims = await self.check(token)
        if claims.jti:
            await self.store.revoke(account.id, claims.jti, claims.expires_ms)
        else:
            # A token from before revocation existed has no id of its own: end them all.
            await self.store.set_password(account.id, await self.store.password_hash(
                account.id) or "", keep_jti="")
        log.info("token of %s revoked (log out)", account.id)

    async def change_password(self, token: str | None, change: PasswordChange) -> None:
        """A new password; every other token of the account is revoked."""
        account, claims = await self.check(token)
        if not await verify_password(change.current_password,
                                     await self.store.password_hash(account.id)):
            raise Invalid("current_password is wrong", "current_password")
        await self.store.set_password(account.id, await hash_password(change.new_password),
                                      keep_jti=claims.jti)
        log.info("account %s changed its password; other tokens revoked", account.id)

    async def request_reset(self, email: str) -> None:
        """Mail a reset link if the account exists; the caller answers the same either way."""
        if self.resets is None:
            return
        account_id = await self.store.id_of(email)
        if account_id is None or not await self.resets.allow(email, RESETS_PER_HOUR):
            return
        account = await self.store.require(account_id)
        await self.mail.password_reset(account, await self.resets.create(account.id))
        log.info("password reset link mailed to account %s", account.id)

    async def reset_password(self, token: str, new_password: str) -> None:
        """Use a reset link once: a new password, and every token of the account revoked."""
        account_id = await self.resets.take(token) if self.resets else None
        if account_id is None:
            raise NoSuchLink()
        await self.store.set_password(account_id, await hash_password(new_password))
        log.info("account %s reset its password; every token revoked", account_id)

    async def update(self, account: Account, change: AccountUpdate) -> Account:
        mail_off = None
        if change.mail_preferences:
            wanted = {t: t not in account.mail_off for t in MAIL_TOPICS} | change.mail_preferences
            mail_off = frozenset(t for t, on in wanted.items() if not on)
        await self.store.update(account.id, change.language, mail_off)
        return await self.store.require(account.id)

    async def create_admin(self, email: str, password: str, display_name: str = "Admin") -> Account:
        """Make an admin: a new account, or an existing one promoted (password replaced)."""
        password_hash = await hash_password(password)
        found = await self.store.credentials(email)
        if found is not None:
            await self.store.set_role(found[0], Role.ADMIN)
            await self.store.set_password(found[0], password_hash)
            await self.store.mark_verified(found[0])
            return await self.store.require(found[0])
        return await self.store.create(email, display_name, Role.ADMIN, password_hash,
                                       verified=True)
