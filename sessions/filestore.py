"""What Redis keeps of shared files: their metadata and each account's usage and rate.

Keys (the bytes are in the blob store, never here):

- ``hc:{0}:file:<session>:<file>``: hash ``name size content_type from blob shared_at
  expires_at`` (ms);
- ``hc:files:<account>``: zset ``<session>|<file>`` → shared ms, every file an account
  sent (what a "my documents" page lists and deletes);
- ``hc:files:<account>:use``: hash ``bytes files``, what the account keeps (its quota);
- ``hc:files:<account>:rate``: hash ``bytes files`` sent in the current window, expiring
  with it;
- ``hc:files:expiry``: zset ``<account>|<session>|<file>`` → expiry ms, read by the cleanup.

All in the home slot (``hc:{0}:``), apart from the session, which is in its bucket's: the
account keeps a file in one step here (``keep``), then the call posts it in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from common.lua import Lua
from common.redistime import redis_ms
from common.redisvalues import text_or_none
from sessions.errors import AccountQuotaFull, UploadRateLimited
from sessions.files import FileLimits, SharedFile, mebibytes

EXPIRY = "hc:{0}:files:expiry"


def file_key(session_id: str, file_id: str) -> str:
    return f"hc:{{0}}:file:{session_id}:{file_id}"


def index_key(account_id: str) -> str:
    return f"hc:{{0}}:files:{account_id}"


def usage_key(account_id: str) -> str:
    return f"hc:{{0}}:files:{account_id}:use"


def rate_key(account_id: str) -> str:
    return f"hc:{{0}}:files:{account_id}:rate"


@dataclass(frozen=True)
class StoredFile:
    """A shared file's record: what it is, who sent it, where its bytes are."""

    shared: SharedFile
    owner_id: str
    expires_at_ms: int


@dataclass(frozen=True)
class Expired:
    owner_id: str
    session_id: str
    file_id: str

    @classmethod
    def parse(cls, member: str) -> Expired:
        owner, session, file = member.split("|")
        return cls(owner, session, file)

    @property
    def member(self) -> str:
        return f"{self.owner_id}|{self.session_id}|{self.file_id}"


def quota_message(limits: FileLimits) -> str:
    return (f"you already keep {limits.quota_files} files or {mebibytes(limits.quota_bytes)} "
            f"of shared files; each is deleted {_duration(limits.kept_ms // 1000)} after it "
            "was sent")


def _duration(seconds: int) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    return f"{seconds} s" if seconds < 120 else f"{-(-seconds // 60)} min"


class FileStore:
    def __init__(self, redis: aioredis.Redis, limits: FileLimits) -> None:
        self._redis = redis
        self.limits = limits
        self._admit = Lua(redis, "sessions/lua/file_admit.lua")
        self._forget = Lua(redis, "sessions/lua/file_forget.lua")
        self._keep = Lua(redis, "sessions/lua/file_keep.lua")

    async def keep(self, account_id: str, session_id: str, shared: SharedFile, blob: str,
                   claimed: int) -> None:
        """The account keeps a file whose bytes are in the blob store, until it expires
        (``file_keep.lua``); refused over its quota. ``claimed``: what ``admit`` counted."""
        lim = self.limits
        reply = await self._keep(
            keys={"file": file_key(session_id, shared.file_id), "usage": usage_key(account_id),
                  "rate": rate_key(account_id), "file_index": index_key(account_id),
                  "expiry": EXPIRY},
            args={"account": account_id, "session": session_id, "file_id": shared.file_id,
                  "name": shared.name, "size": shared.size,
                  "content_type": shared.content_type, "blob": blob, "kept_ms": lim.kept_ms,
                  "quota_bytes": lim.quota_bytes, "quota_files": lim.quota_files,
                  "claimed": claimed})
        if text_or_none(reply[0]) == "err":
            raise AccountQuotaFull(quota_message(lim))

    async def admit(self, account_id: str, claim: int) -> None:
        """Refuse an upload over the account's quota or rate; else count it in the rate."""
        lim = self.limits
        reply = await self._admit(
            keys={"usage": usage_key(account_id), "rate": rate_key(account_id)},
            args={"claim": claim, "quota_bytes": lim.quota_bytes, "quota_files": lim.quota_files,
                  "rate_bytes": lim.rate_bytes, "rate_files": lim.rate_files,
                  "window_ms": lim.rate_window_ms},
        )
        code = text_or_none(reply[1]) if len(reply) > 1 else None
        if code == "quota":
            raise AccountQuotaFull(quota_message(lim))
        if code == "rate":
            seconds = max(1, -(-int(reply[2]) // 1000))
            raise UploadRateLimited(
                f"you may send {lim.rate_files} files or {mebibytes(lim.rate_bytes)} every "
                f"{_duration(lim.rate_window_ms // 1000)}; try again in {_duration(seconds)}",
                seconds)

    async def get(self, session_id: str, file_id: str) -> StoredFile | None:
        fields: list[Any] = await self._redis.hmget(
            file_key(session_id, file_id), "name", "size", "content_type", "from", "expires_at"
        )
        name, size, content_type, owner, expires = (text_or_none(v) for v in fields)
        if name is None or size is None or owner is None:
            return None
        shared = SharedFile(file_id, name, int(size), content_type or "application/octet-stream")
        return StoredFile(shared, owner, int(expires or 0))

    async def due(self, limit: int = 100) -> list[Expired]:
        now = await redis_ms(self._redis)
        members = await self._redis.zrangebyscore(EXPIRY, "-inf", now, start=0, num=limit)
        return [Expired.parse(str(text_or_none(m))) for m in members]

    async def forget(self, expired: Expired) -> bool:
        """Drop the record (once its blob is gone); True for the call that did it."""
        done = await self._forget(
            keys={"expiry": EXPIRY, "file": file_key(expired.session_id, expired.file_id),
                  "file_index": index_key(expired.owner_id),
                  "usage": usage_key(expired.owner_id)},
            args={"expiry_member": expired.member,
                  "index_member": f"{expired.session_id}|{expired.file_id}"},
        )
        return bool(done)

    async def usage(self, account_id: str) -> tuple[int, int]:
        """(bytes, files) the account keeps."""
        raw_bytes, raw_files = await self._redis.hmget(usage_key(account_id), "bytes", "files")
        return int(text_or_none(raw_bytes) or 0), int(text_or_none(raw_files) or 0)
