"""Blobs in any S3-compatible store (AWS S3, MinIO, Ceph RGW, Garage, ...), for several
machines: ``HELPCALL_BLOB_URL=s3://bucket/prefix``.

Requests are signed here (``blobs.sigv4``) and sent with the aiohttp client the server
already depends on: no SDK, no thread pool of blocking calls. Path-style addressing
(``<endpoint>/<bucket>/<key>``), which every S3-compatible server accepts. An upload is
spooled to a temporary file first (the size and SHA-256 must be known before the PUT is
signed; memory stays flat), then sent with its checksum so the store verifies it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from blobs.sigv4 import EMPTY_SHA256, Credentials, authorization, canonical_query, uri_encode
from blobs.store import CHUNK_BYTES, BlobInfo, BlobKey, BlobMissing, BlobStoreError, capped

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class S3Location:
    endpoint: str  # e.g. https://s3.eu-west-3.amazonaws.com or http://127.0.0.1:9000
    bucket: str
    prefix: str
    credentials: Credentials

    def object_key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path


class S3BlobStore:
    def __init__(self, location: S3Location) -> None:
        self.location = location
        endpoint = urlsplit(location.endpoint)
        self._base = f"{endpoint.scheme}://{endpoint.netloc}"
        self._host = endpoint.netloc
        self._session: aiohttp.ClientSession | None = None
        self.page_size = 1000  # S3's own most per listing page

    async def open(self) -> S3BlobStore:
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=60)
        self._session = aiohttp.ClientSession(timeout=timeout, auto_decompress=False)
        return self

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @asynccontextmanager
    async def _request(
        self, method: str, key: str | None, params: Mapping[str, str] | None = None,
        data: Any = None, sha256: str = EMPTY_SHA256, headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """A signed request to the bucket (``key`` None) or one object; a store that cannot
        be reached is a ``BlobStoreError`` like one that answers an error."""
        try:
            async with self._signed(method, key, params, data, sha256, headers) as answer:
                yield answer
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.error("S3 %s %s failed: %s", method, key, exc)
            raise BlobStoreError() from exc

    def _signed(
        self, method: str, key: str | None, params: Mapping[str, str] | None,
        data: Any, sha256: str, headers: Mapping[str, str] | None,
    ) -> Any:
        assert self._session is not None, "open() the store first"
        path = "/" + uri_encode(self.location.bucket)
        if key is not None:
            path += "/" + uri_encode(key, keep_slash=True)
        params = dict(params or {})
        sent = {"host": self._host, **(headers or {})}
        sent.update(authorization(self.location.credentials, method, path, params, sent, sha256,
                                  datetime.now(UTC)))
        # Sent exactly as signed: yarl's own query encoding differs from SigV4's on "+" and "/".
        query = "?" + canonical_query(params) if params else ""
        url = URL(self._base + path + query, encoded=True)
        return self._session.request(method, url, data=data, headers=sent)

    async def put(self, key: BlobKey, chunks: AsyncIterable[bytes], max_bytes: int) -> int:
        spool = await asyncio.to_thread(tempfile.TemporaryFile)
        try:
            digest, size = hashlib.sha256(), 0
            async for chunk in capped(chunks, max_bytes):
                digest.update(chunk)
                size += len(chunk)
                await asyncio.to_thread(spool.write, chunk)
            await asyncio.to_thread(spool.seek, 0)
            headers = {"content-length": str(size), "content-type": "application/octet-stream"}
            async with self._request("PUT", self.location.object_key(key.path), data=_reader(spool),
                                     sha256=digest.hexdigest(), headers=headers) as answer:
                await _expect(answer, 200)
            return size
        finally:
            await asyncio.to_thread(spool.close)

    async def get(self, key: BlobKey) -> AsyncIterator[bytes]:
        async with self._request("GET", self.location.object_key(key.path)) as answer:
            if answer.status == 404:
                raise BlobMissing(key.path)
            await _expect(answer, 200)
            async for chunk in answer.content.iter_chunked(CHUNK_BYTES):
                yield chunk

    async def delete(self, key: BlobKey) -> None:
        async with self._request("DELETE", self.location.object_key(key.path)) as answer:
            if answer.status != 404:  # already gone is what we wanted
                await _expect(answer, 200, 204)

    async def list(self, owner: str) -> list[BlobInfo]:
        prefix = self.location.object_key(BlobKey(owner, "x").owner + "/")
        found: list[BlobInfo] = []
        token = ""
        while True:
            params = {"list-type": "2", "prefix": prefix, "max-keys": str(self.page_size)}
            if token:
                params["continuation-token"] = token
            async with self._request("GET", None, params) as answer:
                await _expect(answer, 200)
                root = ElementTree.fromstring(await answer.read())
            for item in _children(root, "Contents"):
                name = _text(item, "Key")[len(prefix):]
                if "/" not in name:
                    found.append(BlobInfo(BlobKey(owner, name), int(_text(item, "Size"))))
            token = _text(root, "NextContinuationToken")
            if _text(root, "IsTruncated") != "true" or not token:
                return found

    async def create_bucket(self) -> None:
        """For set-up scripts and tests; a deployment creates its bucket beforehand."""
        async with self._request("PUT", None) as answer:
            await _expect(answer, 200)


async def _reader(spool: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := await asyncio.to_thread(spool.read, CHUNK_BYTES):
        yield chunk


async def _expect(answer: aiohttp.ClientResponse, *statuses: int) -> None:
    if answer.status not in statuses:
        detail = (await answer.read())[:300].decode("utf-8", "replace")
        log.error("S3 answered %s to %s %s: %s", answer.status, answer.method, answer.url.path,
                  detail)
        raise BlobStoreError()


def _children(node: ElementTree.Element, tag: str) -> list[ElementTree.Element]:
    # S3 answers in its namespace; some compatible servers do not: match the local name.
    return [child for child in node if child.tag.rsplit("}", 1)[-1] == tag]


def _text(node: ElementTree.Element, tag: str) -> str:
    found = _children(node, tag)
    return (found[0].text or "") if found else ""
