"""Every key helpcall names lives in one hash slot, so no script can answer CROSSSLOT.

The layout of docs/cluster.md: every key starts with ``hc:{0}:`` (the home slot), and on a
Cluster the billing stream is ``<HELPCALL_BILLING_STREAM>:{0}``, in the same slot. This reads
every Python and Lua source file for a key name written otherwise, so a new key that would
land elsewhere fails here, on any Redis, before a cluster run finds it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from redis.crc import key_slot

from common.redisclient import stream_on
from sessions.keys import busy_key, session_key, sockets_key
from sessions.wallet import ledger_key, wallet_key

# Also run on a Redis Cluster: pytest -m cluster --redis=cluster (docs/cluster.md).
pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[2]
# Every package of the project (a new one is read too), not the tests nor the benchmarks.
PACKAGES = sorted(p.parent.name for p in ROOT.glob("*/__init__.py")
                  if p.parent.name not in ("tests", "bench"))
# A key literal: a quote, then hc: not followed by the home tag (Python or f-string form).
OUTSIDE = re.compile(r"""(?<![A-Za-z_])f?["']hc:(?!\{0\}:|\{\{0\}\}:)""")
# The one module that names the earlier layout, to rename it.
ALLOWED = {Path("server/keymigration.py")}


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


def test_the_keys_of_one_call_share_the_billing_streams_slot() -> None:
    slot = home(stream_on("helpcall:billing", "cluster"))
    for key in (session_key("s_1"), sockets_key("s_1"), busy_key("a_2"), wallet_key("a_3"),
                ledger_key("a_3")):
        assert home(key) == slot, key
