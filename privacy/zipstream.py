"""A zip written while it is sent: entries go out as they are made, never whole in memory.

``zipfile`` writes to a sink that cannot seek (so it uses data descriptors), and each
call hands what the sink gathered to an async writer (the HTTP response). Shared files
are stored as they are (already compressed, mostly); JSON and calendars are deflated.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import AsyncIterable, Awaitable, Callable
from pathlib import PurePosixPath
from typing import Any

Send = Callable[[bytes], Awaitable[None]]


class _Sink:
    """A write-only file for ``zipfile``: it keeps what was written until drained."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


class ZipStream:
    def __init__(self, send: Send) -> None:
        self._send = send
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w")  # type: ignore[call-overload]
        self._names: set[str] = set()

    def _unique(self, name: str) -> str:
        path = PurePosixPath(name)
        candidate, n = name, 1
        while candidate in self._names:
            n += 1
            candidate = str(path.with_name(f"{path.stem} ({n}){path.suffix}"))
        self._names.add(candidate)
        return candidate

    async def _flush(self) -> None:
        data = self._sink.drain()
        if data:
            await self._send(data)

    async def add_bytes(self, name: str, data: bytes, compress: bool = True) -> None:
        info = zipfile.ZipInfo(self._unique(name))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        self._zip.writestr(info, data)
        await self._flush()

    async def add_json(self, name: str, value: Any) -> None:
        await self.add_bytes(name, json.dumps(value, indent=2, ensure_ascii=False).encode())

    async def add_chunks(self, name: str, chunks: AsyncIterable[bytes]) -> None:
        info = zipfile.ZipInfo(self._unique(name))
        info.compress_type = zipfile.ZIP_STORED
        with self._zip.open(info, "w") as entry:
            async for chunk in chunks:
                entry.write(chunk)
                await self._flush()
        await self._flush()

    async def close(self) -> None:
        self._zip.close()
        await self._flush()
