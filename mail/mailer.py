"""What is mailed, to whom, in which language: events become letters in the queue.

The web process calls these as things happen (through the hooks in ``mail/hooks.py`` and
the ``AccountMail`` interface of ``accounts``). Each letter has a key derived from the event
that caused it, so the same event queued twice is sent once. The recipient's language,
address and mail preferences come from the account; mail a person has turned off is not
queued at all. A failure to queue is logged and never breaks what caused it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from accounts.models import Account
from accounts.store import AccountStore
from appointments.booking import Booking
from appointments.ics import Invite, Scheduling, calendar
from mail import formats, unsubscribe
from mail.compose import Attachment, Letter, render, text
from mail.outbox import Outbox
from mail.settings import MailSettings
from sessions.model import SessionView

log = logging.getLogger(__name__)

UID_HOST = "helpcall"  # the same UID host as the calendar feeds: one event per booking
REMINDERS, NOTICES = "reminders", "notices"


def lead_time(seconds_before: int, language: str) -> str:
    """How long before the appointment a reminder comes: ``24 hours``, ``15 minutes``."""
    hours, minutes = divmod(seconds_before // 60, 60)
    if hours and not minutes:
        return text(language, "lead.hours", n=hours)
    return text(language, "lead.minutes", n=seconds_before // 60)


class Mailer:
    def __init__(self, accounts: AccountStore, outbox: Outbox, settings: MailSettings,
                 secret: bytes) -> None:
        self._accounts = accounts
        self._outbox = outbox
        self._settings = settings
        self._secret = secret

    def url(self, path: str) -> str:
        return self._settings.public_url + path

    async def _queue(self, letter: Letter) -> None:
        try:
            message = render(letter, self._settings.sender)
            if await self._outbox.put(letter.key, letter.to, letter.kind, message):
                log.info("mail %s (%s) queued", letter.key, letter.kind)
        except Exception:
            log.exception("could not queue mail %s (%s)", letter.key, letter.kind)

    async def _to_account(self, account: Account | str, kind: str, key: str, *,
                          topic: str | None = None, **fields: Any) -> None:
        """A letter to an account, unless it turned ``topic`` off."""
        found = account if isinstance(account, Account) else await self._accounts.get(account)
        if found is None or (topic is not None and topic in found.mail_off):
            return
        if topic is not None:
            fields["unsubscribe_url"] = self.url(
                "/mail/unsubscribe/" + unsubscribe.token(self._secret, found.id, topic))
        await self._queue(Letter(kind=kind, key=f"{key}.{found.id}", to=found.email,
                                 name=found.display_name, language=found.language, **fields))

    # -- accounts (AccountMail) ---------------------------------------------------------

    async def password_reset(self, account: Account, token: str) -> None:
        await self._to_account(account, "password_reset", f"reset.{token[:16]}", security=True,
                               action_url=self.url(f"/password-reset/{quote(token)}"))

    async def verify_email(self, account: Account, token: str) -> None:
        await self._to_account(account, "verify_email", f"verify.{token[:16]}", security=True,
                               action_url=self.url(f"/verify-email/{quote(token)}"))

    # -- appointments -----------------------------------------------------------------------

    async def booking(self, kind: str, booking: Booking, event_id: str) -> None:
        """``booking_created``, ``booking_cancelled`` or ``booking_moved``: to both sides,
        each with the invite (REQUEST, or CANCEL) for their calendar."""
        cancelled = kind == "booking_cancelled"
        shown = replace(booking, sequence=booking.sequence + 1) if cancelled else booking
        people = [a for a in [await self._accounts.get(booking.client_id),
                              await self._accounts.get(booking.expert_id)] if a is not None]
        scheduling = Scheduling("CANCEL" if cancelled else "REQUEST",
                                self._settings.sender_address,
                                tuple((p.display_name, p.email) for p in people))
        for person in people:
            invite = Invite(shown, person.id, self.url(f"/appointments/{booking.id}"))
            ics = calendar([invite], int(time.time() * 1000), UID_HOST, scheduling=scheduling)
            await self._to_account(
                person, kind, f"{event_id}.{kind}", **self._booking_fields(booking, person),
                action_url=self.url("/appointments" if cancelled
                                    else f"/appointments/{booking.id}"),
                attachments=(Attachment(ics, "calendar", "invite.ics",
                                        {"method": scheduling.method}),))

    async def reminder(self, booking: Booking, account_id: str, seconds_before: int,
                       event_id: str) -> None:
        person = await self._accounts.get(account_id)
        if person is None:
            return
        lead = lead_time(seconds_before, person.language)
        fields = self._booking_fields(booking, person)
        fields["values"] = {**fields["values"], "lead": lead}
        await self._to_account(person, "booking_reminder", f"{event_id}", topic=REMINDERS,
                               action_url=self.url(f"/appointments/{booking.id}"), **fields)

    @staticmethod
    def _booking_fields(booking: Booking, person: Account) -> dict[str, Any]:
        other = booking.expert_name if person.id == booking.client_id else booking.client_name
        when = formats.when(booking.start_ms, booking.time_zone, person.language)
        return {
            "values": {"other": other, "topic": booking.topic, "when": when},
            "details": (("label.when", when), ("label.with", other),
                        ("label.topic", booking.topic),
                        ("label.length", f"{booking.length_minutes} min")),
        }

    # -- calls ----------------------------------------------------------------------------

    async def missed_call(self, session: SessionView, expert_id: str) -> None:
        client = await self._accounts.get(session.client_id)
        name = client.display_name if client else ""
        await self._to_account(expert_id, "missed_call", f"missed.{session.id}", topic=NOTICES,
                               values={"client": name}, action_url=self.url("/console"),
                               details=(("label.topic", session.topic),) if session.topic
                               else ())

    async def receipt(self, session: SessionView) -> None:
        client = await self._accounts.get(session.client_id)
        if client is None:
            return
        expert_names = await self._accounts.display_names([session.expert_id])
        other = expert_names.get(session.expert_id, "")
        paid = formats.amount(session.amount_cents, session.currency, client.language)
        took = formats.duration(session.billed_seconds)
        await self._to_account(
            client, "receipt", f"receipt.{session.id}",
            values={"other": other, "amount": paid},
            details=(("label.with", other), ("label.duration", took), ("label.amount", paid)),
            action_url=self.url(f"/sessions/{session.id}/receipt"))

    # -- trust ------------------------------------------------------------------------------

    async def dispute(self, account_id: str, notice: dict[str, Any]) -> None:
        """A dispute's news, as its in-app notice says it: opened (to the expert), answered
        (to the client), decided (to both, with what goes back). Money: never unsubscribed."""
        news = str(notice["kind"]).removeprefix("dispute.")
        if news not in ("opened", "answered", "decided"):
            return
        account = await self._accounts.get(account_id)
        if account is None:
            return
        session_id = str(notice["session_id"])
        values: dict[str, Any] = {}
        details: tuple[tuple[str, str], ...] = ()
        if news == "decided":
            refund = formats.amount(int(notice.get("refund_cents") or 0),
                                    str(notice.get("currency") or "EUR"), account.language)
            values["outcome"] = text(account.language,
                                     f"dispute.outcome.{notice.get('outcome') or 'none'}",
                                     refund=refund)
            details = (("label.refund", refund),)
        await self._to_account(account, f"dispute_{news}", f"dispute.{news}.{session_id}",
                               values=values, details=details,
                               action_url=self.url(f"/sessions/{session_id}/receipt"))

    # -- marketplace ------------------------------------------------------------------------

    async def callback_request(self, expert_ids: list[str], request: dict[str, Any]) -> None:
        for expert_id in expert_ids:
            await self._to_account(
                expert_id, "callback_request", f"callback.{request['id']}", topic=NOTICES,
                values={"topic": request["topic"] or "-", "category": request["category"]},
                details=(("label.category", request["category"]),
                         ("label.topic", request["topic"] or "-")),
                action_url=self.url("/console"))

    async def new_review(self, expert_id: str, review: dict[str, Any], client_name: str) -> None:
        await self._to_account(
            expert_id, "new_review", f"review.{review['id']}", topic=NOTICES,
            values={"client": client_name, "rating": review["rating"]},
            details=(("label.rating", f"{review['rating']}/5"),
                     ("label.review", str(review.get("text") or "-"))),
            action_url=self.url(f"/experts/{expert_id}"))

    # -- brands -----------------------------------------------------------------------------

    async def brand_invitation(self, email: str, brand_name: str, token: str,
                               fallback_language: str) -> None:
        """To an address that may not have an account yet: its account's language if it
        has one, else the inviter's."""
        account_id = await self._accounts.id_of(email)
        account = await self._accounts.get(account_id) if account_id else None
        await self._queue(Letter(
            kind="brand_invitation", key=f"invite.{token[:16]}", to=email,
            name=account.display_name if account else email,
            language=account.language if account else fallback_language,
            values={"brand": brand_name}, action_url=self.url(f"/invitations/{quote(token)}")))
