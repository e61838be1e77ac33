"""Gathers what the onboarding checklist (``marketplace.onboarding``) looks at."""

from __future__ import annotations

from aiohttp import web

from appointments.errors import NotBookable
from marketplace.errors import NoSuchExpert
from marketplace.onboarding import Step, checklist
from server.keys import APPOINTMENTS, EXPERTS


async def onboarding_steps(request: web.Request, expert_id: str) -> list[Step]:
    try:
        own = await request.app[EXPERTS].own(expert_id)
    except NoSuchExpert:
        own = None
    try:
        hours = await request.app[APPOINTMENTS].availability(expert_id)
        has_hours = any(hours.weekly.values()) or bool(hours.extra_hours)
    except NotBookable:
        has_hours = False
    return checklist(own, has_hours)
