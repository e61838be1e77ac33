"""Reviews of experts by their clients (protocol §2), with the expert's reply.

Only the client of an ended session that went live may review it, once. The expert's
rating sum and count cover visible reviews, in the expert's hash so that a card reads them
with the profile; they follow each review's changes as steps (marketplace/ratings.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import redis.asyncio as aioredis

from common.errors import Conflict
from common.ids import new_id
from common.lua import Lua
from common.redisvalues import text_map, text_or_none
from common.schema import Body, Integer, Text
from common.timefmt import iso_ms
from marketplace import keys
from marketplace.errors import AlreadyDone, NoSuchReview, NotReviewable, NotYours
from marketplace.listing import Page
from marketplace.ratings import Ratings
from sessions.errors import NoSuchSession
from sessions.model import SessionView
from sessions.states import State

log = logging.getLogger(__name__)

MAX_TEXT = 2000
# Sessions per ratings script call: a script blocks Redis while it runs, so a report over
# many sessions is read in slices.
RATINGS_PER_CALL = 4000




def rating(total: int, count: int) -> float | None:
    """The average to one decimal, halves rounded up (integer arithmetic: no float surprises)."""
    if count <= 0:
        return None
    tenths = (20 * total + count) // (2 * count)
    return tenths / 10


def check_reviewable(session: SessionView, account_id: str, guarantee_seconds: int) -> None:
    """Raises unless this account may review this session now.

    Protocol §7.8: only a session live past the guarantee, the calls that are billed (with
    a guarantee of 0: live at all). A call of a few milliseconds is no basis for a review.
    """
    if account_id not in (session.client_id, session.expert_id):
        raise NoSuchSession()  # others may not even learn that it exists
    if account_id != session.client_id:
        raise NotReviewable("only the client of a session can review it")
    if session.state is not State.ENDED:
        raise Conflict("a session can be reviewed once it has ended")
    if session.live_started_at_ms is None:
        raise Conflict("a session that never went live cannot be reviewed")
    if session.live_ms // 1000 < guarantee_seconds:
        raise Conflict(f"a session can be reviewed when it was live at least "
                       f"{guarantee_seconds} s")


@dataclass(frozen=True)
class ReviewRequest:
    rating: int
    text: str

    WIRE: ClassVar[Body] = Body(Integer("rating", minimum=1, maximum=5),
                                Text("text", max_len=MAX_TEXT, default=""))

    @classmethod
    def parse(cls, payload: object) -> ReviewRequest:
        f = cls.WIRE.read(payload)
        return cls(f["rating"], f["text"])


@dataclass(frozen=True)
class ReplyRequest:
    text: str

    WIRE: ClassVar[Body] = Body(Text("text", min_len=1, max_len=MAX_TEXT))

    @classmethod
    def parse(cls, payload: object) -> ReplyRequest:
        return cls(cls.WIRE.read(payload)["text"])


def _public(fields: dict[str, str]) -> dict[str, Any]:
    reply = None
    if fields.get("reply_at_ms"):
        reply = {"text": fields["reply_text"], "created_at": iso_ms(int(fields["reply_at_ms"]))}
    return {
        "id": fields["id"],
        "session_id": fields["session_id"],
        "expert_id": fields["expert_id"],
        "client": {"display_name": fields["client_name"]},
        "rating": int(fields["rating"]),
        "text": fields["text"],
        "created_at": iso_ms(int(fields["created_at_ms"])),
        "reply": reply,
        "hidden": fields["hidden"] == "1",
    }


class Reviews:
    def __init__(self, redis: aioredis.Redis, ratings: Ratings) -> None:
        self._redis = redis
        self._ratings_of_experts = ratings
        self._add = Lua(redis, "marketplace/lua/review_add.lua")
        self._reply = Lua(redis, "marketplace/lua/review_reply.lua")
        self._set_hidden = Lua(redis, "marketplace/lua/review_hide.lua")
        self._ratings = Lua(redis, "marketplace/lua/review_ratings.lua")

    async def add(self, session: SessionView, client_name: str,
                  request: ReviewRequest) -> dict[str, Any]:
        review_id = new_id("r")
        reply = await self._add(
            keys={"marker": keys.session_review(session.id), "review": keys.review(review_id),
                  "expert_reviews": keys.expert_reviews(session.expert_id),
                  "counting": keys.COUNTING},
            args={"id": review_id, "session": session.id, "expert": session.expert_id,
                  "client": session.client_id, "client_name": client_name,
                  "rating": request.rating, "text": request.text,
                  "lease_ms": self._ratings_of_experts.lease_ms})
        if text_or_none(reply[0]) == "conflict":
            raise AlreadyDone("this session has already been reviewed")
        await self._ratings_of_experts.count(session.expert_id, review_id, 1, request.rating)
        return await self.get(review_id)

    async def get(self, review_id: str) -> dict[str, Any]:
        fields = text_map(await self._redis.hgetall(keys.review(review_id)))
        if not fields:
            raise NoSuchReview()
        return _public(fields)

    async def reply(self, review_id: str, expert_id: str, request: ReplyRequest) -> dict[str, Any]:
        answer = text_or_none(await self._reply(keys={"review": keys.review(review_id)},
                                                args={"expert": expert_id, "text": request.text}))
        if answer == "not_found":
            raise NoSuchReview()
        if answer == "forbidden":
            raise NotYours("only the reviewed expert can reply")
        if answer == "conflict":
            raise AlreadyDone("this review already has a reply")
        return await self.get(review_id)

    async def set_hidden(self, review_id: str, hidden: bool, admin_id: str) -> dict[str, Any]:
        expert_id, rating = (text_or_none(value) for value in await self._redis.hmget(
            keys.review(review_id), "expert_id", "rating"))
        if expert_id is None or rating is None:
            raise NoSuchReview()
        status, version = await self._set_hidden(
            keys={"review": keys.review(review_id),
                  "expert_reviews": keys.expert_reviews(expert_id), "counting": keys.COUNTING},
            args={"hidden": "1" if hidden else "0", "admin": admin_id,
                  "lease_ms": self._ratings_of_experts.lease_ms})
        answer = text_or_none(status)
        if answer == "not_found":
            raise NoSuchReview()
        if answer == "ok":
            await self._ratings_of_experts.count(expert_id, review_id, int(version),
                                                 0 if hidden else int(rating))
            log.info("review %s of expert %s %s by admin %s", review_id, expert_id,
                     "hidden" if hidden else "shown again", admin_id)
        return await self.get(review_id)

    async def visible_ratings(self, session_ids: Sequence[str]) -> dict[str, int]:
        """The rating of each of these sessions that has a visible review (brand analytics).

        One round trip up to ``RATINGS_PER_CALL`` sessions (a script follows each session's
        marker to its review), instead of two pipelines from the caller.
        """
        ratings: dict[str, int] = {}
        for n in range(0, len(session_ids), RATINGS_PER_CALL):
            chunk = session_ids[n:n + RATINGS_PER_CALL]
            reply = await self._ratings(
                keys={"markers": [keys.session_review(s) for s in chunk]},
                args={"review_prefix": keys.review("")})
            ratings.update({session_id: int(str(text_or_none(rating)))
                            for session_id, rating in zip(chunk, reply, strict=True)
                            if text_or_none(rating)})
        return ratings

    async def of_expert(self, expert_id: str, page: Page) -> tuple[list[dict[str, Any]], int]:
        """Visible reviews, newest first, and how many there are."""
        key = keys.expert_reviews(expert_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zrevrange(key, page.start, page.start + page.per_page - 1)
            pipe.zcard(key)
            ids, total = await pipe.execute()
        async with self._redis.pipeline(transaction=False) as pipe:
            for review_id in ids:
                pipe.hgetall(keys.review(str(review_id)))
            rows = await pipe.execute()
        return [_public(text_map(row)) for row in rows if row], int(total)
