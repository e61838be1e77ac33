"""Stripe mode refuses to start without its keys, and says which are missing."""

from __future__ import annotations

import pytest

from server.config import ConfigError, load_config
from tests.conftest import base_env
from tests.processes import ServerProcess

KEYS = {
    "HELPCALL_PAYMENTS": "stripe",
    "STRIPE_SECRET_KEY": "sk_test_1",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_1",
    "STRIPE_WEBHOOK_SECRET": "whsec_1",
}


def test_stripe_mode_reads_its_keys_and_defaults_to_stripes_own_servers() -> None:
    config = load_config(KEYS)
    assert config.payments == "stripe"
    assert config.stripe_secret_key == "sk_test_1"
    assert config.stripe_api_base == "https://api.stripe.com"
    assert config.stripe_js_url == "https://js.stripe.com/v3/"
    assert load_config({**KEYS, "STRIPE_API_BASE": "http://127.0.0.1:8420/"}).stripe_api_base \
        == "http://127.0.0.1:8420"


@pytest.mark.parametrize("missing", ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY",
                                     "STRIPE_WEBHOOK_SECRET"])
def test_stripe_mode_without_a_key_is_refused(missing: str) -> None:
    with pytest.raises(ConfigError, match=missing):
        load_config({k: v for k, v in KEYS.items() if k != missing})


@pytest.mark.parametrize(("name", "value"), [
    ("HELPCALL_PAYMENTS", "paypal"), ("STRIPE_SECRET_KEY", "pk_test_1"),
    ("STRIPE_PUBLISHABLE_KEY", "sk_test_1"), ("STRIPE_WEBHOOK_SECRET", "secret"),
    ("STRIPE_API_BASE", "ftp://x"), ("STRIPE_JS_URL", "js.stripe.com"),
])
def test_malformed_values_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config({**KEYS, name: value})


def test_the_server_refuses_to_start_in_stripe_mode_without_keys(
    redis_url: str, tmp_path: object,
) -> None:
    env = base_env(redis_url, tmp_path) | {"HELPCALL_PAYMENTS": "stripe"}  # type: ignore[arg-type]
    server = ServerProcess(env)
    assert server.process.wait(30) == 2
    server.stop()
    assert "STRIPE_SECRET_KEY" in server.output()
