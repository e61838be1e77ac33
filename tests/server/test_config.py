from pathlib import Path

import pytest

from server.config import Config, ConfigError, load_config


def test_defaults_follow_the_protocol() -> None:
    config = load_config({})
    assert config == Config()
    assert (config.host, config.port) == ("127.0.0.1", 8080)
    assert config.redis_url is None and config.embedded_redis
    assert config.data_dir == Path("./var")
    assert config.ring_seconds == 30 and config.queue_max_seconds == 300
    assert config.guarantee_seconds == 15 and config.billing_increment_seconds == 1
    assert config.platform_fee_percent == 20 and config.currency == "EUR"
    assert config.billing_stream == "helpcall:billing"
    assert config.ping_interval_seconds + config.ping_timeout_seconds <= 20


def test_values_are_read_and_typed() -> None:
    config = load_config(
        {
            "PORT": "9000",
            "HOST": "0.0.0.0",
            "REDIS_URL": "redis://localhost:6379/0",
            "HELPCALL_RING_SECONDS": "0.5",
            "HELPCALL_STUN_URLS": "stun:a.example:3478, stun:b.example",
            "HELPCALL_TURN_URLS": "turn:t.example?transport=udp",
            "HELPCALL_TURN_SECRET": "s",
            "HELPCALL_TRUST_PROXY": "yes",
        }
    )
    assert config.port == 9000 and config.host == "0.0.0.0"
    assert config.ring_seconds == 0.5
    assert config.stun_urls == ("stun:a.example:3478", "stun:b.example")
    assert config.trust_proxy is True
    assert not config.embedded_redis


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("REDIS_URL", "http://localhost"),
        ("HELPCALL_RING_SECONDS", "0"),
        ("HELPCALL_RING_SECONDS", "-3"),
        ("HELPCALL_QUEUE_MAX_SECONDS", "soon"),
        ("HELPCALL_CONNECT_TIMEOUT_SECONDS", "nan"),
        ("HELPCALL_RECONNECT_GRACE_SECONDS", "x"),
        ("HELPCALL_GUARANTEE_SECONDS", "-1"),
        ("HELPCALL_GUARANTEE_SECONDS", "1.5"),
        ("HELPCALL_BILLING_INCREMENT_SECONDS", "0"),
        ("HELPCALL_PLATFORM_FEE_PERCENT", "101"),
        ("HELPCALL_CURRENCY", "euro"),
        ("HELPCALL_PAYMENTS", "stripe"),
        ("HELPCALL_WEBHOOK_URL", "ftp://x"),
        ("HELPCALL_STUN_URLS", "turn:wrong.example"),
        ("HELPCALL_LOG_LEVEL", "LOUD"),
        ("HELPCALL_TOKEN_TTL_SECONDS", "0"),
        ("HELPCALL_TRUST_PROXY", "maybe"),
        ("HELPCALL_BILLING_STREAM", "   "),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({name: value})
    assert str(raised.value).startswith(name)


def test_an_unknown_helpcall_variable_is_refused() -> None:
    with pytest.raises(ConfigError, match="HELPCALL_RING_SECOND: unknown"):
        load_config({"HELPCALL_RING_SECOND": "5"})


def test_other_variables_are_ignored() -> None:
    assert load_config({"PATH": "/bin", "HOME": "/root"}) == Config()


def test_turn_needs_a_secret_and_webhooks_need_a_key() -> None:
    with pytest.raises(ConfigError, match="HELPCALL_TURN_URLS"):
        load_config({"HELPCALL_TURN_URLS": "turn:t.example"})
    with pytest.raises(ConfigError, match="HELPCALL_WEBHOOK_URL"):
        load_config({"HELPCALL_WEBHOOK_URL": "http://127.0.0.1:9/hook"})


def test_dead_socket_detection_must_stay_within_twenty_seconds() -> None:
    with pytest.raises(ConfigError, match="HELPCALL_PING_INTERVAL_SECONDS"):
        load_config({"HELPCALL_PING_INTERVAL_SECONDS": "15", "HELPCALL_PING_TIMEOUT_SECONDS": "10"})
