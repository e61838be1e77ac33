"""The names of the session keys, for the scripts and for every reader of sessions.

In the slot of the session's bucket (``hc:{<n>}:``, ``common/keyspace.py``): the session
hash ``{s:<id>}`` and, beside it, ``:socks`` (socket id -> ``role|process``), ``:chat``,
``:rung`` (experts already rung) and ``:timeline`` (what happened, for the receipt); the
bucket's ``deadlines`` (zset of ``kind|session`` by due ms, and the intents, below:
``free|session|expert``, an expert to free; ``pay|session|payer|nonce|charge``, a hold to
settle; ``requeue|session``, a call to put back in its queue). In bucket 0's, whatever the
session's: ``credit|session|payer|cents``, a disputed charge to give back (the dispute's
script writes it, in the home slot).
In the slot of a booking's bucket: the link from the booking to its session. In the home
slot: the files shared in a session (``sessions/filestore.py``).

Elsewhere, each in its owner's slot and changed in steps of its own: the expert's busy
flag (the session holding them, ``{a:<expert>}``: ``sessions/busy.py``); the payer's wallet,
its ledger and the money a call holds (``sessions/wallet.py``, ``sessions/holds.py``); the
indexes that list a session, ``{a:<account>}:sessions`` and ``{br:<brand>}:sessions``, and
the index of each process's sockets, ``{p:<proc>}:socks`` (``sessions/listing.py``); the
category queues, ``{q:<category>}:queue``, the categories with one and when each expert was
last rung (``sessions/queueing.py``).
"""

from __future__ import annotations

from common.keyspace import (
    BUCKET_PATTERN,
    BUCKETS,
    HOME,
    account_prefix,
    brand_prefix,
    bucket_of,
    bucket_prefix,
    global_key,
    process_prefix,
    queue_prefix,
)

QUEUES = global_key("queues")  # the categories with a queue
LAST_RUNG = global_key("lastrung")  # when each expert was last rung, for fairness


def session_key(session_id: str) -> str:
    return f"{bucket_prefix(bucket_of(session_id))}{{s:{session_id}}}"


def session_pattern(session_glob: str = "*") -> str:
    """A ``SCAN`` pattern of session hashes (and the keys beside them), in any bucket."""
    return f"{BUCKET_PATTERN}{{s:{session_glob}}}"


def deadlines_key(session_id: str) -> str:
    """The deadlines of the session's bucket."""
    return bucket_prefix(bucket_of(session_id)) + "deadlines"


HOME_DEADLINES = HOME + "deadlines"  # bucket 0's: where a dispute's refund is owed
EVERY_DEADLINES = tuple(bucket_prefix(n) + "deadlines" for n in range(BUCKETS))


def intent_deadlines(member: str) -> str:
    """The deadlines zset that holds ``member`` (``kind|session|...``)."""
    kind, _, rest = member.partition("|")
    return HOME_DEADLINES if kind == CREDIT else deadlines_key(rest.partition("|")[0])


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


def credit_member(session_id: str, payer_id: str, cents: int, event: str = "") -> str:
    """``credit|session|payer|cents|event``: give ``cents`` of the session's charge back to
    the payer's wallet, and append ``event`` (its ``session.refunded``, a JSON array of
    field, value...) to the session's billing stream. The dispute decision writes it
    (``trust/lua/dispute_decide.lua``); one written before the event moved here has no
    ``|event`` (its event is in bucket 0's stream already)."""
    return f"{CREDIT}|{session_id}|{payer_id}|{cents}" + (f"|{event}" if event else "")


def parse_credit_member(member: str) -> tuple[str, str, int, str] | None:
    """(session, payer, cents, event or '') of a ``credit`` deadline; None for another
    kind."""
    parts = member.split("|", 4)
    if len(parts) not in (4, 5) or parts[0] != CREDIT or not parts[3].isdigit():
        return None
    return parts[1], parts[2], int(parts[3]), parts[4] if len(parts) == 5 else ""


def refunded_key(session_id: str) -> str:
    """Set once a disputed session's ``session.refunded`` is in its stream (sessions/holds.py)."""
    return f"{session_key(session_id)}:refunded"


def booking_session_key(booking_id: str) -> str:
    """The session a booking opened, in the booking's bucket (appointments/keys.py)."""
    return f"{bucket_prefix(bucket_of(booking_id))}booking:{booking_id}:session"


def queue_key(category: str) -> str:
    """A category's queued calls, scored by arrival ms."""
    return queue_prefix(category) + "queue"


REQUEUE = "requeue"  # the intent that puts a call back in its queue (sessions/queueing.py)


def requeue_member(session_id: str) -> str:
    return f"{REQUEUE}|{session_id}"


def parse_requeue_member(member: str) -> str | None:
    """The session of a ``requeue`` intent; None for a deadline of another kind."""
    kind, _, session_id = member.partition("|")
    return session_id if kind == REQUEUE and session_id else None


def proc_sockets_key(proc: str) -> str:
    """``session|socket`` of every session socket the process holds."""
    return process_prefix(proc) + "socks"


def index_key(account_id: str) -> str:
    """The sessions an account took part in (or was rung for), scored by creation ms."""
    return account_prefix(account_id) + "sessions"


def brand_sessions_key(brand_id: str) -> str:
    """The sessions of a brand, scored by creation ms."""
    return brand_prefix(brand_id) + "sessions"
