"""An expert's private notes on a client (what a personal assistant remembers).

Only the expert who wrote a note reads its text; the client learns that it exists (who
wrote it, when) and may erase it, and gets its text in their export (a right of access).
Keys: ``hc:note:<expert>:<client>`` (hash ``text updated_at``), ``hc:notes:by:<expert>``
(zset client -> ms) and ``hc:notes:about:<client>`` (zset expert -> ms); one script writes
or erases the three together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from common.errors import Invalid
from common.lua import Lua
from common.redisvalues import text_or_none
from common.timefmt import iso_ms

MAX_NOTE_CHARS = 4000


def note_key(expert_id: str, client_id: str) -> str:
    return f"hc:{{0}}:note:{expert_id}:{client_id}"


def by_key(expert_id: str) -> str:
    return f"hc:{{0}}:notes:by:{expert_id}"


def about_key(client_id: str) -> str:
    return f"hc:{{0}}:notes:about:{client_id}"


def clean_note(raw: object) -> str:
    if not isinstance(raw, str):
        raise Invalid("text must be a string", "text")
    text = raw.replace("\r\n", "\n").strip()
    if len(text) > MAX_NOTE_CHARS:
        raise Invalid(f"text is longer than {MAX_NOTE_CHARS} characters", "text")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise Invalid("text has control characters", "text")
    return text


@dataclass(frozen=True)
class Note:
    expert_id: str
    client_id: str
    text: str
    updated_at_ms: int

    def public(self) -> dict[str, object]:
        return {"client_id": self.client_id, "text": self.text,
                "updated_at": iso_ms(self.updated_at_ms) if self.updated_at_ms else None}


class NoteStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._save = Lua(redis, "privacy/lua/note_save.lua")

    async def save(self, expert_id: str, client_id: str, text: str) -> Note:
        """Write (or, with empty text, erase) the expert's note on the client."""
        at = await self._save(
            keys={"note": note_key(expert_id, client_id), "by_expert": by_key(expert_id),
                  "about_client": about_key(client_id)},
            args={"expert": expert_id, "client": client_id, "text": text})
        return Note(expert_id, client_id, text, int(at))

    async def get(self, expert_id: str, client_id: str) -> Note:
        """The note, with empty text when there is none."""
        row: list[Any] = await self._redis.hmget(note_key(expert_id, client_id),
                                                 ["text", "updated_at"])
        text, at = row[0], row[1]
        return Note(expert_id, client_id, text_or_none(text) or "",
                    int(text_or_none(at) or 0))

    async def erase(self, expert_id: str, client_id: str) -> bool:
        """Erase one note; True when there was one."""
        existed = await self._redis.zscore(about_key(client_id), expert_id) is not None
        await self.save(expert_id, client_id, "")
        return existed

    async def about(self, client_id: str) -> list[tuple[str, int]]:
        """(expert id, ms) of every note on the client, newest first."""
        raw: list[Any] = await self._redis.zrevrange(about_key(client_id), 0, -1,
                                                     withscores=True)
        return [(str(text_or_none(member)), int(score)) for member, score in raw]

    async def by(self, expert_id: str) -> list[str]:
        """The clients the expert keeps a note on."""
        return [str(text_or_none(m)) for m in await self._redis.zrange(by_key(expert_id), 0, -1)]

    async def texts_about(self, client_id: str) -> list[Note]:
        return [await self.get(expert, client_id) for expert, _ in await self.about(client_id)]

    async def erase_all_of(self, account_id: str) -> int:
        """Every note on the account and by it (erasure): answers how many."""
        gone = 0
        for expert, _ in await self.about(account_id):
            gone += await self.erase(expert, account_id)
        for client in await self.by(account_id):
            gone += await self.erase(account_id, client)
        return gone
