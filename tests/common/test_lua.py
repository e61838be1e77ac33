"""The Lua loader: every script of the project compiles in a real Redis, the shared pieces
behave, and keys and arguments go by name."""

from __future__ import annotations

import re
import time

import pytest
import redis.asyncio as aioredis

from common.lua import ROOT, Lua, Names, Step, every_script, in_order, source
from common.timefmt import iso_ms
from sessions.states import lua_table


def test_every_package_script_is_found() -> None:
    scripts = every_script()
    assert "sessions/lua/start.lua" in scripts
    assert "marketplace/lua/expert_index.lua" in scripts
    assert "common/lua/clock.lua" in scripts


async def test_every_script_compiles_in_redis(redis: aioredis.Redis) -> None:
    for path in every_script():
        prefix = lua_table() if path.startswith("sessions/lua/") else ""
        text = source(path, prefix).text
        # SCRIPT LOAD compiles without running: a syntax error or too many locals fails here.
        assert await redis.script_load(text), path


def test_shared_pieces_are_included_once_dependencies_first() -> None:
    text = source("sessions/lua/start.lua", lua_table()).text
    assert text.count("local function now_ms(") == 1
    assert text.count("local function hc_price(") == 1
    assert text.index("local T = {") < text.index("local function now_ms(")
    assert text.index("local function load_hash(") < text.index("local function load_session(")
    wallet = source("sessions/lua/hold_settle.lua").text
    assert wallet.index("local function now_ms(") < wallet.index("local function write_ledger(")


async def test_the_clock_is_redis_time_in_ms_and_formats_like_the_wire(
        redis: aioredis.Redis) -> None:
    clock = Lua(redis, "tests/common/lua/clock.lua")
    before = int(time.time() * 1000)
    now, formatted = await clock(args={"ms": 1_795_000_123_456})
    after = int(time.time() * 1000)
    # The embedded Redis runs on this machine's clock.
    assert before - 1000 <= int(now) <= after + 1000
    assert formatted == iso_ms(1_795_000_123_456)
    for ms in (0, 951_782_400_000, 4_107_542_399_999):  # the epoch, 29 Feb 2000, end of 2099
        assert (await clock(args={"ms": ms}))[1] == iso_ms(ms)


async def test_party_of_names_client_and_expert_never_an_empty_expert(
        redis: aioredis.Redis) -> None:
    party = Lua(redis, "tests/common/lua/party.lua")
    await redis.hset("s1", mapping={"client_id": "u_c", "expert_id": "u_e"})
    await redis.hset("queued", mapping={"client_id": "u_c", "expert_id": ""})
    assert await party(keys={"record": "s1"}, args={"account": "u_c"}) == "client"
    assert await party(keys={"record": "s1"}, args={"account": "u_e"}) == "expert"
    assert await party(keys={"record": "s1"}, args={"account": "u_x"}) == ""
    assert await party(keys={"record": "queued"}, args={"account": ""}) == ""
    assert await party(keys={"record": "gone"}, args={"account": "u_c"}) == "missing"


async def test_settling_releases_the_hold_then_charges(redis: aioredis.Redis) -> None:
    settle = Lua(redis, "tests/common/lua/settle.lua")
    await redis.hset("w", mapping={"balance": 1000, "held": 300})
    assert await settle(keys={"wallet": "w", "ledger": "l"},
                        args={"hold": 300, "amount": 120}) == ["880", "0"]
    entries = [fields for _, fields in await redis.xrange("l")]
    assert [(e["kind"], e["amount_cents"], e["balance_cents"]) for e in entries] == [
        ("release", "300", "1000"), ("charge", "-120", "880")]
    # Nothing held, nothing owed: no movement at all.
    assert await settle(keys={"wallet": "w", "ledger": "l"},
                        args={"hold": 0, "amount": 0}) == ["880", "0"]
    assert await redis.xlen("l") == 2


async def test_due_answers_what_is_due_by_redis_time(redis: aioredis.Redis) -> None:
    due = Lua(redis, "common/lua/due.lua")
    now = int(time.time() * 1000)
    await redis.zadd("dl", {"ring|a": now - 5000, "ring|b": now - 4000, "grace|c": now + 60_000})
    assert await due(keys={"deadlines": "dl"}, args={"limit": 10}) == ["ring|a", "ring|b"]
    assert await due(keys={"deadlines": "dl"}, args={"limit": 1}) == ["ring|a"]


async def test_a_lock_is_released_by_its_owner_only(redis: aioredis.Redis) -> None:
    release = Lua(redis, "common/lua/release_lock.lua")
    await redis.set("lock", "mine")
    await release(keys={"lock": "lock"}, args={"token": "theirs"})
    assert await redis.get("lock") == "mine"
    await release(keys={"lock": "lock"}, args={"token": "mine"})
    assert await redis.get("lock") is None


async def test_names_are_checked_before_anything_runs(redis: aioredis.Redis) -> None:
    due = Lua(redis, "common/lua/due.lua")
    with pytest.raises(ValueError, match="expected \\['deadlines'\\]"):
        await due(keys={"deadline": "dl"}, args={"limit": 1})
    with pytest.raises(ValueError, match="expected \\['limit'\\]"):
        await due(keys={"deadlines": "dl"}, args={"limit": 1, "extra": 2})
    with pytest.raises(ValueError, match="passed by name"):
        await due(keys=["dl"], args=[1])


async def test_a_rest_name_takes_a_list(redis: aioredis.Redis) -> None:
    unlink = Lua(redis, "brands/lua/unlink.lua")  # fixed names only
    assert unlink.source.keys.fixed == ("one", "other")
    assert Lua(redis, "marketplace/lua/review_ratings.lua").source.keys.rest == "markers"
    assert Lua(redis, "sessions/lua/intent.lua").source.args.rest == "members"


def test_a_shared_piece_names_the_familys_keys_first_then_each_script_its_own() -> None:
    prelude = ("booking", "deadlines", "billing")
    book, cancel = source("appointments/lua/book.lua"), source("appointments/lua/cancel.lua")
    assert book.keys.fixed == cancel.keys.fixed == prelude
    request = source("earnings/lua/request.lua")
    assert request.keys.fixed == ("account", "ledger", "payout", "payouts", "requested", "bank")
    assert cancel.args.fixed == ("id", "fee_percent", "lease_ms", "account")
    # Header lines of one kind continue each other: book.lua's arguments take four lines.
    assert book.args.fixed[3:6] == ("client_id", "expert_id", "topic")
    assert book.args.fixed[-2:] == ("reservation", "member")
    assert book.args.fixed[-3] == "hold_intent"


async def test_a_piece_and_its_script_share_one_table_of_names(redis: aioredis.Redis) -> None:
    # tests/common/lua/piece_user.lua uses piece.lua, which names ``wallet`` and ``amount``.
    script = Lua(redis, "tests/common/lua/piece_user.lua")
    await redis.hset("w", "balance", 500)
    assert await script(keys={"wallet": "w", "log": "l"},
                        args={"amount": 120, "note": "ok"}) == 380
    assert await redis.lrange("l", 0, -1) == ["ok 380"]
    with pytest.raises(ValueError, match="expected \\['log', 'wallet'\\]"):
        await script(keys={"log": "l"}, args={"amount": 1, "note": "x"})


def test_a_name_twice_or_after_a_rest_fails_at_load() -> None:
    with pytest.raises(ValueError, match="cannot be followed"):
        Names.parse("wallet ledger").then(Names.parse("wallet"))
    with pytest.raises(ValueError, match="cannot be followed"):
        Names.parse("wallet ...parts").then(Names.parse("ledger"))
    assert Names.parse("wallet").then(Names.parse("ledger ...parts")) == Names(
        ("wallet", "ledger"), "parts")
    assert Names(("a",)).then(Names()) == Names(("a",))


async def test_a_piece_names_what_its_family_shares_first(redis: aioredis.Redis) -> None:
    member = Lua(redis, "tests/common/lua/family_member.lua")
    assert member.source.keys == Names(("record", "own"))
    assert member.source.args == Names(("id",), rest="more")
    assert await member(keys={"record": "r", "own": "o"},
                        args={"id": "s1", "more": [1, 2, 3]}) == ["r", "s1", "o", 3]
    with pytest.raises(ValueError, match="expected \\['own', 'record'\\]"):
        await member(keys={"own": "o"}, args={"id": "s1", "more": []})
    # A rest list of any length: Lua in Redis cannot unpack() 8000 values, the loader loops.
    many = list(range(10_000))
    assert (await member(keys={"record": "r", "own": "o"},
                         args={"id": "s1", "more": many}))[3] == 10_000
    # Every session script reads the same leading keys and arguments, then its own.
    share = source("sessions/lua/share.lua", lua_table())
    assert share.keys.fixed[:2] == ("session", "socks")
    assert share.args.fixed[:2] == ("id", "expert")
    assert share.args.fixed[-2:] == ("max_bytes", "kept")



# What a script calls when it moves money: holds, charges, ledger lines, a call's end.
_MOVES_MONEY = re.compile(r"(?<![\w.])(hold_funds|release_hold|charge|finish|write_ledger|"
                          r"ledger|settle)\(")


def test_every_script_that_moves_money_is_durable() -> None:
    """``--! durable`` is what makes a script wait for replicas (common/replicas.py): a
    new money script without it would be answered before a replica has it."""
    pieces = {line.split()[-1] for path in every_script()
              for line in (ROOT / path).read_text().splitlines() if line.startswith("--! use")}
    for path in every_script():
        if path in pieces or path.startswith("tests/"):  # the tests' own drivers
            continue
        calls = [line for line in (ROOT / path).read_text().splitlines()
                 if not line.lstrip().startswith(("--", "local function"))
                 and _MOVES_MONEY.search(line)]
        if calls:
            assert source(path).durable, f"{path} moves money ({calls[0].strip()!r})"
    assert source("sessions/lua/act.lua").durable
    assert not source("sessions/lua/chat.lua").durable


@pytest.mark.cluster
async def test_steps_in_order_see_each_others_writes_even_after_redis_lost_its_scripts(
    redis: aioredis.Redis,
) -> None:
    lock = Lua(redis, "common/lua/release_lock.lua")
    await redis.set("hc:{a:x}:lock", "mine")
    await redis.script_flush()  # as after a restart: the EVALSHA answers NOSCRIPT
    replies = await in_order(
        redis,
        lock.step(keys={"lock": "hc:{a:x}:lock"}, args={"token": "mine"}),
        Step(("SET", "hc:{a:x}:lock", "next", "NX")),
        lock.step(keys={"lock": "hc:{a:x}:lock"}, args={"token": "mine"}))
    assert replies[1] is True  # the first step had released it
    assert await redis.get("hc:{a:x}:lock") == "next"  # the third was not its owner
