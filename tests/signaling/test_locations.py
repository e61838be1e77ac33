"""The location cache and the inter-process frames, without Redis."""

from __future__ import annotations

import pytest

from signaling.frames import Kind, emit_frame, parse_emit, room_kind
from signaling.locations import Locations

pytestmark = pytest.mark.cluster  # also run on a Redis Cluster (docs/cluster.md)

P1, P2 = frozenset({"p_1"}), frozenset({"p_2"})


def test_a_read_answered_after_an_invalidation_is_not_kept() -> None:
    cache = Locations()
    ticket = cache.begin()
    cache.drop(["a:x"])  # another process changed a:x while the read was in flight
    cache.finish(ticket, {"a:x": P1, "a:y": P2})
    assert cache.get("a:x") is None
    assert cache.get("a:y") == P2


def test_a_read_begun_after_the_invalidation_is_kept() -> None:
    cache = Locations()
    cache.drop(["a:x"])
    ticket = cache.begin()
    cache.finish(ticket, {"a:x": P1})
    assert cache.get("a:x") == P1


def test_clearing_spoils_every_read_in_flight() -> None:
    cache = Locations()
    first, second = cache.begin(), cache.begin()
    cache.clear()  # the subscription was lost
    cache.finish(first, {"a:x": P1})
    later = cache.begin()
    cache.finish(second, {"a:y": P1})
    cache.finish(later, {"a:z": P2})
    assert (cache.get("a:x"), cache.get("a:y"), cache.get("a:z")) == (None, None, P2)


def test_the_cache_forgets_its_oldest_rooms_past_its_limit() -> None:
    cache = Locations(limit=2)
    for room in ("a:1", "a:2", "a:3"):
        cache.finish(cache.begin(), {room: P1})
    assert cache.get("a:1") is None and cache.get("a:3") == P1 and len(cache) == 2


def test_an_emit_frame_carries_the_encoded_packet_untouched() -> None:
    packet = '2["chat",{"text":"a\\nb"}]'
    frame = emit_frame("p_1", "/", ["s:s_1:client", "s:s_1:expert"], [], packet)
    emit = parse_emit(frame)
    assert (emit.sender, emit.rooms, emit.skip, emit.packet) == (
        "p_1", ["s:s_1:client", "s:s_1:expert"], [], packet)
    with pytest.raises(ValueError):
        emit_frame("p_1", "/", ["bad\nroom"], [], packet)


def test_rooms_are_told_apart_by_name() -> None:
    assert room_kind("a:a_1") == Kind.ACCOUNT
    assert room_kind("s:s_1:expert") == Kind.SESSION
    assert room_kind("lobby") == Kind.OTHER


def test_a_copy_is_trusted_only_for_a_while() -> None:
    now = [100.0]
    locations = Locations(trust_seconds=15, clock=lambda: now[0])
    locations.finish(locations.begin(), {"a:x": frozenset({"p1"})})
    now[0] += 15
    assert locations.get("a:x") == frozenset({"p1"})
    now[0] += 0.1  # past it the room is read again (its watcher registration lasts longer)
    assert locations.get("a:x") is None
