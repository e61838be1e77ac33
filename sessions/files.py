"""Files shared during a call: what is accepted, how it is named and how it is served.

A participant sends a photo or a document (at most 10 MiB) while the call is in progress,
and both sides see it in the chat. Files live in Redis next to their session, like expert
photos, so that every process serves them; they expire a week after they were sent.
Nothing here trusts the sender: the name is cleaned, and the type a browser is told comes
from the file's first bytes, never from its name or the sender's ``Content-Type``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

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
    def of(cls, file_id: str, raw_name: str, data: bytes) -> SharedFile:
        if not data:
            raise Invalid("the file is empty", "file")
        return cls(file_id, clean_name(raw_name), len(data), sniff_type(data[:16]))

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
