"""Reviews of experts by their clients (protocol §2), with the expert's reply.

Only the client of an ended session that went live may review it, once. The expert's
``rating_sum`` and ``reviews`` count cover visible reviews and change in the same script
as the review itself, so a card reads its rating without recomputing anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

import redis.asyncio as aioredis

from common.errors import Conflict
from common.ids import new_id
from common.redisvalues import text_map, text_or_none
from common.schema import Body, Integer, Text
from common.timefmt import iso_ms
from marketplace import keys
from marketplace.errors import AlreadyDone, NoSuchReview, NotReviewable, NotYours
from marketplace.listing import Page
from sessions.errors import NoSuchSession
from sessions.model import SessionView
from sessions.states import State
from sessions.wallet import CLOCK_LUA

log = logging.getLogger(__name__)

MAX_TEXT = 2000

# KEYS: session's review marker, review hash, expert hash, expert's visible reviews.
_ADD = CLOCK_LUA + """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return {'conflict', 0} end
local now = now_ms()
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'session_id', ARGV[2], 'expert_id', ARGV[3],
           'client_id', ARGV[4], 'client_name', ARGV[5], 'rating', ARGV[6], 'text', ARGV[7],
           'created_at_ms', now, 'hidden', '0')
redis.call('ZADD', KEYS[4], now, ARGV[1])
redis.call('HINCRBY', KEYS[3], 'rating_sum', ARGV[6])
redis.call('HINCRBY', KEYS[3], 'reviews', 1)
return {'ok', now}
"""

# KEYS: review hash. ARGV: the expert replying, the text.
_REPLY = CLOCK_LUA + """
local r = redis.call('HMGET', KEYS[1], 'expert_id', 'reply_at_ms')
if not r[1] then return 'not_found' end
if r[1] ~= ARGV[1] then return 'forbidden' end
if r[2] then return 'conflict' end
redis.call('HSET', KEYS[1], 'reply_text', ARGV[2], 'reply_at_ms', now_ms())
return 'ok'
"""

# KEYS: review hash, expert hash, expert's visible reviews. ARGV: '1' hide / '0' show, admin.
_SET_HIDDEN = CLOCK_LUA + """
local r = redis.call('HMGET', KEYS[1], 'hidden', 'rating', 'created_at_ms', 'id')
if not r[2] then return 'not_found' end
if r[1] == ARGV[1] then return 'unchanged' end
redis.call('HSET', KEYS[1], 'hidden', ARGV[1], 'moderated_by', ARGV[2],
           'moderated_at_ms', now_ms())
local sign = 1
if ARGV[1] == '1' then
  sign = -1
  redis.call('ZREM', KEYS[3], r[4])
else
  redis.call('ZADD', KEYS[3], r[3], r[4])
end
redis.call('HINCRBY', KEYS[2], 'rating_sum', sign * tonumber(r[2]))
redis.call('HINCRBY', KEYS[2], 'reviews', sign)
return 'ok'
"""


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
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._add = redis.register_script(_ADD)
        self._reply = redis.register_script(_REPLY)
        self._set_hidden = redis.register_script(_SET_HIDDEN)

    async def add(self, session: SessionView, client_name: str,
                  request: ReviewRequest) -> dict[str, Any]:
        review_id = new_id("r")
        reply = await self._add(
            keys=[keys.session_review(session.id), keys.review(review_id),
                  keys.expert(session.expert_id), keys.expert_reviews(session.expert_id)],
            args=[review_id, session.id, session.expert_id, session.client_id, client_name,
                  request.rating, request.text])
        if text_or_none(reply[0]) == "conflict":
            raise AlreadyDone("this session has already been reviewed")
        return await self.get(review_id)

    async def get(self, review_id: str) -> dict[str, Any]:
        fields = text_map(await self._redis.hgetall(keys.review(review_id)))
        if not fields:
            raise NoSuchReview()
        return _public(fields)

    async def reply(self, review_id: str, expert_id: str, request: ReplyRequest) -> dict[str, Any]:
        answer = text_or_none(await self._reply(keys=[keys.review(review_id)],
                                                args=[expert_id, request.text]))
        if answer == "not_found":
            raise NoSuchReview()
        if answer == "forbidden":
            raise NotYours("only the reviewed expert can reply")
        if answer == "conflict":
            raise AlreadyDone("this review already has a reply")
        return await self.get(review_id)

    async def set_hidden(self, review_id: str, hidden: bool, admin_id: str) -> dict[str, Any]:
        expert_id = text_or_none(await self._redis.hget(keys.review(review_id), "expert_id"))
        if expert_id is None:
            raise NoSuchReview()
        answer = text_or_none(await self._set_hidden(
            keys=[keys.review(review_id), keys.expert(expert_id), keys.expert_reviews(expert_id)],
            args=["1" if hidden else "0", admin_id]))
        if answer == "not_found":
            raise NoSuchReview()
        if answer == "ok":
            log.info("review %s of expert %s %s by admin %s", review_id, expert_id,
                     "hidden" if hidden else "shown again", admin_id)
        return await self.get(review_id)

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
