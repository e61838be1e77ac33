"""Reading a page's form with a deadline: a half-sent form must not hold a handler (slowloris)."""

from __future__ import annotations

import asyncio

from aiohttp import web
from multidict import MultiDictProxy

from server.keys import CONFIG

Form = MultiDictProxy[str | bytes | bytearray | web.FileField]


async def read_form(request: web.Request) -> Form:
    try:
        async with asyncio.timeout(request.app[CONFIG].http_read_timeout_seconds):
            return await request.post()
    except TimeoutError:
        raise web.HTTPRequestTimeout(reason="the form stopped arriving",
                                     headers={"Connection": "close"}) from None
