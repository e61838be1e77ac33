"""Suspending an account and lifting it (admins), each decision logged.

A suspension revokes every token of the account at once and disconnects its sockets on
every process (``accounts/lua/suspend.lua``); logging in is refused with
``account_suspended`` (403) until an admin lifts it; a suspended expert is neither listed
nor routed (``marketplace.experts``). Lifting lets the person log in again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from accounts.models import Role
from accounts.store import AccountStore
from common.errors import Conflict, NotFound
from common.schema import Body, Text
from common.timefmt import iso_ms
from trust.moderation_log import ModerationLog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SuspensionRequest:
    reason: str

    WIRE: ClassVar[Body] = Body(Text("reason", min_len=1, max_len=500))

    @classmethod
    def parse(cls, payload: object) -> SuspensionRequest:
        return cls(cls.WIRE.read(payload)["reason"])


class Suspensions:
    def __init__(self, accounts: AccountStore, moderation: ModerationLog) -> None:
        self._accounts = accounts
        self._log = moderation

    async def suspend(self, admin_id: str, account_id: str, reason: str) -> dict[str, Any]:
        account = await self._accounts.get(account_id)
        if account is None:
            raise NotFound("no such account")
        if account.role == Role.ADMIN:
            raise Conflict("an admin account is not suspended here")
        return await self._change(admin_id, account_id, True, reason)

    async def lift(self, admin_id: str, account_id: str, reason: str) -> dict[str, Any]:
        return await self._change(admin_id, account_id, False, reason)

    async def _change(self, admin_id: str, account_id: str, suspended: bool,
                      reason: str) -> dict[str, Any]:
        outcome = await self._accounts.set_suspended(account_id, suspended, reason)
        if outcome == "not_found":
            raise NotFound("no such account")
        if outcome == "unchanged":
            raise Conflict("this account is suspended already" if suspended
                           else "this account is not suspended")
        action = "suspended" if suspended else "restored"
        await self._log.record(admin_id, action, account_id, reason)
        log.info("account %s %s by %s", account_id, action, admin_id)
        return await self.state(account_id)

    async def state(self, account_id: str) -> dict[str, Any]:
        found = await self._accounts.suspension(account_id)
        return {"account_id": account_id, "suspended": found is not None,
                "since": iso_ms(found[0]) if found else None,
                "reason": found[1] if found else None}

    async def listed(self) -> list[dict[str, Any]]:
        ids = await self._accounts.all_suspended()
        names = await self._accounts.display_names(ids)
        return [{**await self.state(i), "display_name": names.get(i, "")} for i in ids]
