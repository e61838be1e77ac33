"""The trust package as the edges see it, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from accounts.models import Account, Role
from accounts.store import AccountStore
from common.errors import Invalid, NotFound
from common.timefmt import iso_ms
from sessions.store import SessionStore
from trust.blocks import Blocks
from trust.dispute_service import Disputes, Notify
from trust.dispute_store import DisputeStore
from trust.moderation_log import ModerationLog
from trust.reports import ReportRequest, Reports
from trust.suspensions import Suspensions

# Who may block whom: a client an expert, an expert a client (admins are never blocked).
_OTHER_SIDE = {Role.CLIENT: Role.EXPERT, Role.EXPERT: Role.CLIENT}


@dataclass(frozen=True)
class Trust:
    disputes: Disputes
    blocks: Blocks
    reports: Reports
    suspensions: Suspensions
    moderation: ModerationLog
    accounts: AccountStore
    sessions: SessionStore

    @classmethod
    def build(cls, redis: aioredis.Redis, accounts: AccountStore, sessions: SessionStore,
              dispute_window_seconds: float,
              notify: Notify) -> Trust:
        moderation = ModerationLog(redis)
        return cls(
            disputes=Disputes(DisputeStore(redis, sessions.steps.holds,
                                           sessions.timing.lease_ms), sessions,
                              dispute_window_seconds, notify),
            blocks=Blocks(redis), reports=Reports(redis),
            suspensions=Suspensions(accounts, moderation), moderation=moderation,
            accounts=accounts, sessions=sessions)

    async def report(self, reporter: Account, request: ReportRequest) -> dict[str, Any]:
        if await self.accounts.get(request.account_id) is None:
            raise NotFound("no such account")
        if request.session_id is not None:
            found = await self.sessions.get(request.session_id)
            parties = {found[0].client_id, found[0].expert_id} if found else set()
            if {reporter.id, request.account_id} != parties:
                raise Invalid("that session is not a call between you two", "session_id")
        return await self.reports.create(reporter.id, request)

    async def block(self, who: Account, whom_id: str) -> dict[str, Any]:
        whom = await self.accounts.get(whom_id)
        if whom is None:
            raise NotFound("no such account")
        if _OTHER_SIDE.get(who.role) != whom.role:
            raise Invalid("clients block experts, and experts block clients", "account_id")
        await self.blocks.block(who.id, whom.id)
        return (await self.blocked_list(who.id))[0]

    async def blocked_list(self, who_id: str) -> list[dict[str, Any]]:
        rows = await self.blocks.blocked_by(who_id)
        names = await self.accounts.display_names([account for account, _ in rows])
        return [{"account_id": account, "display_name": names.get(account, ""),
                 "blocked_at": iso_ms(at)} for account, at in rows]
