"""Every shared object of the app, under a typed key (never a string key).

A leaf module: the edges (``server.api``, ``web``) import it to reach the services
that the factory put in the app; nothing here imports them back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
import socketio
from aiohttp import web

from accounts.service import Accounts
from appointments.service import Appointments
from blobs.store import BlobStore
from brands.analytics import BrandAnalytics
from brands.service import Brands
from earnings.service import Earnings
from mail.mailer import Mailer
from mail.outbox import Outbox
from marketplace.experts import Experts
from payments.service import Payments
from privacy.erase import Eraser
from privacy.export import Exporter
from privacy.notes import NoteStore
from privacy.retention import Retention
from privacy.service import Vault
from server.config import Config
from server.metrics import Metrics
from sessions.service import CallService
from sessions.sharing import FileSharing
from sessions.wallet import WalletStore
from signaling.presence import PresenceStore
from trust.service import Trust

CONFIG = web.AppKey("config", Config)
REDIS = web.AppKey("redis", aioredis.Redis)
SIO = web.AppKey("sio", socketio.AsyncServer)
SECRET = web.AppKey("secret", bytes)
PROC = web.AppKey("proc", str)
ACCOUNTS = web.AppKey("accounts", Accounts)
PRESENCE = web.AppKey("presence", PresenceStore)
EXPERTS = web.AppKey("experts", Experts)
BRANDS = web.AppKey("brands", Brands)
ANALYTICS = web.AppKey("analytics", BrandAnalytics)
CALLS = web.AppKey("calls", CallService)
WALLETS = web.AppKey("wallets", WalletStore)
APPOINTMENTS = web.AppKey("appointments", Appointments)
OPENAPI = web.AppKey("openapi", dict[str, Any])
BLOBS = web.AppKey("blobs", BlobStore)
FILES = web.AppKey("files", FileSharing)
EARNINGS = web.AppKey("earnings", Earnings)
METRICS = web.AppKey("metrics", Metrics)
# Only with HELPCALL_PAYMENTS=stripe (server/api/payments.py:payments_ctx).
PAYMENTS = web.AppKey("payments", Payments)
# Runs every reconcile check (server/reconcile.py), as the admin console asks.
RECONCILE = web.AppKey[Callable[[], Awaitable[list[str]]]]("reconcile")
MAILER = web.AppKey("mailer", Mailer)
OUTBOX = web.AppKey("outbox", Outbox)
# The vault and experts' notes (server/privacy.py, docs/privacy.md).
VAULT = web.AppKey("vault", Vault)
NOTES = web.AppKey("notes", NoteStore)
EXPORTER = web.AppKey("exporter", Exporter)
ERASER = web.AppKey("eraser", Eraser)
RETENTION = web.AppKey("retention", Retention)
TRUST = web.AppKey("trust", Trust)
