"""Every Redis key of the trust package, in one place.

A dispute is in the home slot, named after its session: ``hc:{0}:{s:<session>}:dispute``
(hash); its scripts take what they read of the session (in its bucket's slot) as
arguments, and the decision writes its refund's intent, its billing event with it, in
bucket 0's deadlines (the event goes to the session's own stream in the step after:
sessions/holds.py). Listed for the admins in ``hc:disputes:<state>``
(zset session id -> opened ms; states ``open``, ``answered``, ``decided``).
Blocks: ``hc:{k:<a>|<b>}:block`` (the two ids sorted, the pair's own slot; a set of who of
the two blocked the other) is what every check reads, one key per pair, before every call
between them; ``hc:{a:<account>}:blocks`` (zset blocked account -> ms) lists whom an
account blocked, for its settings page. Neither is in the home slot (docs/cluster.md).
Reports: ``hc:report:<id>`` (hash), listed in ``hc:reports:<state>`` (``open``,
``closed``; zset id -> created ms). Every moderation decision is one entry of the stream
``hc:moderation:log``.
"""

from __future__ import annotations

from common.keyspace import account_prefix, pair_prefix

DISPUTE_STATES = ("open", "answered", "decided")
REPORT_STATES = ("open", "closed")
MODERATION_LOG = "hc:{0}:moderation:log"


def dispute(session_id: str) -> str:
    return f"hc:{{0}}:{{s:{session_id}}}:dispute"


def disputes_in(state: str) -> str:
    return f"hc:{{0}}:disputes:{state}"


def pair(one: str, other: str) -> str:
    first, second = sorted((one, other))
    return pair_prefix(first, second) + "block"


def pairs_of(account_id: str) -> tuple[str, str]:
    """``SCAN`` patterns for the block keys of every pair ``account_id`` is in: first of
    the two, or second (exactly: ``a_1`` is not ``a_11``)."""
    return pair_prefix(account_id, "*") + "block", pair_prefix("*", account_id) + "block"


def pair_ids(key: str) -> tuple[str, str]:
    """The two accounts of a block key."""
    tag = key[key.index("{") + 1:key.index("}")]
    first, _, second = tag.removeprefix("k:").partition("|")
    return first, second


def blocks(account_id: str) -> str:
    return account_prefix(account_id) + "blocks"


def report(report_id: str) -> str:
    return f"hc:{{0}}:report:{report_id}"


def reports_in(state: str) -> str:
    return f"hc:{{0}}:reports:{state}"
