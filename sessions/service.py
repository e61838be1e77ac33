"""The call, as the edges see it: store operations followed by notifications.

Every change a script makes is published through the ``Notifier``, whichever process
or loop caused it (a socket event, a deadline, a dead process).
"""

from __future__ import annotations

import logging
from typing import Any

from common import logcontext
from sessions.notify import Notifier
from sessions.pricing import Pricing
from sessions.replies import Outcome
from sessions.store import NewSession, SessionStore

log = logging.getLogger(__name__)


class CallService:
    def __init__(self, store: SessionStore, notifier: Notifier) -> None:
        self.store = store
        self.notifier = notifier

    async def _published(self, outcome: Outcome) -> Outcome:
        if outcome.session is not None:
            await self.notifier.publish(outcome)
        return outcome

    async def start(self, session_id: str, new: NewSession) -> Outcome:
        logcontext.bind(session_id=session_id)
        outcome = await self.store.start(session_id, new)
        log.info("session %s ringing expert %s", session_id, new.expert_id)
        return await self._published(outcome)

    async def enqueue(
        self, session_id: str, new: NewSession, max_rate_cents: int | None
    ) -> Outcome:
        logcontext.bind(session_id=session_id)
        outcome = await self.store.enqueue(session_id, new, max_rate_cents)
        log.info("session %s queued for %s", session_id, new.category)
        return await self._published(outcome)

    async def route(self, session_id: str, expert_id: str, pricing: Pricing,
                    profile_key: str = "") -> Outcome:
        return await self._published(
            await self.store.route(session_id, expert_id, pricing, profile_key))

    async def abandon(self, session_id: str) -> Outcome:
        return await self._published(await self.store.abandon(session_id))

    async def accept(self, session_id: str, account_id: str, sid: str, proc: str) -> Outcome:
        return await self._published(await self.store.accept(session_id, account_id, sid, proc))

    async def act(self, session_id: str, account_id: str, event: str) -> Outcome:
        return await self._published(await self.store.act(session_id, account_id, event))

    async def attach(self, session_id: str, account_id: str, sid: str, proc: str) -> Outcome:
        return await self._published(await self.store.attach(session_id, account_id, sid, proc))

    async def detach(
        self, session_id: str, sid: str, proc: str, at_ms: int | None = None
    ) -> Outcome:
        return await self._published(await self.store.detach(session_id, sid, proc, at_ms))

    async def media(self, session_id: str, account_id: str, state: str, sid: str) -> Outcome:
        return await self._published(await self.store.media(session_id, account_id, state, sid))

    async def chat(self, session_id: str, account_id: str, sid: str, text: str) -> dict[str, Any]:
        message = await self.store.chat(session_id, account_id, sid, text)
        await self.notifier.chat(session_id, message)
        return message

    async def fire(self, member: str) -> Outcome:
        # The reaper serves every session from one task: scope the id to this deadline.
        with logcontext.scope(session_id=member.partition("|")[2] or None):
            outcome = await self.store.fire(member)
            if outcome.session is not None:
                log.info("deadline %s: session %s", member, outcome.session.state.value)
            return await self._published(outcome)

    async def bury_process(self, proc: str, last_seen_ms: int) -> int:
        """Detach every socket a dead process held, as of its last heartbeat."""
        pairs = await self.store.sockets_of_process(proc)
        for session_id, sid in pairs:
            await self.detach(session_id, sid, proc, at_ms=last_seen_ms)
        await self.store.forget_process(proc)
        return len(pairs)
