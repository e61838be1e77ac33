"""The vault ("My documents"): every file shared in a person's calls, their transcripts,
receipts and booking invites, found by expert and date, read one by one or zipped.

Nobody reads what is not theirs: everything here starts from the reader's own indexes
(their sessions, their bookings), and a file is offered only from a session they took
part in. Files are those still kept (``HELPCALL_RETENTION_DAYS``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from appointments.booking import Booking
from common.errors import Invalid
from common.timefmt import iso_ms
from privacy.records import KeptFile, Record
from sessions.files import file_url
from sessions.receipt import has_receipt

NameLookup = Callable[[list[str]], Awaitable[dict[str, str]]]
DAY_MS = 86_400_000


def _day(raw: str, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{name} must be a date (YYYY-MM-DD)", name) from None


def _day_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


@dataclass(frozen=True)
class VaultQuery:
    """``?expert=<part of a name>&from=YYYY-MM-DD&to=YYYY-MM-DD`` (days in UTC, inclusive)."""

    expert: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> VaultQuery:
        expert = query.get("expert", "").strip()
        if len(expert) > 100:
            raise Invalid("expert is longer than 100 characters", "expert")
        found = cls(expert.casefold(), _day(query.get("from", ""), "from"),
                    _day(query.get("to", ""), "to"))
        if found.since and found.until and found.until < found.since:
            raise Invalid("to is before from", "to")
        return found

    def matches(self, expert_name: str, at_ms: int) -> bool:
        if self.expert and self.expert not in expert_name.casefold():
            return False
        if self.since and at_ms < _day_ms(self.since):
            return False
        return not (self.until and at_ms >= _day_ms(self.until) + DAY_MS)


@dataclass(frozen=True)
class Document:
    kind: str  # file, transcript, receipt, invite
    name: str
    at_ms: int
    expert_id: str
    expert_name: str
    url: str
    session_id: str = ""
    booking_id: str = ""
    file: KeptFile | None = None

    def public(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "name": self.name, "at": iso_ms(self.at_ms),
            "expert": {"id": self.expert_id, "display_name": self.expert_name},
            "session_id": self.session_id or None, "booking_id": self.booking_id or None,
            "size": self.file.size if self.file else None,
            "content_type": self.file.content_type if self.file else None,
            "url": self.url,
        }


def documents(records: list[Record], bookings: list[Booking], names: Mapping[str, str],
              query: VaultQuery) -> list[Document]:
    """What the vault lists, newest first (a rule: no I/O)."""
    found: list[Document] = []
    for record in records:
        view = record.view
        expert = names.get(view.expert_id, "")
        at = view.ended_at_ms or view.created_at_ms
        if record.chat:
            found.append(Document("transcript", f"chat-{view.id}.txt", at, view.expert_id,
                                  expert, f"/sessions/{view.id}/transcript", session_id=view.id))
        if has_receipt(view):
            found.append(Document("receipt", f"receipt-{view.id}.json", at, view.expert_id,
                                  expert, f"/sessions/{view.id}/receipt", session_id=view.id))
        for kept in record.files:
            found.append(Document("file", kept.name, kept.shared_at_ms, view.expert_id, expert,
                                  file_url(view.id, kept.file_id), session_id=view.id,
                                  file=kept))
    for booking in bookings:
        found.append(Document("invite", f"booking-{booking.id}.ics", booking.start_ms,
                              booking.expert_id, names.get(booking.expert_id, "")
                              or booking.expert_name,
                              f"/api/v1/bookings/{booking.id}.ics", booking_id=booking.id))
    listed = [d for d in found if query.matches(d.expert_name, d.at_ms)]
    listed.sort(key=lambda d: (-d.at_ms, d.kind, d.name))
    return listed


def transcript_text(record: Record, names: Mapping[str, str]) -> str:
    """A chat as plain text, one message a line (the zip's ``chat-<session>.txt``)."""
    lines = [f"helpcall session {record.view.id}"]
    for message in record.chat:
        who = names.get(str(message.get("from")), "") or str(message.get("from"))
        shared = message.get("file")
        text = f"[file] {shared.get('name')}" if isinstance(shared, dict) else message.get("text")
        lines.append(f"{message.get('at')} {who}: {text}")
    return "\n".join(lines) + "\n"
