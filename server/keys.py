"""Every shared object of the app, under a typed key (never a string key).

A leaf module: the edges (``server.api``, ``web``) import it to reach the services
that the factory put in the app; nothing here imports them back.
"""

from __future__ import annotations

import redis.asyncio as aioredis
import socketio
from aiohttp import web

from accounts.service import Accounts
from appointments.service import Appointments
from mail.mailer import Mailer
from mail.outbox import Outbox
from marketplace.experts import Experts
from server.config import Config
from sessions.service import CallService
from sessions.wallet import WalletStore
from signaling.presence import PresenceStore

CONFIG = web.AppKey("config", Config)
REDIS = web.AppKey("redis", aioredis.Redis)
SIO = web.AppKey("sio", socketio.AsyncServer)
SECRET = web.AppKey("secret", bytes)
PROC = web.AppKey("proc", str)
ACCOUNTS = web.AppKey("accounts", Accounts)
PRESENCE = web.AppKey("presence", PresenceStore)
EXPERTS = web.AppKey("experts", Experts)
CALLS = web.AppKey("calls", CallService)
WALLETS = web.AppKey("wallets", WalletStore)
APPOINTMENTS = web.AppKey("appointments", Appointments)
MAILER = web.AppKey("mailer", Mailer)
OUTBOX = web.AppKey("outbox", Outbox)
