"""Every key helpcall names has a known hash tag, so no script can answer CROSSSLOT.

The layout of docs/cluster.md: every key starts with ``hc:{0}:`` (the home slot), except the
families common/keyspace.py places in their owner's slot (sessions in their bucket's); on a
Cluster each bucket's billing stream is ``<HELPCALL_BILLING_STREAM>:{<n>}``, in the bucket's
slot. This reads every Python and Lua source
file for a key name written otherwise, so a new key that would land elsewhere fails here, on
any Redis, before a cluster run finds it. (The test suite also checks every script call's
keys at run time: ``keyspace.CHECK_SLOTS``.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from redis.crc import key_slot

from accounts.claims import claim_key
from accounts.store import account_key
from common.keyspace import bucket_of, bucket_stream, check_one_slot
from common.redisclient import stream_on
from payments.store import refund_key, refunds_key, topup_key, topups_key
from sessions.keys import busy_key, deadlines_key, session_key, sockets_key
from sessions.wallet import holds_key, ledger_key, settled_key, wallet_key

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
# Every package of the project (a new one is read too), not the tests nor the benchmarks.
PACKAGES = sorted(p.parent.name for p in ROOT.glob("*/__init__.py")
                  if p.parent.name not in ("tests", "bench"))
# A key literal: a quote, then hc: not followed by the home tag (Python or f-string form).
OUTSIDE = re.compile(r"""(?<![A-Za-z_])f?["']hc:(?!\{0\}:|\{\{0\}\}:)""")
# The module that spells the tags out, and the one that names the earlier layout.
ALLOWED = {Path("common/keyspace.py"), Path("server/keymigration.py")}


def home(key: str) -> int:
    return key_slot(key.encode())


def test_no_source_names_a_key_outside_the_home_slot() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix not in (".py", ".lua") or path.relative_to(ROOT) in ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if OUTSIDE.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "keys outside hc:{0}: (docs/cluster.md):\n" + "\n".join(found)


def test_the_keys_of_one_call_share_its_buckets_billing_stream_and_deadlines() -> None:
    for session_id in ("s_1", "s_2", "s_3"):
        stream = bucket_stream(stream_on("helpcall:billing", "cluster"), bucket_of(session_id))
        slot = home(stream)
        for key in (session_key(session_id), sockets_key(session_id),
                    deadlines_key(session_id)):
            assert home(key) == slot, key


def test_an_experts_busy_flag_is_in_the_experts_slot() -> None:
    assert home(busy_key("a_2")) == home(account_key("a_2"))
    assert home(busy_key("a_2")) != home(session_key("s_1"))


def test_a_wallet_is_in_its_owners_slot_whole() -> None:
    slot = home(account_key("a_3"))
    keys = (wallet_key("a_3"), ledger_key("a_3"), holds_key("a_3"), settled_key("a_3"),
            topup_key("a_3", "t_1"), topups_key("a_3"), refund_key("a_3", "r_1"),
            refunds_key("a_3"))
    assert {home(key) for key in keys} == {slot}
    assert slot != home(session_key("s_1"))


def test_an_account_and_its_email_each_have_a_slot_of_their_own() -> None:
    account, claim = account_key("a_1"), claim_key("ann@example.org")
    assert home(account) == home("{a:a_1}") != home(stream_on("helpcall:billing", "cluster"))
    assert home(claim) == home("{m:ann@example.org}")
    # Many accounts spread over the slots rather than crowding one.
    assert len({home(account_key(f"a_{n}")) for n in range(1000)}) > 900


def test_a_script_given_keys_of_two_slots_is_stopped_before_redis() -> None:
    check_one_slot("one.lua", [account_key("a_1"), "helpcall:billing", account_key("a_1")])
    with pytest.raises(AssertionError, match="a Cluster refuses"):
        check_one_slot("two.lua", [account_key("a_1"), account_key("a_2")])
