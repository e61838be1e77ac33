"""What the relay's membership check costs as sockets accumulate on a process.

``signaling/namespace.py:_attached_role`` asks ``self.rooms(sid)`` on every ``signal``;
python-socketio answers by scanning every room of the namespace (``BaseManager.get_rooms``).
helpcall keeps two rooms per socket (its own sid room and ``a:<account>``) plus two per
call, so the cost of one check grows with everyone connected to the process. This times
that check against a direct lookup in the manager's room table, with the rooms helpcall
would have for N sockets of which a tenth are in calls. No server, no network: stable
even on a busy machine.

``python -m bench.rooms [--sockets 100,1000,10000]``
"""

from __future__ import annotations

import argparse
import timeit

import socketio

from bench.stats import table


def manager_with(sockets: int) -> tuple[socketio.AsyncManager, str, str]:
    manager = socketio.AsyncManager()
    manager.set_server(socketio.AsyncServer(async_mode="aiohttp"))
    for n in range(sockets):
        sid, eio = f"sid{n}", f"eio{n}"
        manager.basic_enter_room(sid, "/", None, eio)
        manager.basic_enter_room(sid, "/", sid, eio)
        manager.basic_enter_room(sid, "/", f"a:acct{n}", eio)
        if n % 10 == 0:
            manager.basic_enter_room(sid, "/", f"s:sess{n}:client", eio)
    return manager, "sid0", "s:sess0:client"


def run(counts: list[int]) -> str:
    rows = []
    for count in counts:
        manager, sid, room = manager_with(count)
        loops = max(20, 200_000 // count)
        scan = min(timeit.repeat(f"{room!r} in manager.get_rooms({sid!r}, '/')",
                                 globals={"manager": manager}, number=loops, repeat=5)) / loops
        direct = min(timeit.repeat(f"{sid!r} in manager.rooms['/'].get({room!r}, ())",
                                   globals={"manager": manager}, number=200_000,
                                   repeat=5)) / 200_000
        rows.append([count, f"{1e6 * scan:.1f}", f"{1e6 * direct:.3f}",
                     f"{1 / scan:.0f}"])
    text = ("Membership check per signal, by sockets on the process\n"
            + table(["sockets", "rooms(sid) scan µs", "direct lookup µs",
                     "signals/s that the scan alone allows"], rows))
    print(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", default="100,1000,10000")
    run([int(c) for c in parser.parse_args().sockets.split(",")])


if __name__ == "__main__":
    main()
