"""Every Redis key of the marketplace, in one place: the stores share some of them.

In the expert's own slot, beside their busy flag and presence (docs/cluster.md), what a
call reads of them and what a card shows: ``hc:{a:<id>}:expert`` (hash: ``profile`` JSON,
``display_name``, ``version`` (one more each save or approval), ``photo_at``, ``verified``
(the categories an admin verified them in, comma separated), ``rating_sum`` and ``reviews``
(over visible reviews)), ``hc:{a:<id>}:expert:counted`` (review -> the version of it the
rating counts, marketplace/ratings.py) and ``hc:{a:<id>}:expert:photo`` (the JPEG, base64,
as kept before the blob store: moved there when first read).

Each index in a slot of its own: ``hc:{q:<slug>}:experts`` (experts open in a category:
asked for, and verified where the category requires it), beside the category's queue, and
``hc:{g:experts}`` (experts with a profile); each with ``:versions`` (hash expert -> the
version of the expert's hash it follows).

In the home slot: ``hc:experts:saving`` (intents of saves and approvals whose steps are
still owed, ``<expert>|<nonce>[|<category>]`` scored by when any process may finish them),
and the reviews (``review*`` below), with ``hc:reviews:counting``: the changes of reviews
the experts' ratings have still to count, ``<review>|<version>`` scored by when any
process may.
"""

from __future__ import annotations

from common.keyspace import account_prefix, global_key, queue_prefix

ALL_EXPERTS = global_key("experts")
SAVING = "hc:{0}:experts:saving"
COUNTING = "hc:{0}:reviews:counting"
VERIFICATION_LOG = "hc:{0}:verifications:log"


def expert(expert_id: str) -> str:
    return account_prefix(expert_id) + "expert"


def counted(expert_id: str) -> str:
    return account_prefix(expert_id) + "expert:counted"


def photo(expert_id: str) -> str:
    return account_prefix(expert_id) + "expert:photo"


def category(slug: str) -> str:
    return queue_prefix(slug) + "experts"


def versions(index: str) -> str:
    """The versions an index (``category(slug)`` or ``ALL_EXPERTS``) follows."""
    return index + ":versions"


def verification(request_id: str) -> str:
    return f"hc:{{0}}:verification:{request_id}"


def verifications_in(state: str) -> str:
    """Requests by state (``pending``, ``approved``, ``rejected``), scored by creation ms."""
    return f"hc:{{0}}:verifications:{state}"


def expert_verifications(expert_id: str) -> str:
    """An expert's requests, scored by creation ms."""
    return f"hc:{{0}}:expert:{expert_id}:verifications"


def open_verifications() -> str:
    """``<expert>|<category>`` -> the pending request: one at a time per pair."""
    return "hc:{0}:verifications:open"


def review(review_id: str) -> str:
    return f"hc:{{0}}:review:{review_id}"


def session_review(session_id: str) -> str:
    return f"hc:{{0}}:review:session:{session_id}"


def expert_reviews(expert_id: str) -> str:
    """Visible reviews of an expert, scored by creation ms."""
    return f"hc:{{0}}:expert:{expert_id}:reviews"


def favourites(client_id: str) -> str:
    return f"hc:{{0}}:favourites:{client_id}"


def callbacks(slug: str) -> str:
    return f"hc:{{0}}:callbacks:{slug}"


def callback(request_id: str) -> str:
    return f"hc:{{0}}:callback:{request_id}"
