"""What processes say to each other over Redis pub/sub, and the rooms they talk about.

Every message is one short text, its kind in the first character, fields separated by
newlines. An emit carries the Socket.IO packet already encoded by the sender, so a
receiving process parses a few header fields and hands the same text to its sockets: it
never decodes or re-encodes the event's JSON.

| kind | fields | the receiver |
| --- | --- | --- |
| ``e`` | sender, namespace, rooms, skipped sids, packet | sends the packet to its members |
| ``c`` | namespace, room | closes its part of the room |
| ``i`` | reply channel, token, rooms | forgets where those rooms are, answers ``a`` |
| ``a`` | token | counts an answer to its ``i`` |
| ``x`` | room | forgets where the room is (the sender had none of its sockets) |
| ``z`` | process | forgets everything: that process was buried |

An ``e`` with no rooms goes to every socket of the namespace. Rooms and sids never
contain a newline or the unit separator (helpcall's rooms are ``a:<account>`` and
``s:<session>:<role>``); ``emit_frame`` refuses any that do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

ALL_CHANNEL = "helpcall:sio:all"
SEP = "\x1f"


def proc_channel(proc: str) -> str:
    """The channel only process ``proc`` reads."""
    return f"helpcall:sio:{proc}"


class Kind(Enum):
    ACCOUNT = "account"
    SESSION = "session"
    OTHER = "other"


def room_kind(room: str) -> Kind:
    if room.startswith("a:"):
        return Kind.ACCOUNT
    if room.startswith("s:") and room.endswith((":client", ":expert")):
        return Kind.SESSION
    return Kind.OTHER


def session_of(room: str) -> str:
    """``s:<id>:<role>`` -> ``<id>``."""
    return room[2:room.rindex(":")]


def session_rooms(session_id: str) -> tuple[str, str]:
    return f"s:{session_id}:client", f"s:{session_id}:expert"


def _checked(names: list[str]) -> str:
    for name in names:
        if "\n" in name or SEP in name:
            raise ValueError(f"room or sid {name!r} cannot cross processes")
    return SEP.join(names)


def emit_frame(sender: str, namespace: str, rooms: list[str], skip: list[str],
               packet: str) -> str:
    return f"e{sender}\n{namespace}\n{_checked(rooms)}\n{_checked(skip)}\n{packet}"


@dataclass(frozen=True)
class Emit:
    sender: str
    namespace: str
    rooms: list[str]  # empty: every socket of the namespace
    skip: list[str]
    packet: str


def parse_emit(frame: str) -> Emit:
    sender, namespace, rooms, skip, packet = frame[1:].split("\n", 4)
    return Emit(sender, namespace, rooms.split(SEP) if rooms else [],
                skip.split(SEP) if skip else [], packet)


def invalidate_frame(reply_channel: str, token: str, rooms: list[str]) -> str:
    return f"i{reply_channel}\n{token}\n{_checked(rooms)}"


def parse_invalidate(frame: str) -> tuple[str, str, list[str]]:
    reply_channel, token, rooms = frame[1:].split("\n", 2)
    return reply_channel, token, rooms.split(SEP)
