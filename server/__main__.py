"""``helpcall`` (or ``python -m server``): ``serve`` (the default), ``worker``,
``mail-worker``, ``create-admin EMAIL``, ``reconcile``."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

import uvloop
from aiohttp import web

from server.config import Config, ConfigError, load_config
from server.logs import ACCESS_LOG_FORMAT, configure_logging

USAGE = "usage: helpcall [serve | worker | mail-worker | create-admin EMAIL | reconcile]"


def serve(config: Config) -> int:
    from server.app import create_app
    from server.embedded_redis import EmbeddedRedisError
    from web.assets import HOW_TO_BUILD, VENDOR, missing

    absent = missing()
    if absent:
        # Pages would load but never connect (their Socket.IO client would 404): refuse.
        print(f"helpcall: the browser assets are missing from {VENDOR} ({', '.join(absent)}); "
              f"{HOW_TO_BUILD}", file=sys.stderr)
        return 2

    app = create_app(config)
    shown_host = "localhost" if config.host in ("0.0.0.0", "::", "127.0.0.1") else config.host

    def announce(_: str) -> None:
        lines = [f"helpcall is running: open http://{shown_host}:{config.port}/"]
        if config.payments == "test":
            lines.append("payments are in TEST mode: top-ups are credited at once, no card")
        for line in lines:
            # With JSON logs every line of output must be JSON: a collector reads them all.
            if config.log_format == "json":
                logging.getLogger("server").info(line)
            else:
                print(line, flush=True)

    try:
        # uvloop: 14-25% less CPU per call lifecycle than asyncio's loop (docs/performance.md).
        web.run_app(
            app,
            loop=uvloop.new_event_loop(),
            host=config.host,
            port=config.port,
            access_log_format=ACCESS_LOG_FORMAT,
            print=announce,
            shutdown_timeout=5,
        )
    except EmbeddedRedisError as exc:
        print(f"helpcall: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str]) -> int:
    try:
        config = load_config(os.environ)
    except ConfigError as exc:
        print(f"helpcall: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(config.log_level, config.log_format)
    match argv:
        case [] | ["serve"]:
            return serve(config)
        case ["worker"]:
            from server.worker import main as worker

            return worker()
        case ["create-admin", email]:
            from server.cli import create_admin

            code: int = asyncio.run(create_admin(config, email))
            return code
        case ["mail-worker"]:
            from server.mailing import serve_mail_worker

            code = asyncio.run(serve_mail_worker(config))
            return code
        case ["reconcile"]:
            from server.cli import reconcile

            code = asyncio.run(reconcile(config))
            return code
        case _:
            print(USAGE, file=sys.stderr)
            return 2


def run() -> None:
    """The ``helpcall`` console command."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    run()
