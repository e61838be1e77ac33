"""Reading what one person took part in: their sessions with chat, timeline and the files
still kept, in a few pipelined round trips (the vault, the export and the erasure)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis

from common.redisvalues import text_map, text_or_none
from sessions.filestore import file_key
from sessions.keys import index_key, session_key, timeline_key
from sessions.model import SessionView

MAX_SESSIONS = 2000  # how many of a person's sessions one read covers, newest first


def chat_key(session_id: str) -> str:
    return session_key(session_id) + ":chat"


@dataclass(frozen=True)
class KeptFile:
    """A file shared in a session whose record (and so its blob) is still kept."""

    session_id: str
    file_id: str
    name: str
    size: int
    content_type: str
    owner_id: str
    shared_at_ms: int


@dataclass
class Record:
    view: SessionView
    fields: dict[str, str]
    chat: list[dict[str, Any]]
    timeline: list[str]
    files: list[KeptFile] = field(default_factory=list)


async def session_ids(redis: aioredis.Redis, account_id: str) -> list[str]:
    raw = await redis.zrevrange(index_key(account_id), 0, MAX_SESSIONS - 1)
    return [str(text_or_none(m)) for m in raw]


async def records_of(redis: aioredis.Redis, account_id: str) -> list[Record]:
    """The account's sessions, newest first, each with its transcript and kept files."""
    ids = await session_ids(redis, account_id)
    async with redis.pipeline(transaction=False) as pipe:
        for session_id in ids:
            pipe.hgetall(session_key(session_id))
            pipe.lrange(chat_key(session_id), 0, -1)
            pipe.lrange(timeline_key(session_id), 0, -1)
        rows = await pipe.execute()
    found: list[Record] = []
    for i in range(0, len(rows), 3):
        fields = text_map(rows[i])
        if account_id not in (fields.get("client_id"), fields.get("expert_id")):
            # Trimmed by the retention job, or listed for an expert the call rang but did
            # not join (or never rang: sessions/listing.py): not theirs to read.
            continue
        chat = [json.loads(str(text_or_none(m))) for m in rows[i + 1]]
        found.append(Record(SessionView.from_hash(fields), fields, chat,
                            [str(text_or_none(e)) for e in rows[i + 2]]))
    await _attach_files(redis, found)
    return found


async def _attach_files(redis: aioredis.Redis, found: list[Record]) -> None:
    # The chat message that carried a file names it; its record says whether it is kept.
    wanted = [(record, message["file"]) for record in found for message in record.chat
              if isinstance(message.get("file"), dict)]
    async with redis.pipeline(transaction=False) as pipe:
        for record, shared in wanted:
            pipe.hmget(file_key(record.view.id, str(shared.get("file_id"))),
                       "name", "size", "content_type", "from", "shared_at")
        rows = await pipe.execute()
    for (record, shared), row in zip(wanted, rows, strict=True):
        name, size, content_type, owner, at = (text_or_none(v) for v in row)
        if name is None or owner is None:
            continue  # expired or erased
        record.files.append(KeptFile(record.view.id, str(shared["file_id"]), name,
                                     int(size or 0), content_type or "application/octet-stream",
                                     owner, int(at or 0)))
