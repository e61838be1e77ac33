"""Every Redis key of the trust package, in one place.

A dispute is in the home slot, named after its session: ``hc:{0}:{s:<session>}:dispute``
(hash); its scripts take what they read of the session (in its bucket's slot) as
arguments, and the decision writes its refund's intent and its billing event in bucket 0's
deadlines and stream. Listed for the admins in ``hc:disputes:<state>``
(zset session id -> opened ms; states ``open``, ``answered``, ``decided``).
Blocks: ``hc:block:<a>|<b>`` (the two ids sorted; a set of who of the two blocked the
other) is what every check reads, one key per pair; ``hc:blocks:<account>`` (zset blocked
account -> ms) lists whom an account blocked, for its settings page.
Reports: ``hc:report:<id>`` (hash), listed in ``hc:reports:<state>`` (``open``,
``closed``; zset id -> created ms). Every moderation decision is one entry of the stream
``hc:moderation:log``.
"""

from __future__ import annotations

DISPUTE_STATES = ("open", "answered", "decided")
REPORT_STATES = ("open", "closed")
MODERATION_LOG = "hc:{0}:moderation:log"


def dispute(session_id: str) -> str:
    return f"hc:{{0}}:{{s:{session_id}}}:dispute"


def disputes_in(state: str) -> str:
    return f"hc:{{0}}:disputes:{state}"


def pair(one: str, other: str) -> str:
    first, second = sorted((one, other))
    return f"hc:{{0}}:block:{first}|{second}"


def blocks(account_id: str) -> str:
    return f"hc:{{0}}:blocks:{account_id}"


def report(report_id: str) -> str:
    return f"hc:{{0}}:report:{report_id}"


def reports_in(state: str) -> str:
    return f"hc:{{0}}:reports:{state}"
