"""How accounts reach a person outside the app, without knowing about mail.

``accounts`` defines this interface; the wiring implements it with the mail queue
(``mail/``). Without it (the command line, some tests) nothing is sent.
"""

from __future__ import annotations

from typing import Protocol

from accounts.models import Account


class AccountMail(Protocol):
    async def password_reset(self, account: Account, token: str) -> None:
        """Mail the single-use link that sets a new password."""

    async def verify_email(self, account: Account, token: str) -> None:
        """Mail the link that proves the address is the account holder's."""


class NoAccountMail:
    async def password_reset(self, account: Account, token: str) -> None:
        return None

    async def verify_email(self, account: Account, token: str) -> None:
        return None
