"""Rendering without I/O: languages, parts, escaping, headers, and the texts' completeness."""

from __future__ import annotations

import pytest

from mail import unsubscribe
from mail.compose import Attachment, Letter, render, texts
from mail.formats import amount, when
from mail.mailer import lead_time
from tests.mailbox import body, parse, part, subject

SENDER = "helpcall <no-reply@help.example.test>"


def test_both_languages_have_the_same_texts() -> None:
    assert texts("en").keys() == texts("fr").keys()
    kinds = {k.split(".")[0] for k in texts("en") if k.endswith(".subject")}
    for kind in kinds:
        for language in ("en", "fr"):
            assert texts(language)[f"{kind}.lines"] and texts(language)[f"{kind}.action"]


@pytest.mark.parametrize("seconds, language, expected", [
    (86400, "en", "24 hours"), (900, "en", "15 minutes"),
    (86400, "fr", "24 heures"), (900, "fr", "15 minutes"), (5400, "en", "90 minutes"),
])
def test_reminder_lead_times(seconds: int, language: str, expected: str) -> None:
    assert lead_time(seconds, language) == expected


def test_times_and_amounts_read_naturally() -> None:
    at = 1796378400000  # 2026-12-04T10:00:00Z
    assert when(at, "Europe/Paris", "fr") == "vendredi 4 décembre 2026, 11:00 (Europe/Paris)"
    assert when(at, "UTC", "en") == "Friday 4 December 2026, 10:00 (UTC)"
    assert amount(123456, "EUR", "fr") == "1 234,56 €"
    assert amount(123456, "EUR", "en") == "€1,234.56"


def test_a_letter_has_text_html_headers_and_attachment() -> None:
    letter = Letter(kind="booking_created", key="evt.1.a_x", to="zoe@example.test",
                    name="Zoé <admin>", language="fr",
                    values={"other": "Bob & Co", "topic": "Pain", "when": "demain"},
                    action_url="https://h.test/appointments/bk_1",
                    unsubscribe_url="https://h.test/mail/unsubscribe/t",
                    attachments=(Attachment("BEGIN:VCALENDAR\r\nSUMMARY:é\r\nEND:VCALENDAR\r\n",
                                            "calendar", "invite.ics", {"method": "REQUEST"}),))
    raw = render(letter, SENDER).as_bytes()
    raw.decode("ascii")  # 7-bit: any SMTP server takes it
    message = parse(raw)
    assert subject(message) == "Rendez-vous réservé : Pain, demain"
    assert message["Message-ID"] == "<evt.1.a_x@help.example.test>"
    assert message["List-Unsubscribe"] == "<https://h.test/mail/unsubscribe/t>"
    assert message["Content-Language"] == "fr"
    assert "Bonjour Zoé <admin>," in body(message)
    html = body(message, "text/html")
    assert "Zoé &lt;admin&gt;" in html and "Bob &amp; Co" in html and "<admin>" not in html
    calendar = part(message, "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert "SUMMARY:é" in calendar.get_content()


def test_unsubscribe_tokens_are_signed_per_account_and_topic() -> None:
    token = unsubscribe.token(b"k", "a_0123456789", "reminders")
    assert unsubscribe.verify(b"k", token) == ("a_0123456789", "reminders")
    assert unsubscribe.verify(b"other", token) is None
    assert unsubscribe.verify(b"k", token.replace("reminders", "notices")) is None
    assert unsubscribe.verify(b"k", "a_0123456789.security." + token.rsplit(".", 1)[1]) is None
