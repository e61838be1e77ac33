"""The names of the booking keys, each in the slot of what owns it (docs/cluster.md).

In the slot of the booking's bucket (``hc:{<n>}:``, ``n`` from the booking id as a
session's is, ``common/keyspace.py``): the booking hash ``{b:<id>}``, and the bucket's
``bookings:deadlines`` (zset by due ms): ``remind:<offset ms>|<id>``, ``noshow|<id>``, and
the intents of the steps a booking owes outside its slot (``appointments/steps.py``):
``reserve|<id>|<expert>|<slot>``, ``release|<id>|<expert>|<slot>|<counter>``,
``post|<id>|<account>|<start ms>|<notes>``, and ``pay|<id>|...``, the money it holds
(``sessions/holds.py``). Its billing events go to the bucket's billing stream.

In the expert's slot (``hc:{a:<expert>}:``): ``bookings:active``, the slots of their
bookings still to be met (members ``<id>|<nonce>|<end ms>`` scored by start ms; before
layout 11 ``<id>|<end ms>``), ``bookings:reliability`` (counters) and ``availability``
(JSON). In each account's: ``bookings`` (every booking of theirs, by start ms),
``notifications`` (a list of JSON notifications, newest first) and ``notifications:seen``.
"""

from __future__ import annotations

from common.keyspace import BUCKET_PATTERN, BUCKETS, account_prefix, bucket_of, bucket_prefix

_DEADLINES = "bookings:deadlines"


def booking_key(booking_id: str) -> str:
    return f"{bucket_prefix(bucket_of(booking_id))}{{b:{booking_id}}}"


def booking_pattern() -> str:
    """A ``SCAN`` pattern of booking hashes, in any bucket."""
    return BUCKET_PATTERN + "{b:*}"


def deadlines_key(booking_id: str) -> str:
    """The deadlines of the booking's bucket."""
    return bucket_prefix(bucket_of(booking_id)) + _DEADLINES


EVERY_DEADLINES = tuple(bucket_prefix(n) + _DEADLINES for n in range(BUCKETS))


def intent_deadlines(member: str) -> str:
    """The deadlines zset that holds ``member`` (``<kind>|<booking id>|...``)."""
    return deadlines_key(member.split("|", 2)[1])


def active_key(expert_id: str) -> str:
    return account_prefix(expert_id) + "bookings:active"


def reliability_key(expert_id: str) -> str:
    return account_prefix(expert_id) + "bookings:reliability"


def availability_key(expert_id: str) -> str:
    return account_prefix(expert_id) + "availability"


def index_key(account_id: str) -> str:
    return account_prefix(account_id) + "bookings"


def notifications_key(account_id: str) -> str:
    return account_prefix(account_id) + "notifications"


def seen_key(account_id: str) -> str:
    return notifications_key(account_id) + ":seen"
