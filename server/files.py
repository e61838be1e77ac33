"""Wiring of shared files: the blob store the configuration names, the sharing service,
and its expiry loop (a cleanup context: it starts after the calls, stops before them)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlparse

from aiohttp import web

from blobs.localdir import LocalBlobStore
from blobs.s3 import S3BlobStore, S3Location
from blobs.sigv4 import Credentials
from blobs.store import BlobStore
from common.loops import stop_all
from server.config import Config
from server.keys import BLOBS, CALLS, CONFIG, FILES, REDIS
from sessions.files import FileLimits
from sessions.filestore import FileStore
from sessions.sharing import FileSharing

log = logging.getLogger(__name__)
MIB = 1024 * 1024


def file_limits(config: Config) -> FileLimits:
    return FileLimits(
        quota_bytes=config.file_quota_mb * MIB,
        quota_files=config.file_quota_files,
        rate_bytes=config.file_rate_mb * MIB,
        rate_files=config.file_rate_files,
        rate_window_ms=int(config.file_rate_seconds * 1000),
        kept_ms=int(config.files_kept_seconds * 1000),
    )


async def open_blob_store(config: Config) -> BlobStore:
    """``HELPCALL_BLOB_URL``: unset is ``<data dir>/blobs``; ``file:///folder``; ``s3://``."""
    url = urlparse(config.blob_url or "")
    if url.scheme == "s3":
        assert config.s3_access_key_id and config.s3_secret_access_key  # checked by config
        endpoint = config.s3_endpoint or f"https://s3.{config.s3_region}.amazonaws.com"
        credentials = Credentials(config.s3_access_key_id, config.s3_secret_access_key,
                                  config.s3_region)
        location = S3Location(endpoint, url.netloc, url.path.strip("/"), credentials)
        log.info("shared files in s3://%s/%s at %s", location.bucket, location.prefix, endpoint)
        return await S3BlobStore(location).open()
    root = Path(url.path) if url.scheme == "file" else config.data_dir / "blobs"
    log.info("shared files under %s", root)
    return await LocalBlobStore(root).open()


async def files_ctx(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    blobs = await open_blob_store(config)
    files = FileSharing(app[CALLS], FileStore(app[REDIS], file_limits(config)), blobs)
    app[BLOBS], app[FILES] = blobs, files
    loop = files.cleanup_loop(config.file_cleanup_interval_seconds)
    task = asyncio.create_task(loop.run())
    try:
        yield
    finally:
        await stop_all([loop], [task])
        await blobs.close()
