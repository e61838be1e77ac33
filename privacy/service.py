"""The vault as a service: reading a person's documents and writing them into a zip."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import redis.asyncio as aioredis

from accounts.store import AccountStore
from appointments.booking import Booking
from appointments.ics import Invite, calendar
from appointments.store import BookingStore
from blobs.store import BlobMissing, BlobStore
from common.ids import looks_like_id
from common.timefmt import iso_ms
from privacy.notes import NoteStore
from privacy.records import MAX_SESSIONS, Record, records_of
from privacy.vault import Document, VaultQuery, documents, transcript_text
from privacy.zipstream import ZipStream
from sessions.errors import NoSuchSession
from sessions.files import blob_key
from sessions.receipt import receipt

log = logging.getLogger(__name__)
UID_HOST = "helpcall"


class Vault:
    def __init__(self, redis: aioredis.Redis, accounts: AccountStore, bookings: BookingStore,
                 blobs: BlobStore, notes: NoteStore, public_base: str) -> None:
        self.redis = redis
        self.accounts = accounts
        self.bookings = bookings
        self.blobs = blobs
        self.notes = notes
        self.public_base = public_base

    async def records(self, account_id: str) -> list[Record]:
        return await records_of(self.redis, account_id)

    async def bookings_of(self, account_id: str) -> list[Booking]:
        return await self.bookings.of_account(account_id, 0, limit=MAX_SESSIONS)

    async def names(self, records: list[Record], bookings: list[Booking]) -> dict[str, str]:
        ids = {r.view.client_id for r in records} | {r.view.expert_id for r in records}
        ids |= {b.expert_id for b in bookings} | {b.client_id for b in bookings}
        return await self.accounts.display_names(sorted(i for i in ids if i))

    async def listing(self, account_id: str, query: VaultQuery) -> list[Document]:
        records, bookings = await self.records(account_id), await self.bookings_of(account_id)
        return documents(records, bookings, await self.names(records, bookings), query)

    async def transcript(self, session_id: str, account_id: str) -> tuple[Record, dict[str, str]]:
        """A session's chat, for its participants only (anyone else: no such session)."""
        if looks_like_id(session_id):
            for record in await self.records(account_id):
                if record.view.id == session_id:
                    return record, await self.names([record], [])
        raise NoSuchSession()

    async def write_documents(self, account_id: str, query: VaultQuery, out: ZipStream,
                              folder: str = "") -> int:
        """Every listed document into ``out``; answers how many."""
        records, bookings = await self.records(account_id), await self.bookings_of(account_id)
        names = await self.names(records, bookings)
        by_session = {r.view.id: r for r in records}
        by_booking = {b.id: b for b in bookings}
        listed = documents(records, bookings, names, query)
        now_ms = await self.bookings.now_ms()
        for doc in listed:
            place = f"{folder}{_day(doc)} {_safe(doc.expert_name) or 'helpcall'}/"
            record = by_session.get(doc.session_id)
            if doc.kind == "file" and doc.file is not None:
                await self._add_blob(out, place + doc.name, doc.file.owner_id, doc.file.file_id)
            elif doc.kind == "transcript" and record is not None:
                await out.add_bytes(place + doc.name, transcript_text(record, names).encode())
            elif doc.kind == "receipt" and record is not None:
                copy = receipt(record.view, record.fields, record.timeline, names,
                               expert_copy=record.view.role_of(account_id) != "client")
                await out.add_json(place + doc.name, copy)
            elif doc.kind == "invite" and doc.booking_id in by_booking:
                invite = Invite(by_booking[doc.booking_id], account_id,
                                f"{self.public_base}/appointments/{doc.booking_id}")
                await out.add_bytes(place + doc.name,
                                    calendar([invite], now_ms, UID_HOST).encode())
        return len(listed)

    async def _add_blob(self, out: ZipStream, name: str, owner_id: str, file_id: str) -> None:
        chunks = self.blobs.get(blob_key(owner_id, file_id))
        try:
            first = await anext(chunks)
        except (BlobMissing, StopAsyncIteration):
            log.info("file %s of %s is gone: left out of the zip", file_id, owner_id)
            return

        await out.add_chunks(name, _with_first(first, chunks))


async def _with_first(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk


def _day(doc: Document) -> str:
    return iso_ms(doc.at_ms)[:10]


def _safe(name: str) -> str:
    return "".join(ch for ch in name if ch.isalnum() or ch in " -_.").strip()[:60]
