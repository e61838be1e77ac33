"""Reading a receipt (``sessions.receipt``): who may, and for which sessions.

Only the two parties and admins read a receipt; anyone else is told there is no such
session, exactly as for a session that does not exist (ids reveal nothing). The expert
and admins get the expert's copy, with the fee and the payout.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from common.ids import looks_like_id
from sessions.errors import NoSuchSession, WrongState
from sessions.model import SessionView
from sessions.receipt import has_receipt, receipt
from sessions.states import State
from sessions.store import SessionStore

NameLookup = Callable[[list[str]], Awaitable[dict[str, str]]]


class NoReceipt(NoSuchSession):
    def __init__(self) -> None:
        super().__init__()
        self.message = "this session has no receipt: it was free, or never answered"


async def receipt_for(store: SessionStore, session_id: str, account_id: str, admin: bool,
                      names: NameLookup) -> dict[str, Any]:
    """The receipt of ``session_id`` as ``account_id`` may read it."""
    fields, timeline = (await store.receipt_facts(session_id)
                        if looks_like_id(session_id) else ({}, []))
    if not fields:
        raise NoSuchSession()
    view = SessionView.from_hash(fields)
    role = view.role_of(account_id)
    if role is None and not admin:
        raise NoSuchSession()
    if view.state != State.ENDED:
        raise WrongState("the receipt is ready once the call has ended")
    if not has_receipt(view):
        raise NoReceipt()
    who = await names([view.client_id, view.expert_id])
    return receipt(view, fields, timeline, who, expert_copy=role != "client")
