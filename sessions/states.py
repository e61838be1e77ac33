"""The session state machine (protocol §3), as data.

``TRANSITIONS`` is the single source of truth: ``decide`` reads it in Python, and
``lua_table()`` renders it into the Lua scripts that apply transitions atomically in
Redis, so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    QUEUED = "queued"
    RINGING = "ringing"
    ACCEPTED = "accepted"
    LIVE = "live"
    PAUSED = "paused"
    ENDED = "ended"


# The states in which a session holds its expert (their busy flag names it).
HOLDS_EXPERT = frozenset({State.RINGING, State.ACCEPTED, State.LIVE, State.PAUSED})


class EndReason(StrEnum):
    HANGUP = "hangup"
    DECLINED = "declined"
    NO_ANSWER = "no_answer"
    CANCELLED = "cancelled"
    FAILED = "failed"
    DROPPED = "dropped"
    BALANCE_EXHAUSTED = "balance_exhausted"


class Event(StrEnum):
    ROUTED = "routed"  # a queued call starts ringing an expert
    ACCEPT = "accept"
    DECLINE = "decline"
    CANCEL = "cancel"
    RING_TIMEOUT = "ring_timeout"
    QUEUE_TIMEOUT = "queue_timeout"
    CONNECT_TIMEOUT = "connect_timeout"
    BOTH_CONNECTED = "both_connected"
    CONNECTION_LOST = "connection_lost"
    GRACE_TIMEOUT = "grace_timeout"
    BALANCE_OUT = "balance_out"
    HANGUP = "hangup"


@dataclass(frozen=True)
class Transition:
    to: State
    reason: EndReason | None = None


def _end(reason: EndReason) -> Transition:
    return Transition(State.ENDED, reason)


TRANSITIONS: dict[State, dict[Event, Transition]] = {
    State.QUEUED: {
        Event.ROUTED: Transition(State.RINGING),
        Event.CANCEL: _end(EndReason.CANCELLED),
        Event.HANGUP: _end(EndReason.CANCELLED),
        Event.QUEUE_TIMEOUT: _end(EndReason.DECLINED),
        Event.DECLINE: _end(EndReason.DECLINED),
    },
    State.RINGING: {
        Event.ACCEPT: Transition(State.ACCEPTED),
        Event.DECLINE: _end(EndReason.DECLINED),
        Event.CANCEL: _end(EndReason.CANCELLED),
        Event.HANGUP: _end(EndReason.CANCELLED),
        Event.RING_TIMEOUT: _end(EndReason.NO_ANSWER),
    },
    State.ACCEPTED: {
        Event.BOTH_CONNECTED: Transition(State.LIVE),
        Event.CONNECT_TIMEOUT: _end(EndReason.FAILED),
        Event.HANGUP: _end(EndReason.HANGUP),
    },
    State.LIVE: {
        Event.CONNECTION_LOST: Transition(State.PAUSED),
        Event.BALANCE_OUT: _end(EndReason.BALANCE_EXHAUSTED),
        Event.HANGUP: _end(EndReason.HANGUP),
    },
    State.PAUSED: {
        Event.BOTH_CONNECTED: Transition(State.LIVE),
        Event.GRACE_TIMEOUT: _end(EndReason.DROPPED),
        Event.HANGUP: _end(EndReason.HANGUP),
    },
    State.ENDED: {},
}

# States in which the two participants hold a call (signals and chat flow).
IN_CALL = frozenset({State.ACCEPTED, State.LIVE, State.PAUSED})


def lua_table() -> str:
    """``TRANSITIONS`` as a Lua table literal: T[state][event] = {to, reason}."""
    rows = []
    for state, events in TRANSITIONS.items():
        cells = ", ".join(
            f'["{event}"] = {{"{t.to}", "{t.reason or ""}"}}' for event, t in events.items()
        )
        rows.append(f'["{state}"] = {{{cells}}}')
    return "local T = {" + ", ".join(rows) + "}\n"
