"""The two catalogues say the same things, and every string the code asks for exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from web.i18n import LANGUAGES, Translator, catalogue, choose_language

WEB = Path(__file__).resolve().parents[2] / "web"
_CALL = re.compile(r"""\bt\(\s*["'`]([a-z0-9_.]+)["'`]""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_french_and_english_have_the_same_keys_and_placeholders() -> None:
    english, french = catalogue("en"), catalogue("fr")
    assert set(english) == set(french)
    for key in english:
        assert _placeholders(english[key]) == _placeholders(french[key]), key
        assert english[key].strip() and french[key].strip(), key


def test_every_string_the_code_uses_is_in_the_catalogues() -> None:
    used: set[str] = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.rglob("*.py")]:
        used |= set(_CALL.findall(path.read_text(encoding="utf-8")))
    for path in (WEB / "static" / "js").rglob("*.js"):
        if "vendor" not in path.parts:
            used |= {"js." + key for key in _CALL.findall(path.read_text(encoding="utf-8"))}
    # Keys built at run time end with a dot here (``t(`state.${state}`)``): check their stems.
    stems = {key for key in used if key.endswith((".", "_"))}
    for language in LANGUAGES:
        keys = set(catalogue(language))
        assert not (used - stems) - keys, sorted((used - stems) - keys)
        for stem in stems:
            assert any(key.startswith(stem) for key in keys), stem


def test_every_state_reason_and_status_has_words() -> None:
    keys = set(catalogue("en"))
    states = ["connecting", "queued", "ringing", "accepted", "live", "paused", "ended"]
    reasons = ["hangup", "declined", "no_answer", "cancelled", "failed", "dropped",
               "balance_exhausted"]
    for state in states:
        assert f"js.state.{state}" in keys
    for reason in reasons:
        assert f"js.reason.{reason}" in keys
    for kind in ["topup", "hold", "release", "charge"]:
        assert f"js.ledger.{kind}" in keys


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "en"),
        (None, "fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        (None, "de-DE,fr;q=0.5,en;q=0.7", "en"),
        (None, "de-DE,fr;q=0.5", "fr"),
        (None, "en;q=0.2, fr-CA;q=0.9", "fr"),
        (None, "fr;q=0", "en"),
        ("en", "fr-FR", "en"),
        ("fr", "en-US", "fr"),
        ("xx", "fr", "fr"),
        (None, "garbage;;q=x,,", "en"),
    ],
)
def test_the_language_comes_from_the_cookie_then_the_browser(
    cookie: str | None, header: str | None, expected: str
) -> None:
    assert choose_language(cookie, header) == expected


def test_a_translator_fills_placeholders_and_shows_a_missing_key() -> None:
    assert Translator("fr")("form.error.throttled", seconds=5).startswith("Trop de tentatives")
    assert "5 seconds" in Translator("en")("form.error.throttled", seconds=5)
    assert Translator("en")("no.such.key") == "no.such.key"
    assert Translator("en").script_strings()["state.live"] == "Live"
