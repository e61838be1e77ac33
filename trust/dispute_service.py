"""Disputes as the edges see them: open, answer, read, decide (docs/trust.md)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sessions.errors import NoSuchSession
from sessions.model import SessionView
from sessions.store import SessionStore
from trust import disputes
from trust.dispute_store import DisputeStore
from trust.disputes import AnswerRequest, Decision, DisputeRequest, check_disputable, split
from trust.errors import NoSuchDispute

log = logging.getLogger(__name__)

# Tells an account some news (stored with its in-app notifications, and sent live).
Notify = Callable[[str, dict[str, Any]], Awaitable[None]]


async def _nobody(account_id: str, notice: dict[str, Any]) -> None:
    return None


class Disputes:
    def __init__(self, store: DisputeStore, sessions: SessionStore, window_seconds: float,
                 notify: Notify = _nobody) -> None:
        self.store = store
        self._notify = notify
        self._sessions = sessions
        self.window_ms = int(window_seconds * 1000)

    async def _session(self, session_id: str) -> tuple[SessionView | None, int]:
        found = await self._sessions.get(session_id)
        return found if found is not None else (None, 0)

    async def open(self, session_id: str, client_id: str,
                   request: DisputeRequest) -> dict[str, Any]:
        view, now_ms = await self._session(session_id)
        check_disputable(view, client_id, now_ms, self.window_ms)
        fields = await self.store.open(session_id, client_id, request, self.window_ms)
        log.info("session %s disputed by %s (%s)", session_id, client_id, request.reason)
        await self._tell(fields, "opened", fields["expert_id"])
        return disputes.public(fields)

    async def answer(self, session_id: str, expert_id: str,
                     request: AnswerRequest) -> dict[str, Any]:
        await self.read(session_id, expert_id, admin=False)  # strangers: not found
        fields = await self.store.answer(session_id, expert_id, request.text)
        await self._tell(fields, "answered", fields["client_id"])
        return disputes.public(fields)

    async def read(self, session_id: str, account_id: str, admin: bool) -> dict[str, Any]:
        """The dispute of a session, for its two parties and the admins."""
        fields = await self.store.get(session_id)
        if fields is None:
            view, _ = await self._session(session_id)
            if view is None or (view.role_of(account_id) is None and not admin):
                raise NoSuchSession()
            raise NoSuchDispute()
        if account_id not in (fields["client_id"], fields["expert_id"]) and not admin:
            raise NoSuchSession()
        return disputes.public(fields, admin)

    async def decide(self, session_id: str, admin_id: str, decision: Decision) -> dict[str, Any]:
        if await self.store.get(session_id) is None:
            raise NoSuchDispute()
        view, _ = await self._session(session_id)
        assert view is not None  # a dispute is only opened on an existing session
        refund = decision.refund_of(view.amount_cents)
        shares = split(view.amount_cents, view.platform_fee_cents, refund)
        fields = await self.store.decide(session_id, view.payer, admin_id, decision, shares)
        log.info("dispute of %s decided by %s: %s, %d cents back", session_id, admin_id,
                 decision.outcome, shares.refund_cents)
        await self._tell(fields, "decided", fields["client_id"], fields["expert_id"])
        return disputes.public(fields, admin=True)

    async def _tell(self, fields: dict[str, str], news: str, *accounts: str) -> None:
        """The parties' in-app notification; a failure is logged, never the caller's."""
        at = fields.get(f"{news}_at") or fields.get("opened_at", "")
        notice = {"id": f"{fields['session_id']}.dispute.{news}", "kind": f"dispute.{news}",
                  "session_id": fields["session_id"], "at": at,
                  "outcome": fields.get("outcome", ""),
                  "refund_cents": int(fields.get("refund_cents") or 0),
                  "currency": fields.get("currency", "")}
        for account_id in accounts:
            try:
                await self._notify(account_id, notice)
            except Exception:
                log.exception("dispute notification to %s failed", account_id)

    async def listed(self, states: tuple[str, ...]) -> list[dict[str, Any]]:
        return [disputes.public(f, admin=True) for f in await self.store.listed(states)]
