"""``setup_web(app)``: templates, page routes, static files and page error handling."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from web.pages import (
    account,
    admin,
    admin_brands,
    admin_console,
    admin_deliveries,
    admin_disputes,
    admin_mail,
    admin_moderation,
    auth,
    blocked,
    brand_balance,
    call,
    disputes,
    earnings,
    invitations,
    market,
    privacy,
    public,
    receipt,
    recovery,
    settings,
    shell,
)
from web.pages.errors import page_errors

HERE = Path(__file__).parent
STATIC = HERE / "static"


def setup_web(app: web.Application) -> None:
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app[aiohttp_jinja2.static_root_key] = "/static"
    app.middlewares.append(page_errors)
    for module in (auth, public, account, call, market, admin, admin_console, admin_brands,
                   receipt, earnings, brand_balance, recovery, settings, invitations, privacy,
                   shell, admin_deliveries, admin_mail, admin_disputes, admin_moderation,
                   disputes, blocked):
        app.add_routes(module.routes)
    app.router.add_static("/static/", STATIC, name="static", append_version=False)
