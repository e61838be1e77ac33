"""The names of the session keys, for the scripts and for every reader of sessions.

Every key but one starts ``hc:{0}:`` (one hash slot, docs/cluster.md). The session
hash ``{s:<id>}`` and, beside it, ``:socks`` (socket id -> ``role|process``), ``:chat``,
``:rung`` (experts already rung), ``:timeline`` (what happened, for the receipt) and
``:file:<id>`` (a shared file, ``sessions/filestore.py``); ``deadlines`` (zset of
``kind|session`` by due ms; ``free|session|expert``: an expert to free, and
``pay|session|payer|nonce|charge``: a hold to settle, and ``credit|session|payer|cents``: a
disputed charge to give back, below), the category queues, and the link from a booking to
its session. The payer's wallet, its ledger and the holds of calls are named in
``sessions/wallet.py``.

Elsewhere, each in its owner's slot and changed in steps of its own: the expert's busy
flag (the session holding them, ``{a:<expert>}``: ``sessions/busy.py``); the payer's money
a call holds (``sessions/holds.py``); the indexes that list a session, ``{a:<account>}:sessions``
and ``{br:<brand>}:sessions``, and the index of each process's sockets, ``{p:<proc>}:socks``
(``sessions/listing.py``).
"""

from __future__ import annotations

from common.keyspace import account_prefix, brand_prefix, process_prefix

DEADLINES = "hc:{0}:deadlines"
QUEUES = "hc:{0}:queues"  # the categories with a queue
LAST_RUNG = "hc:{0}:lastrung"  # when each expert was last rung, for fairness


def session_key(session_id: str) -> str:
    return f"hc:{{0}}:{{s:{session_id}}}"


def sockets_key(session_id: str) -> str:
    """Socket id -> ``c|<proc>`` or ``e|<proc>``: where a session's sockets are."""
    return f"{session_key(session_id)}:socks"


def chat_key(session_id: str) -> str:
    return f"{session_key(session_id)}:chat"


def rung_key(session_id: str) -> str:
    """The experts a category call already rang."""
    return f"{session_key(session_id)}:rung"


def timeline_key(session_id: str) -> str:
    return f"{session_key(session_id)}:timeline"


def busy_key(expert_id: str) -> str:
    return account_prefix(expert_id) + "busy"


FREE = "free"  # the deadline kind that frees an expert a session let go (sessions/busy.py)


def free_member(session_id: str, expert_id: str) -> str:
    return f"{FREE}|{session_id}|{expert_id}"


def parse_free_member(member: str) -> tuple[str, str] | None:
    """(session, expert) of a ``free`` deadline; None for a deadline of another kind."""
    kind, _, rest = member.partition("|")
    session_id, _, expert_id = rest.partition("|")
    return (session_id, expert_id) if kind == FREE and expert_id else None


PAY = "pay"  # the deadline kind that settles a call's hold in its payer's wallet (holds.py)


def pay_member(session_id: str, payer_id: str, nonce: str, charge_cents: int) -> str:
    """``pay|session|payer|nonce|charge``: settle the hold ``nonce`` of the session in the
    payer's wallet, charging ``charge_cents`` of it (the session scripts write it too:
    ``pay`` in ``sessions/lua/prelude.lua``)."""
    return f"{PAY}|{session_id}|{payer_id}|{nonce}|{charge_cents}"


def parse_pay_member(member: str) -> tuple[str, str, str, int] | None:
    """(session, payer, nonce, charge) of a ``pay`` deadline; None for another kind."""
    parts = member.split("|")
    if len(parts) != 5 or parts[0] != PAY or not parts[4].isdigit():
        return None
    return parts[1], parts[2], parts[3], int(parts[4])


CREDIT = "credit"  # the deadline kind that credits a disputed call's refund (holds.py)


def credit_member(session_id: str, payer_id: str, cents: int) -> str:
    """``credit|session|payer|cents``: give ``cents`` of the session's charge back to the
    payer's wallet (the dispute decision writes it: ``trust/lua/dispute_decide.lua``)."""
    return f"{CREDIT}|{session_id}|{payer_id}|{cents}"


def parse_credit_member(member: str) -> tuple[str, str, int] | None:
    """(session, payer, cents) of a ``credit`` deadline; None for another kind."""
    parts = member.split("|")
    if len(parts) != 4 or parts[0] != CREDIT or not parts[3].isdigit():
        return None
    return parts[1], parts[2], int(parts[3])


def booking_session_key(booking_id: str) -> str:
    return f"hc:{{0}}:booking:{booking_id}:session"


def queue_key(category: str) -> str:
    return f"hc:{{0}}:queue:{category}"


def proc_sockets_key(proc: str) -> str:
    """``session|socket`` of every session socket the process holds."""
    return process_prefix(proc) + "socks"


def index_key(account_id: str) -> str:
    """The sessions an account took part in (or was rung for), scored by creation ms."""
    return account_prefix(account_id) + "sessions"


def brand_sessions_key(brand_id: str) -> str:
    """The sessions of a brand, scored by creation ms."""
    return brand_prefix(brand_id) + "sessions"
