"""Every shared object of the app, under a typed key (never a string key).

A leaf module: the edges (``server.api``, ``web``) import it to reach the services
that the factory put in the app; nothing here imports them back.
"""

from __future__ import annotations

import redis.asyncio as aioredis
import socketio
from aiohttp import web

from accounts.service import Accounts
from server.config import Config

CONFIG = web.AppKey("config", Config)
REDIS = web.AppKey("redis", aioredis.Redis)
SIO = web.AppKey("sio", socketio.AsyncServer)
SECRET = web.AppKey("secret", bytes)
ACCOUNTS = web.AppKey("accounts", Accounts)
