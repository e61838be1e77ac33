"""The one typed reader of the environment (protocol §1).

``load_config(environ)`` takes any mapping, so tests inject their own; a missing,
malformed or unknown ``HELPCALL_*`` value raises ``ConfigError`` naming the variable,
and the process stops before it serves anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from common.redisclient import check_url

IPNetwork = IPv4Network | IPv6Network


class ConfigError(ValueError):
    """A configuration value the server refuses to start with."""


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    redis_url: str | None = None
    data_dir: Path = Path("./var")
    secret_key: str | None = None
    ring_seconds: float = 30.0
    queue_max_seconds: float = 300.0
    connect_timeout_seconds: float = 30.0
    reconnect_grace_seconds: float = 30.0
    guarantee_seconds: int = 15
    billing_increment_seconds: int = 1
    platform_fee_percent: int = 20
    currency: str = "EUR"
    payments: str = "test"
    billing_stream: str = "helpcall:billing"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_secret: str | None = None
    turn_ttl_seconds: int = 3600
    log_level: str = "INFO"
    log_format: str = "text"
    token_ttl_seconds: int = 7 * 24 * 3600
    lease_seconds: float = 6.0
    # A point where this process kills itself, for the crash tests (common/faults.py).
    kill_at: str = ""
    reaper_interval_seconds: float = 0.25
    ping_interval_seconds: float = 10.0
    ping_timeout_seconds: float = 5.0
    webhook_max_backoff_seconds: float = 60.0
    webhook_first_backoff_seconds: float = 0.5
    worker_claim_idle_seconds: float = 30.0
    trust_proxy: bool = False
    start_cover_seconds: int = 60
    low_balance_seconds: int = 60
    booking_reminder_seconds: tuple[float, ...] = (86400.0, 900.0)
    no_show_seconds: float = 600.0
    http_read_timeout_seconds: float = 15.0
    webhook_allowed_networks: tuple[IPNetwork, ...] = ()
    login_free_attempts: int = 5
    login_ip_free_attempts: int = 50
    login_delay_seconds: float = 1.0
    login_max_delay_seconds: float = 300.0
    signups_per_ip_per_hour: int = 20
    rings_per_expert: int = 5
    rings_per_client: int = 30
    max_sockets_per_account: int = 10
    redis_maxmemory_mb: int = 1024
    # docs/cluster.md: replicas that must confirm a money movement before it is answered.
    redis_wait_replicas: int = 0
    redis_wait_timeout_ms: int = 500
    blob_url: str | None = None
    s3_endpoint: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    file_quota_mb: int = 200
    file_quota_files: int = 500
    file_rate_mb: int = 100
    file_rate_files: int = 60
    file_rate_seconds: float = 3600.0
    # None: a shared file is kept as long as the retention (docs/privacy.md).
    file_kept_seconds: float | None = None
    file_cleanup_interval_seconds: float = 60.0
    metrics_token: str | None = None
    payout_minimum_cents: int = 2000
    # docs/trust.md: how long after a paid call's end its client may dispute it.
    dispute_window_seconds: float = 72 * 3600.0
    # protocol §7.3, docs/payments.md: read only when payments == "stripe".
    stripe_secret_key: str | None = None
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str = "https://api.stripe.com"
    stripe_js_url: str = "https://js.stripe.com/v3/"
    smtp_url: str | None = None
    mail_from: str = "helpcall <no-reply@localhost>"
    public_url: str | None = None
    mail_max_backoff_seconds: float = 300.0
    mail_max_attempts: int = 12
    password_reset_seconds: int = 3600
    # docs/privacy.md: how long chat, files and session details are kept; the trimming job.
    retention_days: float = 365.0
    billing_retention_days: float = 30.0
    retention_interval_seconds: float = 3600.0

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def public_base(self) -> str:
        """Where links that leave the app point (mail, calendars): no trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{'localhost' if self.host in ('0.0.0.0', '::') else self.host}:{self.port}"

    @property
    def files_kept_seconds(self) -> float:
        return self.file_kept_seconds or self.retention_days * 86400

    @property
    def worker_in_process(self) -> bool:
        # protocol §1: with the embedded Redis the billing worker runs inside the web process.
        return self.redis_url is None


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise ValueError("must be between 0 and 65535")
    return port


def _seconds(value: str) -> float:
    seconds = float(value)
    if not 0 < seconds < 10**7:
        raise ValueError("must be a positive number of seconds")
    return seconds


def _seconds_list(value: str) -> tuple[float, ...]:
    seconds = tuple(_seconds(part) for part in value.split(",") if part.strip())
    if not seconds:
        raise ValueError("must list at least one number of seconds")
    return seconds


def _non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be zero or more")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


def _percent(value: str) -> int:
    number = int(value)
    if not 0 <= number <= 100:
        raise ValueError("must be a whole number from 0 to 100")
    return number


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError("must be an ISO 4217 code such as EUR")
    return value


def _payments(value: str) -> str:
    if value not in ("test", "stripe"):
        raise ValueError("must be 'test' or 'stripe'")
    return value


def _prefixed(*prefixes: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value.strip().startswith(prefixes) or any(c.isspace() for c in value.strip()):
            raise ValueError(f"must start with {' or '.join(prefixes)} and hold no spaces")
        return value.strip()

    return parse


def _redis_url(value: str) -> str:
    # A single Redis, any node of a Cluster (told apart at start), or Sentinel (docs/cluster.md).
    return check_url(value)


def _http_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return value


def _smtp_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ValueError("must be smtp://[user:password@]host:port or smtps://...")
    parsed.port  # noqa: B018 -- raises ValueError on a malformed port
    return value


def _mail_from(value: str) -> str:
    if "@" not in value or any(c in value for c in "\r\n"):
        raise ValueError("must be an address such as helpcall <no-reply@example.org>")
    return value.strip()


def _ice_urls(scheme: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    def parse(value: str) -> tuple[str, ...]:
        urls = tuple(u.strip() for u in value.split(",") if u.strip())
        for url in urls:
            if not url.startswith(scheme):
                raise ValueError(f"{url!r} must start with {' or '.join(scheme)}")
        return urls

    return parse


def _networks(value: str) -> tuple[IPNetwork, ...]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    try:
        return tuple(ip_network(part, strict=False) for part in parts)
    except ValueError as exc:
        raise ValueError(f"must be comma-separated CIDRs such as 127.0.0.0/8 ({exc})") from None


def _days(value: str) -> float:
    # Fractions allowed, so that tests (and a cautious operator) can use minutes.
    days = float(value)
    if not days > 0 or days > 36500:
        raise ValueError("must be a number of days above 0 (at most 36500)")
    return days


def _blob_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme == "file" and parsed.path.startswith("/") and not parsed.netloc:
        return value
    if parsed.scheme == "s3" and re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", parsed.netloc):
        if re.fullmatch(r"[A-Za-z0-9_./-]*", parsed.path) and ".." not in parsed.path:
            return value
    raise ValueError("must be file:///absolute/folder or s3://bucket[/prefix]")


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return level


def _log_format(value: str) -> str:
    if value not in ("text", "json"):
        raise ValueError("must be text or json")
    return value


def _flag(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


# variable name -> (Config field, parser)
_VARIABLES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "HOST": ("host", _text),
    "PORT": ("port", _port),
    "REDIS_URL": ("redis_url", _redis_url),
    "HELPCALL_DATA_DIR": ("data_dir", lambda v: Path(_text(v))),
    "HELPCALL_SECRET_KEY": ("secret_key", _text),
    "HELPCALL_RING_SECONDS": ("ring_seconds", _seconds),
    "HELPCALL_QUEUE_MAX_SECONDS": ("queue_max_seconds", _seconds),
    "HELPCALL_CONNECT_TIMEOUT_SECONDS": ("connect_timeout_seconds", _seconds),
    "HELPCALL_RECONNECT_GRACE_SECONDS": ("reconnect_grace_seconds", _seconds),
    "HELPCALL_GUARANTEE_SECONDS": ("guarantee_seconds", _non_negative_int),
    "HELPCALL_BILLING_INCREMENT_SECONDS": ("billing_increment_seconds", _positive_int),
    "HELPCALL_PLATFORM_FEE_PERCENT": ("platform_fee_percent", _percent),
    "HELPCALL_CURRENCY": ("currency", _currency),
    "HELPCALL_PAYMENTS": ("payments", _payments),
    "HELPCALL_BILLING_STREAM": ("billing_stream", _text),
    "HELPCALL_WEBHOOK_URL": ("webhook_url", _http_url),
    "HELPCALL_WEBHOOK_SECRET": ("webhook_secret", _text),
    "HELPCALL_STUN_URLS": ("stun_urls", _ice_urls(("stun:", "stuns:"))),
    "HELPCALL_TURN_URLS": ("turn_urls", _ice_urls(("turn:", "turns:"))),
    "HELPCALL_TURN_SECRET": ("turn_secret", _text),
    "HELPCALL_TURN_TTL_SECONDS": ("turn_ttl_seconds", _positive_int),
    "HELPCALL_LOG_LEVEL": ("log_level", _log_level),
    "HELPCALL_LOG_FORMAT": ("log_format", _log_format),
    "HELPCALL_TOKEN_TTL_SECONDS": ("token_ttl_seconds", _positive_int),
    "HELPCALL_LEASE_SECONDS": ("lease_seconds", _seconds),
    "HELPCALL_KILL_AT": ("kill_at", _text),
    "HELPCALL_REAPER_INTERVAL_SECONDS": ("reaper_interval_seconds", _seconds),
    "HELPCALL_PING_INTERVAL_SECONDS": ("ping_interval_seconds", _seconds),
    "HELPCALL_PING_TIMEOUT_SECONDS": ("ping_timeout_seconds", _seconds),
    "HELPCALL_WEBHOOK_MAX_BACKOFF_SECONDS": ("webhook_max_backoff_seconds", _seconds),
    "HELPCALL_WEBHOOK_FIRST_BACKOFF_SECONDS": ("webhook_first_backoff_seconds", _seconds),
    "HELPCALL_WORKER_CLAIM_IDLE_SECONDS": ("worker_claim_idle_seconds", _seconds),
    "HELPCALL_TRUST_PROXY": ("trust_proxy", _flag),
    "HELPCALL_START_COVER_SECONDS": ("start_cover_seconds", _positive_int),
    "HELPCALL_LOW_BALANCE_SECONDS": ("low_balance_seconds", _positive_int),
    "HELPCALL_BOOKING_REMINDER_SECONDS": ("booking_reminder_seconds", _seconds_list),
    "HELPCALL_NO_SHOW_SECONDS": ("no_show_seconds", _seconds),
    "HELPCALL_HTTP_READ_TIMEOUT_SECONDS": ("http_read_timeout_seconds", _seconds),
    "HELPCALL_WEBHOOK_ALLOWED_NETWORKS": ("webhook_allowed_networks", _networks),
    "HELPCALL_LOGIN_FREE_ATTEMPTS": ("login_free_attempts", _positive_int),
    "HELPCALL_LOGIN_IP_FREE_ATTEMPTS": ("login_ip_free_attempts", _positive_int),
    "HELPCALL_LOGIN_DELAY_SECONDS": ("login_delay_seconds", _seconds),
    "HELPCALL_LOGIN_MAX_DELAY_SECONDS": ("login_max_delay_seconds", _seconds),
    "HELPCALL_SIGNUPS_PER_IP_PER_HOUR": ("signups_per_ip_per_hour", _positive_int),
    "HELPCALL_RINGS_PER_EXPERT": ("rings_per_expert", _positive_int),
    "HELPCALL_RINGS_PER_CLIENT": ("rings_per_client", _positive_int),
    "HELPCALL_MAX_SOCKETS_PER_ACCOUNT": ("max_sockets_per_account", _positive_int),
    "HELPCALL_REDIS_MAXMEMORY_MB": ("redis_maxmemory_mb", _non_negative_int),
    "HELPCALL_REDIS_WAIT_REPLICAS": ("redis_wait_replicas", _non_negative_int),
    "HELPCALL_REDIS_WAIT_TIMEOUT_MS": ("redis_wait_timeout_ms", _positive_int),
    "HELPCALL_BLOB_URL": ("blob_url", _blob_url),
    "HELPCALL_S3_ENDPOINT": ("s3_endpoint", _http_url),
    "HELPCALL_S3_REGION": ("s3_region", _text),
    "HELPCALL_S3_ACCESS_KEY_ID": ("s3_access_key_id", _text),
    "HELPCALL_S3_SECRET_ACCESS_KEY": ("s3_secret_access_key", _text),
    "HELPCALL_FILE_QUOTA_MB": ("file_quota_mb", _positive_int),
    "HELPCALL_FILE_QUOTA_FILES": ("file_quota_files", _positive_int),
    "HELPCALL_FILE_RATE_MB": ("file_rate_mb", _positive_int),
    "HELPCALL_FILE_RATE_FILES": ("file_rate_files", _positive_int),
    "HELPCALL_FILE_RATE_SECONDS": ("file_rate_seconds", _seconds),
    "HELPCALL_FILE_KEPT_SECONDS": ("file_kept_seconds", _seconds),
    "HELPCALL_FILE_CLEANUP_INTERVAL_SECONDS": ("file_cleanup_interval_seconds", _seconds),
    "HELPCALL_METRICS_TOKEN": ("metrics_token", _text),
    "HELPCALL_PAYOUT_MINIMUM_CENTS": ("payout_minimum_cents", _positive_int),
    "HELPCALL_DISPUTE_WINDOW_SECONDS": ("dispute_window_seconds", _seconds),
    "STRIPE_SECRET_KEY": ("stripe_secret_key", _prefixed("sk_", "rk_")),
    "STRIPE_PUBLISHABLE_KEY": ("stripe_publishable_key", _prefixed("pk_")),
    "STRIPE_WEBHOOK_SECRET": ("stripe_webhook_secret", _prefixed("whsec_")),
    "STRIPE_API_BASE": ("stripe_api_base", lambda v: _http_url(v).rstrip("/")),
    "STRIPE_JS_URL": ("stripe_js_url", _http_url),
    "HELPCALL_SMTP_URL": ("smtp_url", _smtp_url),
    "HELPCALL_MAIL_FROM": ("mail_from", _mail_from),
    "HELPCALL_PUBLIC_URL": ("public_url", _http_url),
    "HELPCALL_MAIL_MAX_BACKOFF_SECONDS": ("mail_max_backoff_seconds", _seconds),
    "HELPCALL_MAIL_MAX_ATTEMPTS": ("mail_max_attempts", _positive_int),
    "HELPCALL_PASSWORD_RESET_SECONDS": ("password_reset_seconds", _positive_int),
    "HELPCALL_RETENTION_DAYS": ("retention_days", _days),
    "HELPCALL_BILLING_RETENTION_DAYS": ("billing_retention_days", _days),
    "HELPCALL_RETENTION_INTERVAL_SECONDS": ("retention_interval_seconds", _seconds),
}

assert {f for f, _ in _VARIABLES.values()} == {f.name for f in fields(Config)}


def load_config(environ: Mapping[str, str]) -> Config:
    """Read every known variable; refuse unknown ``HELPCALL_*`` names (a typo must not pass)."""
    unknown = sorted(k for k in environ if k.startswith("HELPCALL_") and k not in _VARIABLES)
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown variable (see docs/configuration.md)")
    values: dict[str, Any] = {}
    for name, (field, parse) in _VARIABLES.items():
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[field] = parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{name}={raw!r}: {exc}") from None
    config = Config(**values)
    if config.turn_urls and not config.turn_secret:
        raise ConfigError("HELPCALL_TURN_URLS: needs HELPCALL_TURN_SECRET to sign credentials")
    if config.webhook_url and not config.webhook_secret:
        raise ConfigError("HELPCALL_WEBHOOK_URL: needs HELPCALL_WEBHOOK_SECRET to sign events")
    if (config.blob_url or "").startswith("s3:") and not (
        config.s3_access_key_id and config.s3_secret_access_key
    ):
        raise ConfigError("HELPCALL_BLOB_URL: s3:// needs HELPCALL_S3_ACCESS_KEY_ID and "
                          "HELPCALL_S3_SECRET_ACCESS_KEY")
    if config.payments == "stripe":
        missing = [name for name, value in (
            ("STRIPE_SECRET_KEY", config.stripe_secret_key),
            ("STRIPE_PUBLISHABLE_KEY", config.stripe_publishable_key),
            ("STRIPE_WEBHOOK_SECRET", config.stripe_webhook_secret)) if not value]
        if missing:
            raise ConfigError(f"HELPCALL_PAYMENTS=stripe: needs {', '.join(missing)} "
                              "(see docs/payments.md)")
    if config.ping_interval_seconds + config.ping_timeout_seconds > 20:
        # protocol §3: a dead socket must be noticed within 20 s.
        raise ConfigError(
            "HELPCALL_PING_INTERVAL_SECONDS: interval plus timeout must stay within 20 s"
        )
    return config
