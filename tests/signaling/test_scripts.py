"""The signaling scripts' rules, each loaded into the real test Redis on its own: ring
limits per expert and per client, a socket cap across processes that forgets dead ones,
the away rule, and an account's sockets on a process."""

from __future__ import annotations

import redis.asyncio as aioredis

from common.lua import Lua

WINDOW = {"per_expert": 2, "per_client": 3, "window_ms": 600_000}


async def test_rings_are_limited_per_expert_and_per_client(redis: aioredis.Redis) -> None:
    ring = Lua(redis, "signaling/lua/ring_limit.lua")

    async def start(pair: str, named: bool = True) -> int:
        return int(await ring(keys={"pair": pair, "client": "c"},
                              args={**WINDOW, "named": "1" if named else "0"}))

    assert [await start("c:e1") for _ in range(2)] == [0, 0]
    assert 0 < await start("c:e1") <= 600_000  # this expert, rung enough
    assert await redis.get("c") == "2"  # a refused ring is not counted
    assert await start("c:-", named=False) == 0  # a category call counts per client only
    assert await redis.exists("c:-") == 0
    assert 0 < await start("c:e2") <= 600_000  # three rings of anyone in the window


async def test_sockets_are_capped_across_processes_and_dead_ones_forgotten(
        redis: aioredis.Redis) -> None:
    open_socket = Lua(redis, "signaling/lua/socket_open.lua")
    await redis.zadd("procs", {"p1": 1, "p2": 1})

    async def admit(member: str) -> int:
        return int(await open_socket(keys={"sockets": "socks", "procs": "procs"},
                                     args={"member": member, "cap": 2, "now_ms": 5}))

    assert [await admit("p1|a"), await admit("p2|b"), await admit("p1|c")] == [1, 1, 0]
    await redis.zrem("procs", "p2")  # p2 died: its socket no longer counts
    assert await admit("p1|c") == 1
    assert await redis.zrange("socks", 0, -1) == ["p1|a", "p1|c"]


async def test_an_expert_is_away_after_rings_of_different_clients_go_unanswered(
        redis: aioredis.Redis) -> None:
    unanswered = Lua(redis, "signaling/lua/unanswered.lua")

    async def missed(client: str) -> int:
        return int(await unanswered(keys={"clients": "missed"},
                                    args={"client": client, "away_after": 3,
                                          "ttl_ms": 600_000}))

    assert [await missed(c) for c in ("c1", "c1", "c1", "c2")] == [0, 0, 0, 0]
    assert await missed("c3") == 1
    assert await redis.exists("missed") == 0  # the record starts again
    assert await missed("c1") == 0


async def test_an_account_leaves_a_process_with_its_last_socket(redis: aioredis.Redis) -> None:
    enter = Lua(redis, "signaling/lua/enter.lua")
    leave = Lua(redis, "signaling/lua/leave.lua")
    args = {"proc": "p1"}
    await redis.sadd("watch:a", "p2")  # p2 read where the account's sockets are
    entering = {"sockets": "socks:a", "watchers": "watch:a"}
    assert await enter(keys=entering, args=args) == [1, "p2"]  # arrived on p1: p2 must hear
    assert await enter(keys=entering, args=args) == [2]
    assert await leave(keys={"sockets": "socks:a"}, args=args) == 1
    assert await redis.hget("socks:a", "p1") == "1"
    assert await leave(keys={"sockets": "socks:a"}, args=args) == 0
    assert await redis.exists("socks:a") == 0
