"""helpcall's Socket.IO client manager: each emit goes only where its receivers are.

python-socketio's ``AsyncRedisManager`` publishes every emit on one channel that every
process reads and decodes. This manager instead:

- delivers to this process's members of the rooms at once, with no Redis round trip;
- publishes once to each *other* process holding members (its own channel,
  ``helpcall:sio:<proc>``), when it knows which ones: the locations are read from Redis
  (``signaling/directory.py``) and cached per process (``signaling/locations.py``);
- when it does not know for sure, leaves the emit to the outbox writer, which reads the
  locations from Redis first (``signaling/outbox.py``): in doubt, through Redis;
- uses ``helpcall:sio:all`` only for what concerns every process: emits to rooms it
  cannot locate (none in helpcall), closing such rooms, burials.

Keeping caches true. A socket entering a room changes where that room is; the entering
process tells the processes that may hold a stale copy and waits (at most
``ANSWER_SECONDS``) for each to answer before the entry completes, so that anything
emitted after the client hears its ``call:join`` / ``call:accept`` answer reaches it:

- a session room: the processes holding the session's other sockets (read from the
  session's socket hash), the only ones that relay into it; none when the socket is the
  first of its side ever in the session (the call's start, its accept), since no process
  can then hold a location of that room but "nobody", which none trusts;
- an account room, on the account's first socket on this process: the processes that read
  where the account's sockets are lately (its *watchers*, kept in Redis by every such read,
  signaling/directory.py), not every process.

A session room whose cached locations list no process at all is always read again (a
participant may be attaching right now); a process that receives an emit for a room it
holds no member of answers ``x``, and the sender reads that room again. A lost
subscription empties the cache (whatever was published meanwhile is lost: clients rebuild
their view with ``call:join``, protocol §3); so does the burial of a dead process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from engineio import packet as eio_packet
from socketio import AsyncManager, packet

from common.redisclient import redis_client
from signaling.directory import WATCH_SECONDS, SocketDirectory, account_of
from signaling.forgetting import Forgetting
from signaling.frames import (
    ALL_CHANNEL,
    Kind,
    emit_frame,
    parse_emit,
    parse_invalidate,
    proc_channel,
    room_kind,
    session_of,
    session_rooms,
)
from signaling.locations import Locations
from signaling.outbox import Outbox, Routed
from signaling.publisher import Publish, publisher_for
from signaling.subscription import Subscription

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelayCounts:
    """Since the process started: messages it published for other processes (emits,
    invalidations and their answers), those lost to Redis errors instead, and how many
    times its subscription was lost and taken again."""

    published: int
    lost: int
    resubscriptions: int


class DeliveryManager(AsyncManager):  # type: ignore[misc]
    name = "helpcall"

    def __init__(self, url: str, proc: str) -> None:
        super().__init__()
        self.proc = proc
        self.channel = proc_channel(proc)
        self._url = url
        self._locations = Locations(trust_seconds=WATCH_SECONDS / 4)
        self._listening = False
        self._accounts_of: dict[str, list[str]] = {}  # sid -> account rooms it is in
        self._ready: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.thread: asyncio.Task[None] | None = None  # cancelled by the app at stop

    # -- life -------------------------------------------------------------------------

    def initialize(self) -> None:
        if self.thread is not None:
            return
        self._redis = redis_client(self._url)
        self.directory = SocketDirectory(self._redis)
        self._publisher = publisher_for(self._url, self._redis)
        self.outbox = Outbox(self._redis, self._publisher, self.proc, self._known,
                             self._locations.begin, self._learned)
        self.forgetting = Forgetting(self.outbox, self.channel)
        self.subscription = Subscription(self._url, [self.channel, ALL_CHANNEL],
                                         self._received, self._up, self._down)
        self._ready = asyncio.Event()
        self._tasks = [asyncio.create_task(self.outbox.run()),
                       asyncio.create_task(self.subscription.run())]
        self.thread = asyncio.create_task(self._live())

    async def start(self, within: float = 10.0) -> None:
        """Subscribed before the first socket comes, so no invalidation misses us."""
        self.server.manager_initialized = True
        self.initialize()
        assert self._ready is not None
        await asyncio.wait_for(self._ready.wait(), within)

    async def stop(self) -> None:
        """Flushes what is queued (briefly), then stops listening and publishing."""
        if self.thread is None:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await self.outbox.flushed()
        self.thread.cancel()
        await asyncio.gather(self.thread, return_exceptions=True)

    async def _live(self) -> None:
        try:
            await asyncio.gather(*self._tasks)
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._publisher.close()
            await self._redis.aclose()

    def _up(self, again: bool) -> None:
        if again:
            log.warning("pub/sub subscription back: events published meanwhile are lost")
        self._locations.clear()
        self._listening = True
        assert self._ready is not None
        self._ready.set()

    def _down(self) -> None:
        self._listening = False
        self._locations.clear()

    def counts(self) -> RelayCounts:
        """What crossed processes from here since start (``GET /metrics``)."""
        if self.thread is None:
            return RelayCounts(0, 0, 0)
        return RelayCounts(self.outbox.published, self.outbox.dropped,
                           self.subscription.losses)

    # -- where rooms are --------------------------------------------------------------

    def _holds_session(self, room: str) -> bool:
        rooms = self.rooms.get("/", {})
        client, expert = session_rooms(session_of(room))
        return client in rooms or expert in rooms

    def _known(self, room: str) -> frozenset[str] | None:
        """The processes holding ``room``, when this process may trust its cache."""
        if not self._listening:
            return None
        procs = self._locations.get(room)
        if procs is not None and room_kind(room) == Kind.SESSION:
            # Only processes relaying in a session hear of its changes; nobody known may
            # mean somebody is attaching right now.
            if not procs or not self._holds_session(room):
                return None
        return procs

    def _learned(self, ticket: int, found: dict[str, frozenset[str]]) -> None:
        self._locations.finish(ticket, {
            room: procs for room, procs in found.items()
            if room_kind(room) != Kind.SESSION or self._holds_session(room)})

    # -- rooms ------------------------------------------------------------------------

    async def enter_room(self, sid: str, namespace: str, room: str,
                         eio_sid: str | None = None) -> None:
        kind = room_kind(room)
        if kind == Kind.ACCOUNT:
            watchers = await self.directory.account_entered(account_of(room), self.proc, sid)
            self._accounts_of.setdefault(sid, []).append(room)
            self.basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
            if watchers:
                await self.forgetting.ask([proc_channel(p) for p in watchers], [room])
            return
        self.basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        if kind == Kind.SESSION:
            await self._session_entered(room)

    async def _session_entered(self, room: str) -> None:
        ticket = self._locations.begin()
        found: dict[str, frozenset[str]] = {}
        first = False
        try:
            found, first = await self.directory.session_entered(room)
        finally:
            self._learned(ticket, found)
        if first:
            # The side's first socket ever (the call's start, its accept): every location
            # of this room read before said "nobody", which no process trusts; nothing
            # else moved. So no process holds a stale copy, and none is told.
            return
        others = sorted({p for procs in found.values() for p in procs} - {self.proc})
        if others:
            await self.forgetting.ask([proc_channel(p) for p in others], list(found))

    async def leave_room(self, sid: str, namespace: str, room: str) -> None:
        self.basic_leave_room(sid, namespace, room)
        rooms = self._accounts_of.get(sid, [])
        if room in rooms:
            rooms.remove(room)
            await self._account_left(room, sid)

    async def disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        rooms = self._accounts_of.pop(sid, [])
        self.basic_disconnect(sid, namespace)
        for room in rooms:
            await self._account_left(room, sid)

    async def _account_left(self, room: str, sid: str) -> None:
        try:
            await self.directory.account_left(account_of(room), self.proc, sid)
        except Exception:
            # Harmless: other processes keep sending here until this process is buried.
            log.warning("could not record that a socket of %s left", room, exc_info=True)

    async def close_room(self, room: str, namespace: str) -> None:
        self._close_here(room, namespace or "/")
        frame = f"c{namespace or '/'}\n{room}"
        if room_kind(room) == Kind.OTHER:
            await self.outbox.put(Publish(ALL_CHANNEL, frame))
        else:
            await self.outbox.put(Routed([room], frame))

    def _close_here(self, room: str, namespace: str) -> None:
        self.basic_close_room(room, namespace)
        if room_kind(room) == Kind.SESSION and not self._holds_session(room):
            self._locations.drop(list(session_rooms(session_of(room))))  # the call is over

    # -- emitting ---------------------------------------------------------------------

    async def emit(self, event: str, data: Any, namespace: str | None = None,
                   room: Any = None, skip_sid: Any = None, callback: Any = None,
                   to: Any = None, **kwargs: Any) -> None:
        room = to or room
        namespace = namespace or "/"
        if callback is not None:
            # Acknowledged emits (``sio.call``) go to one local socket; helpcall has none.
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid,
                               callback=callback)
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        try:
            # What python-socketio's Packet.encode writes for an event without binary
            # parts, minus its walk through the data looking for bytes (a hot spot).
            encoded = self.json.dumps([event, *args], separators=(",", ":"))
        except TypeError:  # bytes somewhere: binary attachments, which helpcall never sends
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid)
            log.warning("binary event %s delivered on this process only", event)
            return
        encoded = (f"{packet.EVENT}" if namespace == "/" else f"{packet.EVENT}{namespace},"
                   ) + encoded
        rooms = None if room is None else [room] if isinstance(room, str) else list(room)
        skip = [] if skip_sid is None else [skip_sid] if isinstance(skip_sid, str) else skip_sid
        await self._deliver(namespace, rooms, skip, encoded)
        if self.thread is None:
            self.initialize()
        await self._route(namespace, rooms, skip, encoded)

    async def _deliver(self, namespace: str, rooms: list[str] | None, skip: list[str],
                       encoded: str) -> list[str]:
        """Sends to this process's members; answers the rooms it holds none of."""
        ns = self.rooms.get(namespace)
        if not ns:
            return rooms or []
        eio_pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        send = self.server._send_eio_packet
        if rooms is None:
            for sid, eio_sid in list(ns.get(None, {}).items()):
                if sid not in skip:
                    await send(eio_sid, eio_pkt)
            return []
        empty, seen = [], set(skip)
        for room in rooms:
            members = ns.get(room)
            if not members:
                empty.append(room)
                continue
            for sid, eio_sid in list(members.items()):
                if sid not in seen:
                    seen.add(sid)
                    await send(eio_sid, eio_pkt)
        return empty

    async def _route(self, namespace: str, rooms: list[str] | None, skip: list[str],
                     encoded: str) -> None:
        """The part of an emit for other processes."""
        procs: set[str] = set()
        routed = False
        for room in rooms or ():
            kind = room_kind(room)
            if kind == Kind.OTHER:
                if self.is_sid_room(namespace, room):
                    continue  # one of ours: delivered
                rooms = None  # a room Redis cannot locate: every process looks
                break
            known = self._known(room)
            if known is None:
                routed = True
            else:
                procs.update(known)
        if rooms is None:
            frame = emit_frame(self.proc, namespace, [], skip, encoded)
            await self.outbox.put(Publish(ALL_CHANNEL, frame))
            return
        procs.discard(self.proc)
        if not procs and not routed:
            return  # every receiver is here: no Redis at all
        frame = emit_frame(self.proc, namespace, rooms, skip, encoded)
        if routed:
            await self.outbox.put(Routed(rooms, frame))
            return
        for proc in procs:
            await self.outbox.put(Publish(proc_channel(proc), frame))

    # -- receiving --------------------------------------------------------------------

    async def _received(self, message: str) -> None:
        kind = message[:1]
        if kind == "e":
            emit = parse_emit(message)
            if emit.sender == self.proc:
                return  # our own broadcast: delivered when emitted
            empty = await self._deliver(emit.namespace, emit.rooms or None, emit.skip,
                                        emit.packet)
            for room in empty:
                if room_kind(room) != Kind.OTHER:
                    await self.outbox.put(Publish(proc_channel(emit.sender), "x" + room))
        elif kind == "i":
            reply, token, rooms = parse_invalidate(message)
            self._locations.drop(rooms)
            await self.outbox.put(Publish(reply, "a" + token))
        elif kind == "a":
            self.forgetting.answered(message[1:])
        elif kind == "x":
            self._locations.drop([message[1:]])
        elif kind == "c":
            namespace, room = message[1:].split("\n", 1)
            self._close_here(room, namespace)
        elif kind == "z":
            self._locations.clear()

    async def bury(self, proc: str) -> None:
        """A dead process's sockets are gone: forget them in Redis, and tell everyone."""
        self.initialize()
        await self.directory.bury(proc)
        await self.outbox.put(Publish(ALL_CHANNEL, "z" + proc))
