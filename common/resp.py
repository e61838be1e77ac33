"""A bare RESP connection to a single Redis, for the two hot paths of delivery across
processes.

redis-py spends about 300 µs of client CPU on a lone ``PUBLISH`` (its pool, a timeout task
around each write, the reply's parse and wake-up); writing the command's bytes to a socket
whose replies are turned off costs about 35 µs. Reading a subscription with hiredis
directly costs about 70 µs less per message than redis-py's ``PubSub`` (docs/performance.md).
Only the cross-process publisher and subscription (signaling/) use this; everything else
goes through redis-py.

Plain ``redis://`` and ``unix://`` URLs only: TLS, Sentinel and Cluster keep redis-py, which
knows their options and failovers (``address_of`` answers ``None`` for them).
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import hiredis
import redis.asyncio as aioredis
from redis.asyncio.connection import UnixDomainSocketConnection, parse_url
from redis.exceptions import NoPermissionError

CONNECT_SECONDS = 2.0


@dataclass(frozen=True)
class Address:
    """Where a single Redis listens, and how to log in."""

    host: str = "localhost"
    port: int = 6379
    path: str | None = None  # a Unix socket instead of host and port
    username: str | None = None
    password: str | None = None
    db: int = 0


def address_of(url: str) -> Address | None:
    """The address in a plain ``redis://`` or ``unix://`` URL; ``None`` for anything else."""
    if urlsplit(url).scheme not in ("redis", "unix"):
        return None
    found = parse_url(url)
    kind = found.get("connection_class")
    if kind is not None and kind is not UnixDomainSocketConnection:
        return None
    return Address(host=str(found.get("host") or "localhost"),
                   port=int(found.get("port") or 6379),
                   path=found.get("path"), username=found.get("username"),
                   password=found.get("password"), db=int(found.get("db") or 0))


def command(*parts: str | bytes) -> bytes:
    """One command as RESP: an array of bulk strings."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        out.append(b"$%d\r\n%b\r\n" % (len(data), data))
    return b"".join(out)


class Connection:
    """A connection with its reply parser (hiredis), replies decoded as UTF-8 text."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self._parser = hiredis.Reader(encoding="utf-8")

    async def replies(self) -> list[object]:
        """The replies that one read completes (at least one); an error reply is returned as
        ``hiredis.ReplyError``; the connection's end raises ``ConnectionError``."""
        found: list[object] = []
        while not found:
            data = await self.reader.read(65536)
            if not data:
                raise aioredis.ConnectionError("Redis closed the connection")
            self._parser.feed(data)
            while (reply := self._parser.gets()) is not False:
                found.append(reply)
        return found

    async def expect(self, count: int) -> None:
        """Reads ``count`` replies, none of them an error (raised as redis-py would)."""
        while count > 0:
            replies = await self.replies()
            count -= len(replies)
            for reply in replies:
                if isinstance(reply, hiredis.ReplyError):
                    raise error_of(str(reply))

    def close(self) -> None:
        self.writer.close()


def error_of(text: str) -> aioredis.RedisError:
    if text.startswith(("WRONGPASS", "NOAUTH")):
        return aioredis.AuthenticationError(text)
    if text.startswith("NOPERM"):
        return NoPermissionError(text)
    return aioredis.ResponseError(text)


async def open_connection(address: Address, first: list[bytes]) -> Connection:
    """Connects, logs in, selects the database and sends ``first`` (commands with one reply
    each, awaited, none of which may be an error): what redis-py does on connect. Redis out
    of reach or silent is a ``ConnectionError``, as in redis-py."""
    setup = list(first)
    if address.db:
        setup.insert(0, command("SELECT", str(address.db)))
    if address.password is not None:
        login = (address.username, address.password) if address.username else (
            address.password,)
        setup.insert(0, command("AUTH", *login))
    try:
        async with asyncio.timeout(CONNECT_SECONDS):
            connection = Connection(*await _socket(address))
            try:
                connection.writer.write(b"".join(setup))
                await connection.expect(len(setup))
            except BaseException:
                connection.close()
                raise
    except OSError as exc:  # refused, unreachable, or no answer within CONNECT_SECONDS
        where = address.path or f"{address.host}:{address.port}"
        raise aioredis.ConnectionError(f"cannot reach Redis at {where}: {exc!r}") from exc
    return connection


async def _socket(address: Address) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    if address.path is not None:
        return await asyncio.open_unix_connection(address.path)
    reader, writer = await asyncio.open_connection(address.host, address.port)
    sock = writer.get_extra_info("socket")
    if sock is not None:  # notices a silently cut connection, as redis-py is told to
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    return reader, writer
