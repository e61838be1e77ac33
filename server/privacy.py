"""Wiring of the vault, experts' notes, erasure and the retention job (docs/privacy.md).
A cleanup context that goes after the blob store and the appointments; the retention
loop runs in every web process, and its lease lets one of them trim at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from brands.personal import BrandRecords
from common.loops import stop_all
from privacy.erase import Eraser, Rules
from privacy.export import Exporter
from privacy.notes import NoteStore
from privacy.retention import DAY_MS, Retention, RetentionRules
from privacy.service import Vault
from server.keys import (
    ACCOUNTS,
    APPOINTMENTS,
    BLOBS,
    BRANDS,
    CONFIG,
    ERASER,
    EXPORTER,
    FILES,
    NOTES,
    PROC,
    REDIS,
    RETENTION,
    VAULT,
)
from trust.personal import TrustRecords


async def privacy_ctx(app: web.Application) -> AsyncIterator[None]:
    notes = NoteStore(app[REDIS])
    app[NOTES] = notes
    config, redis = app[CONFIG], app[REDIS]
    vault = Vault(redis, app[ACCOUNTS].store, app[APPOINTMENTS].store, app[BLOBS], notes,
                  config.public_base)
    app[VAULT] = vault
    trust = TrustRecords(redis)
    brands = BrandRecords(app[BRANDS].store)
    app[EXPORTER] = Exporter(redis, vault, notes, trust, brands)
    eraser = Eraser(redis, app[ACCOUNTS].store, app[FILES], app[BLOBS], notes, trust, brands,
                    Rules(card_payments=config.payments == "stripe"))
    app[ERASER] = eraser
    retention = Retention(redis, app[FILES], eraser, RetentionRules(
        retention_ms=int(config.retention_days * DAY_MS),
        billing_retention_ms=int(config.billing_retention_days * DAY_MS),
        billing_stream=config.billing_stream), owner=app[PROC])
    app[RETENTION] = retention
    loop = retention.loop(config.retention_interval_seconds)
    task = asyncio.create_task(loop.run())
    try:
        yield
    finally:
        await stop_all([loop], [task])
