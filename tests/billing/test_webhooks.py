"""The webhook's wire format: body, signature, verification, retry pacing."""

from __future__ import annotations

import hashlib
import hmac
import json
import random

import pytest

from billing.webhooks import (
    INTEGER_FIELDS,
    backoff_seconds,
    is_integer_field,
    signature,
    verify,
    webhook_body,
)

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

EVENT = {
    "event_id": "ev_1", "type": "session.ended", "session_id": "s_1", "client_id": "a_c",
    "expert_id": "a_e", "brand_id": "", "pricing_mode": "per_minute", "rate_cents": "120",
    "currency": "EUR", "accepted_at": "2026-11-23T07:50:02.123Z", "live_started_at": "",
    "ended_at": "2026-11-23T07:52:02.123Z", "live_ms": "90500", "billed_seconds": "90",
    "amount_cents": "180", "platform_fee_cents": "36", "expert_payout_cents": "144",
    "end_reason": "hangup",
}


def test_body_is_compact_sorted_json_with_amounts_and_counts_as_integers() -> None:
    body = webhook_body(EVENT)
    assert body == json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    decoded = json.loads(body)
    assert list(decoded) == sorted(EVENT)
    assert decoded["amount_cents"] == 180 and decoded["live_ms"] == 90500
    assert decoded["rate_cents"] == 120 and decoded["expert_payout_cents"] == 144
    assert decoded["billed_seconds"] == 90 and decoded["platform_fee_cents"] == 36
    assert decoded["brand_id"] == "" and decoded["live_started_at"] == ""
    assert decoded["session_id"] == "s_1" and decoded["end_reason"] == "hangup"


def test_only_decimal_integers_of_integer_fields_become_numbers() -> None:
    decoded = json.loads(webhook_body({
        "refund_cents": "-25", "wait_seconds": "007", "odd_cents": "1.5", "bad_ms": "",
        "arabic_cents": "\u0661\u0662", "session_id": "123", "paid_by": "client",
    }))
    assert decoded == {
        "refund_cents": -25, "wait_seconds": 7, "odd_cents": "1.5", "bad_ms": "",
        "arabic_cents": "\u0661\u0662", "session_id": "123", "paid_by": "client",
    }
    assert all(is_integer_field(name) for name in INTEGER_FIELDS)
    assert not is_integer_field("ended_at")


def test_signature_is_hex_hmac_sha256_of_the_raw_body() -> None:
    body = webhook_body(EVENT)
    expected = hmac.new(b"whsec-test", body, hashlib.sha256).hexdigest()
    assert signature(body, "whsec-test") == f"sha256={expected}"
    # A fixed vector, so that a change of the scheme cannot pass unnoticed.
    assert signature(b'{"a":1}', "key") == (
        "sha256=" + hmac.new(b"key", b'{"a":1}', hashlib.sha256).hexdigest()
    )


def test_verify_accepts_the_signature_and_rejects_any_tampering() -> None:
    body = webhook_body(EVENT)
    header = signature(body, "whsec-test")
    assert verify(body, "whsec-test", header)
    assert not verify(body.replace(b"180", b"181"), "whsec-test", header)
    assert not verify(body, "other-secret", header)
    assert not verify(body, "whsec-test", header.removeprefix("sha256="))
    assert not verify(body, "whsec-test", header[:-1] + ("0" if header[-1] != "0" else "1"))
    assert not verify(body, "whsec-test", "")
    assert not verify(body, "whsec-test", "sha256=\u00e9")


def test_backoff_doubles_from_half_a_second_with_equal_jitter_under_the_cap() -> None:
    rng = random.Random(7)
    for attempt in range(1, 80):
        step = min(60.0, 0.5 * 2 ** (attempt - 1))
        for _ in range(50):
            pause = backoff_seconds(attempt, 60.0, rng)
            assert step / 2 <= pause <= step <= 60.0
    pauses = {backoff_seconds(3, 60.0, rng) for _ in range(20)}
    assert len(pauses) > 1  # jittered
    assert backoff_seconds(10**6, 0.2, rng) <= 0.2


@pytest.mark.parametrize("attempt, cap", [(0, 1.0), (1, 0.0)])
def test_backoff_refuses_nonsense(attempt: int, cap: float) -> None:
    with pytest.raises(ValueError):
        backoff_seconds(attempt, cap, random.Random())
