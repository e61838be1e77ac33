"""How helpcall's keys spread over a Cluster's hash slots after real use.

Signs up ``--pairs`` clients and experts, runs call lifecycles until ``--sessions`` have
been made, then reads every key (``SCAN``) and counts keys per slot: the home slot's share,
the busiest other slot, and the share each of 3 primaries would hold with the slots split
evenly, as ``redis-cli --cluster create`` does. The slot of a key does not depend on where
it is stored, so one Redis is enough to count (docs/cluster.md). Redis's memory is read
before and after each part, for sizing (docs/deployment.md).

``python -m bench.keyslots [--pairs 500] [--sessions 1000]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections import Counter
from typing import Any

import redis

from bench import lifecycles
from bench.harness import Servers
from bench.people import make_pairs
from bench.stats import table
from common.keyspace import HOME, slot_of
from sessions.keys import session_pattern

SLOTS = 16384
PRIMARIES = 3


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def count_sessions(client: redis.Redis) -> int:
    return sum(1 for _ in client.scan_iter(match=session_pattern(), _type="hash", count=1000))


def family(key: str) -> str:
    """The first part of a key's hash tag: 0 (home, and bucket 0), n (the other buckets of
    sessions), a (account), m (email)..."""
    tag = key[key.index("{") + 1:].split("}")[0].split(":")[0]
    return "n" if tag.isdigit() and tag != "0" else tag


def _kind(key: str) -> str:
    """What a home-slot key is, by the first part of its name after the tag."""
    rest = key[len(HOME):]
    return "session" if rest.startswith("{s:") else rest.split(":")[0]


def spread(client: redis.Redis) -> dict[str, Any]:
    names = [k.decode() for k in client.scan_iter(match="hc:*", count=1000)]
    per_slot: Counter[int] = Counter(slot_of(k) for k in names)
    per_family = Counter(family(k) for k in names)
    keys = len(names)
    home = slot_of(HOME)
    others = [n for slot, n in per_slot.items() if slot != home]
    per_primary = Counter(min(slot * PRIMARIES // SLOTS, PRIMARIES - 1)
                          for slot, n in per_slot.items() for _ in range(n))
    return {
        "keys": keys,
        "slots used": len(per_slot),
        "home slot": f"{per_slot[home]} ({100 * per_slot[home] / keys:.1f} %)",
        "busiest other slot": max(others, default=0),
        "keys per primary (3, even slots)": " / ".join(
            f"{100 * per_primary[p] / keys:.0f} %" for p in range(PRIMARIES)),
        "busiest slot / mean per slot": f"{max(per_slot.values()) / (keys / SLOTS):.0f} times",
        "busiest slot / mean per used slot":
            f"{max(per_slot.values()) / (keys / len(per_slot)):.1f} times",
        "home slot's biggest kinds": ", ".join(
            f"{kind} {n}" for kind, n in Counter(
                _kind(k) for k in names if slot_of(k) == home).most_common(6)),
        "keys per tag family": ", ".join(f"{{{f}:}} {n}" if f != "0" else f"{{0}} {n}"
                                         for f, n in per_family.most_common()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
    with Servers(shared_redis=True) as servers, \
            redis.Redis.from_url(servers.redis_url) as client:
        empty = used_memory(client)
        pairs = asyncio.run(make_pairs(servers.url, args.pairs))
        signed_up = used_memory(client)
        while (made := count_sessions(client)) < args.sessions:
            lifecycles.measure(servers, pairs, 2, 3, 1)
        accounts = 2 * args.pairs
        row = {"sessions": made, "accounts": accounts, **spread(client),
               "Redis memory per account": f"{(signed_up - empty) / accounts / 1024:.1f} KiB",
               "Redis memory per ended session": (
                   f"{(used_memory(client) - signed_up) / made / 1024:.1f} KiB")}
    print(f"Keys per hash slot, {time.strftime('%d %b %H:%M UTC', time.gmtime())}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(table(["figure", "value"], list(row.items())))


if __name__ == "__main__":
    main()
