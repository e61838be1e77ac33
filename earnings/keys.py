"""Every Redis key of expert earnings and payouts, in one place.

One expert's keys share the hash tag ``{e:<expert>}``:
``hc:{e:<expert>}`` (hash ``earned available pending paid_out``, cents),
``hc:{e:<expert>}:ledger`` (stream, one entry per movement: ``earning``,
``payout_requested``, ``payout_rejected``, ``payout_paid``, ``refund``),
``hc:{e:<expert>}:credited`` (set of billing event ids already credited or debited: each once),
``hc:{e:<expert>}:months`` (hash ``YYYY-MM`` -> payouts earned that month),
``hc:{e:<expert>}:bank`` (hash ``holder iban bic``),
``hc:{e:<expert>}:payouts`` (zset payout id -> requested ms).
A payout is ``hc:payout:<id>`` (hash) and is listed by state in ``hc:payouts:<state>``
(zset id -> requested ms) for the admins.
"""

from __future__ import annotations

STATES = ("requested", "approved", "paid", "rejected")


def account(expert_id: str) -> str:
    return f"hc:{{0}}:{{e:{expert_id}}}"


def ledger(expert_id: str) -> str:
    return f"{account(expert_id)}:ledger"


def credited(expert_id: str) -> str:
    return f"{account(expert_id)}:credited"


def months(expert_id: str) -> str:
    return f"{account(expert_id)}:months"


def bank(expert_id: str) -> str:
    return f"{account(expert_id)}:bank"


def expert_payouts(expert_id: str) -> str:
    return f"{account(expert_id)}:payouts"


def payout(payout_id: str) -> str:
    return f"hc:{{0}}:payout:{payout_id}"


def in_state(state: str) -> str:
    return f"hc:{{0}}:payouts:{state}"
