"""Wiring of the vault, experts' notes, erasure and the retention job (docs/privacy.md).
A cleanup context that goes after the blob store and the appointments."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from privacy.notes import NoteStore
from privacy.service import Vault
from server.keys import ACCOUNTS, APPOINTMENTS, BLOBS, CONFIG, NOTES, REDIS, VAULT


async def privacy_ctx(app: web.Application) -> AsyncIterator[None]:
    notes = NoteStore(app[REDIS])
    app[NOTES] = notes
    app[VAULT] = Vault(app[REDIS], app[ACCOUNTS].store, app[APPOINTMENTS].store, app[BLOBS],
                       notes, app[CONFIG].public_base)
    yield
