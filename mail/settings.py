"""What the mail code needs of the configuration, read once (pure: no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import unquote, urlparse

STREAM = "hc:{0}:mail"


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool  # smtps://; smtp:// upgrades with STARTTLS when the server offers it

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parsed = urlparse(url)
        implicit = parsed.scheme == "smtps"
        return cls(
            host=parsed.hostname or "localhost",
            port=parsed.port or (465 if implicit else 25),
            username=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            implicit_tls=implicit,
        )

    def origin(self) -> str:
        """For logs: never the credentials."""
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"


@dataclass(frozen=True)
class MailSettings:
    smtp: SmtpTarget | None
    sender: str
    public_url: str
    max_backoff_seconds: float
    max_attempts: int
    claim_idle_seconds: float
    stream: str = STREAM

    @property
    def sender_address(self) -> str:
        """The envelope sender: the bare address of ``HELPCALL_MAIL_FROM``."""
        return parseaddr(self.sender)[1] or self.sender
