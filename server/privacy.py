"""Wiring of the vault, experts' notes, erasure and the retention job (docs/privacy.md).
A cleanup context that goes after the blob store and the appointments."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from privacy.erase import Eraser, Rules
from privacy.export import Exporter
from privacy.notes import NoteStore
from privacy.service import Vault
from server.keys import (
    ACCOUNTS,
    APPOINTMENTS,
    BLOBS,
    CONFIG,
    ERASER,
    EXPORTER,
    FILES,
    NOTES,
    REDIS,
    VAULT,
)


async def privacy_ctx(app: web.Application) -> AsyncIterator[None]:
    notes = NoteStore(app[REDIS])
    app[NOTES] = notes
    config, redis = app[CONFIG], app[REDIS]
    vault = Vault(redis, app[ACCOUNTS].store, app[APPOINTMENTS].store, app[BLOBS], notes,
                  config.public_base)
    app[VAULT] = vault
    app[EXPORTER] = Exporter(redis, vault, notes)
    app[ERASER] = Eraser(redis, app[ACCOUNTS].store, app[FILES], app[BLOBS], notes,
                         Rules(card_payments=config.payments == "stripe"))
    yield
