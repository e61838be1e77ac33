"""Mail as a person receives it: from the queue (no worker running) or from a real SMTP
server on loopback (aiosmtpd), parsed, with its links."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlparse

import redis.asyncio as aioredis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mail.settings import STREAM

_LINK = re.compile(r"https?://[^\s<>\"]+")


def subject(message: EmailMessage) -> str:
    """The Subject as a reader shows it (a folded header unfolds with a leading space)."""
    return str(message["Subject"]).strip()


def parse(raw: bytes | str) -> EmailMessage:
    data = raw.encode() if isinstance(raw, str) else raw
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def part(message: EmailMessage, content_type: str) -> EmailMessage:
    for found in message.walk():
        if found.get_content_type() == content_type and isinstance(found, EmailMessage):
            return found
    raise AssertionError(f"no {content_type} part in {message['Subject']!r}")


def body(message: EmailMessage, content_type: str = "text/plain") -> str:
    content = part(message, content_type).get_content()
    assert isinstance(content, str)
    return content


def links(message: EmailMessage) -> list[str]:
    return _LINK.findall(body(message))


def path_of(url: str) -> str:
    parsed = urlparse(url)
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


async def queued(redis: aioredis.Redis, to: str, kind: str) -> list[EmailMessage]:
    """Messages still in the queue for ``to`` of this kind, oldest first."""
    found = []
    for _, fields in await redis.xrange(STREAM):
        if fields.get("to") == to and fields.get("kind") == kind:
            found.append(parse(fields["raw"]))
    return found


async def follow_verification(redis: aioredis.Redis, to: str) -> str:
    """The path of the verification link mailed to ``to`` (as the person would click)."""
    [message] = await queued(redis, to, "verify_email")
    [link] = [u for u in links(message) if "/verify-email/" in u]
    return path_of(link)


@dataclass
class Inbox:
    """What the SMTP server accepted. ``refuse`` answers the next N messages with
    ``refusal``; while ``held`` is clear, DATA waits (a slow server) and is counted."""

    messages: list[tuple[Envelope, EmailMessage]] = field(default_factory=list)
    refuse: int = 0
    refusal: str = "451 4.3.0 try again later"
    refused: int = 0
    data_commands: int = 0
    held: threading.Event = field(default_factory=threading.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    loop: asyncio.AbstractEventLoop | None = None
    port: int = 0

    def __post_init__(self) -> None:
        self.held.set()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.data_commands += 1
        self._wake()
        if not self.held.is_set():
            await asyncio.get_running_loop().run_in_executor(None, self.held.wait, 30)
        if self.refuse > 0:
            self.refuse -= 1
            self.refused += 1
            self._wake()
            return self.refusal
        self.messages.append((envelope, parse(envelope.original_content or b"")))
        self._wake()
        return "250 2.0.0 accepted"

    def _wake(self) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.arrived.set)

    def to(self, address: str, kind_subject: str | None = None) -> list[EmailMessage]:
        return [m for e, m in self.messages if address in e.rcpt_tos
                and (kind_subject is None or kind_subject in subject(m))]

    def __iter__(self) -> Iterator[EmailMessage]:
        return iter([m for _, m in self.messages])

    async def wait_for(self, predicate: Any, what: str, within: float = 20.0) -> None:
        async def wait() -> None:
            while not predicate():
                self.arrived.clear()
                if predicate():
                    return
                await self.arrived.wait()

        try:
            await asyncio.wait_for(wait(), within)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}; got "
                                 f"{[subject(m) for m in self]}") from None


def start_smtp(inbox: Inbox, port: int) -> Controller:
    """aiosmtpd in its own thread, on loopback."""
    inbox.loop = asyncio.get_running_loop()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller
