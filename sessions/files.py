"""Files shared during a call: what is accepted, how it is named and how it is served.

A participant sends a photo or a document (at most 10 MiB) while the call is in progress,
and both sides see it in the chat. The bytes live in the blob store (``blobs/``, named
``<sender>/<file id>``); Redis keeps only what the file is, who sent it, and each account's
usage, so shared files never fill Redis. They expire with the retention
(``HELPCALL_RETENTION_DAYS``, or ``HELPCALL_FILE_KEPT_SECONDS``).
Nothing here trusts the sender: the name is cleaned, and the type a browser is told comes
from the file's first bytes, never from its name or the sender's ``Content-Type``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from blobs.store import BlobKey
from common.errors import Invalid

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_SESSION = 20
MAX_BYTES_PER_SESSION = 50 * 1024 * 1024
KEPT_MS = 7 * 24 * 3600 * 1000
MAX_NAME_CHARS = 120
OPAQUE = "application/octet-stream"

# Types a browser may render: the images the chat previews, and PDF. Anything else is
# served as opaque bytes, so that an HTML page sent as "photo.png" is never rendered.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def sniff_type(head: bytes) -> str:
    """The type the first bytes prove, or ``application/octet-stream``."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return OPAQUE


def clean_name(raw: str) -> str:
    """The last path component, without control characters, at most 120 characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if not name or name in {".", ".."}:
        raise Invalid("the file needs a name", "name")
    if len(name) > MAX_NAME_CHARS:
        # Keep the extension: it is what tells the receiver what they are getting.
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: MAX_NAME_CHARS - len(suffix)].rstrip() + suffix
    return name


def content_disposition(name: str) -> str:
    """An attachment header that survives any name (RFC 6266 with an ASCII fallback)."""
    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_"
                       for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@dataclass(frozen=True)
class SharedFile:
    file_id: str
    name: str
    size: int
    content_type: str

    @classmethod
    def of(cls, file_id: str, name: str, size: int, head: bytes) -> SharedFile:
        if not size:
            raise Invalid("the file is empty", "file")
        return cls(file_id, name, size, sniff_type(head[:16]))

    def public(self, session_id: str) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "name": self.name,
            "size": self.size,
            "content_type": self.content_type,
            "url": file_url(session_id, self.file_id),
        }


def file_url(session_id: str, file_id: str) -> str:
    return f"/api/v1/sessions/{session_id}/files/{file_id}"


@dataclass(frozen=True)
class FileLimits:
    """What one account may keep and send (configuration), besides the per-call limits."""

    quota_bytes: int
    quota_files: int
    rate_bytes: int
    rate_files: int
    rate_window_ms: int
    kept_ms: int = KEPT_MS

    def claim(self, declared: int | None) -> int:
        """Bytes an upload counts against the rate before it arrives: what it declares, or
        the most a file may be (corrected to its real size once it is stored)."""
        return MAX_FILE_BYTES if declared is None else max(1, min(declared, MAX_FILE_BYTES))


def blob_key(owner_id: str, file_id: str) -> BlobKey:
    return BlobKey(owner_id, file_id)


def mebibytes(count: int) -> str:
    return f"{count / (1024 * 1024):g} MiB"
