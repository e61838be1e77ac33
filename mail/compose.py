"""A letter becomes a MIME message: text and HTML from Jinja2 templates, in the reader's
language, with a stable Message-ID and, for mail a person may turn off, List-Unsubscribe.

Pure: no I/O besides reading the templates and texts once.
"""

from __future__ import annotations

import email.policy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

HERE = Path(__file__).parent
LANGUAGES = ("en", "fr")
# CRLF, and only 7-bit data (non-ASCII text is quoted-printable or base64), so that any SMTP
# server takes it.
POLICY = email.policy.SMTP.clone(cte_type="7bit")


@dataclass(frozen=True)
class Attachment:
    content: str
    subtype: str  # text/<subtype>
    filename: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Letter:
    """One message to one person, before it is rendered."""

    kind: str  # names the texts: <kind>.subject, <kind>.lines, <kind>.action
    key: str  # stable and unique per message: the Message-ID's left part, and the dedup key
    to: str
    name: str
    language: str
    values: Mapping[str, Any] = field(default_factory=dict)
    action_url: str | None = None
    details: tuple[tuple[str, str], ...] = ()  # (label key, value)
    security: bool = False
    unsubscribe_url: str | None = None  # set for mail a person may turn off
    preferences_url: str | None = None
    attachments: tuple[Attachment, ...] = ()


@cache
def texts(language: str) -> Mapping[str, Any]:
    if language not in LANGUAGES:
        raise ValueError(f"no mail texts for {language!r}")
    data = json.loads((HERE / "texts" / f"{language}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def text(language: str, key: str, **values: Any) -> str:
    raw = texts(language)[key]
    assert isinstance(raw, str)
    return raw.format(**values) if values else raw


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def message_id(key: str, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "helpcall.invalid"
    return f"<{key}@{domain}>"


def render(letter: Letter, sender: str) -> EmailMessage:
    lang = letter.language if letter.language in LANGUAGES else "en"
    values = dict(letter.values)
    lines = [line.format(**values) for line in texts(lang)[f"{letter.kind}.lines"]]
    subject = text(lang, f"{letter.kind}.subject", **values)
    context = {
        "lang": lang,
        "subject": subject,
        "greeting": text(lang, "common.greeting", name=letter.name),
        "lines": lines,
        "action_url": letter.action_url,
        "action_label": text(lang, f"{letter.kind}.action"),
        "details": [(text(lang, label), value) for label, value in letter.details],
        "why": text(lang, "common.why_security" if letter.security else "common.why_account"),
        "unsubscribe_url": letter.unsubscribe_url,
        "unsubscribe_line": text(lang, "common.unsubscribe", url=letter.unsubscribe_url),
        "unsubscribe_label": text(lang, "common.unsubscribe_link"),
        "footer": text(lang, "common.footer"),
    }
    env = _templates()
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = Address(display_name=letter.name, addr_spec=letter.to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(letter.key, sender)
    message["Auto-Submitted"] = "auto-generated"
    if letter.unsubscribe_url:
        # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe.
        message["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(env.get_template("message.txt").render(context))
    message.add_alternative(env.get_template("message.html").render(context), subtype="html")
    for attachment in letter.attachments:
        message.add_attachment(attachment.content, subtype=attachment.subtype,
                               filename=attachment.filename, params=dict(attachment.params))
    # Last: building the parts moves Content-* headers of the top level into the first part.
    message["Content-Language"] = lang
    return message
