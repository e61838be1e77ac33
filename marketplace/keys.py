"""Every Redis key of the marketplace, in one place: the stores share some of them.

``hc:expert:<id>`` (hash: ``profile`` JSON, ``display_name``, ``rating_sum`` and
``reviews`` over visible reviews, ``photo_at``), ``hc:expert:<id>:photo`` (the JPEG,
base64, as kept before the blob store: moved there when first read),
``hc:expert:<id>:wants`` (categories the profile asks for),
``hc:expert:<id>:verified`` (categories an admin verified), ``hc:experts`` (experts with a
profile), ``hc:experts:cat:<slug>`` (experts open in a category: asked for, and verified
where the category requires it).
"""

from __future__ import annotations

ALL_EXPERTS = "hc:{0}:experts"
VERIFICATION_LOG = "hc:{0}:verifications:log"


def expert(expert_id: str) -> str:
    return f"hc:{{0}}:expert:{expert_id}"


def photo(expert_id: str) -> str:
    return f"hc:{{0}}:expert:{expert_id}:photo"


def wants(expert_id: str) -> str:
    return f"hc:{{0}}:expert:{expert_id}:wants"


def verified(expert_id: str) -> str:
    return f"hc:{{0}}:expert:{expert_id}:verified"


def category(slug: str) -> str:
    return f"hc:{{0}}:experts:cat:{slug}"


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
