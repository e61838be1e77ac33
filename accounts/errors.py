from __future__ import annotations

from common.errors import Conflict, Forbidden, RateLimited, Unauthorized


class EmailTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("an account with this email already exists")


class SignUpInterrupted(Conflict):
    """The sign-up's steps outlasted its email claim (accounts/claims.py): nothing is kept."""

    def __init__(self) -> None:
        super().__init__("signing up took too long; please try again")


class BadCredentials(Unauthorized):
    def __init__(self) -> None:
        super().__init__("wrong email or password")


class BadToken(Unauthorized):
    pass


class TooManyAttempts(RateLimited):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} s")
        self.retry_after = retry_after


class TooManySignUps(RateLimited):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many sign-ups from this address; try again in {retry_after} s")
        self.retry_after = retry_after


class AccountSuspended(Forbidden):
    """An admin suspended the account: it may not log in until the suspension is lifted."""

    reason = "account_suspended"

    def __init__(self) -> None:
        super().__init__("this account is suspended; write to the helpcall team to appeal")
