"""Routes queued category calls to experts, in every web process.

Each tick looks at every non-empty category queue, decides with ``calls.routing``
and rings through the session store's ``route`` script, which re-checks everything
atomically: several processes may route the same queue at once and still never ring
one expert twice at once or lose a queued client.
"""

from __future__ import annotations

import logging
from typing import Any

from calls.ports import Blocks, BookedSoon, CategoryExperts, QueueNotices
from calls.routing import Candidate, GiveUp, Ring, decide, estimated_wait_seconds
from common.errors import HelpcallError
from common.loops import Loop, tolerant
from sessions.pricing import Pricing, PricingMode
from sessions.service import CallService

log = logging.getLogger(__name__)


def _candidate(card: dict[str, Any], last_rung: dict[str, int]) -> Candidate:
    pricing = card["pricing"]
    return Candidate(
        expert_id=card["id"],
        status=card["status"],
        rating=card["rating"],
        pricing=Pricing(PricingMode(pricing["mode"]), int(pricing["amount_cents"])),
        last_rung_ms=last_rung.get(card["id"], 0),
    )


class Router:
    def __init__(
        self,
        calls: CallService,
        experts: CategoryExperts,
        notices: QueueNotices,
        ring_seconds: float,
        interval_seconds: float,
        booked: BookedSoon,
        blocks: Blocks | None = None,
    ) -> None:
        self._booked = booked
        self._blocks = blocks
        self._calls = calls
        self._experts = experts
        self._notices = notices
        self._ring_seconds = ring_seconds
        self._interval = interval_seconds

    def loop(self) -> Loop:
        return Loop(tolerant(self._tick, "routing tick", log), self._interval)

    async def _tick(self) -> None:
        for category in await self._calls.store.queues.categories():
            await self.route_category(category)

    async def place(self, session_id: str, category: str) -> dict[str, int] | None:
        """Where a queued call stands: ``{position, estimated_wait_seconds}``."""
        waiting = await self._calls.store.queues.waiting(category)
        if session_id not in waiting:
            return None
        cards = await self._experts.in_category(category)
        online = sum(1 for card in cards if card["status"] != "offline")
        position = waiting.index(session_id)
        return {"position": position,
                "estimated_wait_seconds": estimated_wait_seconds(position, self._ring_seconds,
                                                                 online)}

    async def welcome(self, session_id: str, client_id: str, category: str) -> None:
        """The first ``queue`` event, right after ``call:start``; then route at once.

        Always sent, even when another process's tick has already told the same position: that
        one may have reached the client before it knew its session id, and been dropped.
        """
        waiting = await self._calls.store.queues.waiting(category)
        if session_id in waiting:
            position = waiting.index(session_id)
            cards = await self._experts.in_category(category)
            online = sum(1 for card in cards if card["status"] != "offline")
            await self._calls.store.position_changed(session_id, position)
            await self.announce(session_id, client_id, position, online)
        await self.route_category(category)

    async def route_category(self, category: str) -> None:
        store = self._calls.store
        waiting = await store.queues.waiting(category)
        if not waiting:
            return
        cards = await self._experts.in_category(category)
        online = sum(1 for card in cards if card["status"] != "offline")
        for card in cards:
            if card["status"] == "online" and await self._booked(card["id"]):
                card["status"] = "busy"  # taken soon by an appointment: wait, do not ring
        still_waiting = []
        for session_id in waiting:
            ids = [card["id"] for card in cards]
            rung, last_rung, facts = await store.routing_facts(session_id, ids)
            if facts["state"] != "queued":
                # Rung or ended since the queue was read, or left by a stopped process.
                await store.queues.stray(category, session_id, facts["state"])
                continue
            if self._blocks is not None:
                # An expert the client blocked, or who blocked the client, is never rung.
                rung = rung | await self._blocks.blocked_among(facts["client_id"], ids)
            max_rate = int(facts["max_rate_cents"]) if facts["max_rate_cents"] else None
            decision = decide(
                [_candidate(card, last_rung) for card in cards], rung,
                int(facts["available_cents"]), max_rate, store.timing.start_hold_cents,
            )
            if isinstance(decision, GiveUp):
                await self._quietly(self._calls.abandon(session_id))
                continue
            if isinstance(decision, Ring):
                if await self._quietly(
                    self._calls.route(session_id, decision.expert.expert_id,
                                      decision.expert.pricing,
                                      self._experts.price_key(decision.expert.expert_id))
                ):
                    for card in cards:
                        if card["id"] == decision.expert.expert_id:
                            card["status"] = "busy"
                    continue
            still_waiting.append((session_id, facts["client_id"]))
        for position, (session_id, client_id) in enumerate(still_waiting):
            if await store.position_changed(session_id, position):
                await self.announce(session_id, client_id, position, online)

    async def announce(self, session_id: str, client_id: str, position: int, online: int) -> None:
        await self._notices.queue(client_id, {
            "session_id": session_id,
            "position": position,
            "estimated_wait_seconds": estimated_wait_seconds(position, self._ring_seconds, online),
        })

    @staticmethod
    async def _quietly(step: Any) -> bool:
        """Run a routing step; losing a race to another process is normal, not an error."""
        try:
            await step
        except HelpcallError as exc:
            log.debug("routing step lost a race: %s", exc.message)
            return False
        return True
