"""The state machine as data: every transition of protocol §3, and nothing else."""

from __future__ import annotations

import pytest

from sessions.errors import WrongState
from sessions.states import TRANSITIONS, EndReason, Event, State, Transition, lua_table

E = EndReason


def decide(state: State, event: Event) -> Transition:
    """The transition ``event`` causes in ``state`` (the scripts read the same table)."""
    transition = TRANSITIONS[state].get(event)
    if transition is None:
        raise WrongState(f"cannot {event.value.replace('_', ' ')} a session that is {state.value}")
    return transition


@pytest.mark.parametrize(("state", "event", "expected"), [
    (State.QUEUED, Event.ROUTED, Transition(State.RINGING)),
    (State.QUEUED, Event.CANCEL, Transition(State.ENDED, E.CANCELLED)),
    (State.QUEUED, Event.QUEUE_TIMEOUT, Transition(State.ENDED, E.DECLINED)),
    (State.RINGING, Event.ACCEPT, Transition(State.ACCEPTED)),
    (State.RINGING, Event.DECLINE, Transition(State.ENDED, E.DECLINED)),
    (State.RINGING, Event.CANCEL, Transition(State.ENDED, E.CANCELLED)),
    (State.RINGING, Event.RING_TIMEOUT, Transition(State.ENDED, E.NO_ANSWER)),
    (State.ACCEPTED, Event.BOTH_CONNECTED, Transition(State.LIVE)),
    (State.ACCEPTED, Event.CONNECT_TIMEOUT, Transition(State.ENDED, E.FAILED)),
    (State.ACCEPTED, Event.HANGUP, Transition(State.ENDED, E.HANGUP)),
    (State.LIVE, Event.CONNECTION_LOST, Transition(State.PAUSED)),
    (State.LIVE, Event.BALANCE_OUT, Transition(State.ENDED, E.BALANCE_EXHAUSTED)),
    (State.LIVE, Event.HANGUP, Transition(State.ENDED, E.HANGUP)),
    (State.PAUSED, Event.BOTH_CONNECTED, Transition(State.LIVE)),
    (State.PAUSED, Event.GRACE_TIMEOUT, Transition(State.ENDED, E.DROPPED)),
    (State.PAUSED, Event.HANGUP, Transition(State.ENDED, E.HANGUP)),
])
def test_transitions(state: State, event: Event, expected: Transition) -> None:
    assert decide(state, event) == expected


@pytest.mark.parametrize(("state", "event"), [
    (State.RINGING, Event.BOTH_CONNECTED),
    (State.ACCEPTED, Event.CANCEL),  # too late to cancel: hang up instead
    (State.LIVE, Event.ACCEPT),
    (State.PAUSED, Event.BALANCE_OUT),  # no credit is spent while paused
    (State.QUEUED, Event.ACCEPT),
    *((State.ENDED, event) for event in Event),
])
def test_everything_else_is_a_conflict(state: State, event: Event) -> None:
    with pytest.raises(WrongState) as raised:
        decide(state, event)
    assert raised.value.code == "conflict"


def test_every_ending_has_a_reason_and_only_endings_do() -> None:
    for events in TRANSITIONS.values():
        for transition in events.values():
            assert (transition.reason is not None) == (transition.to == State.ENDED)


def test_the_lua_table_is_rendered_from_the_same_data() -> None:
    table = lua_table()
    for state, events in TRANSITIONS.items():
        for event, transition in events.items():
            cell = f'["{event}"] = {{"{transition.to}", "{transition.reason or ""}"}}'
            assert cell in table, (state, event)
