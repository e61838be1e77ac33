"""French and English: choosing the language of a request, and looking up its strings.

The catalogues are flat JSON files under ``web/locales``, one per language, with the same
keys; values may hold ``{name}`` placeholders. Keys starting with ``js.`` are also handed
to the page's scripts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "lang"
LOCALES = Path(__file__).parent / "locales"


@cache
def catalogue(language: str) -> Mapping[str, str]:
    if language not in LANGUAGES:
        raise ValueError(f"no catalogue for {language!r}")
    data = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{language}.json must be an object of strings")
    return data


def _accepted(header: str) -> list[tuple[float, int, str]]:
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag:
            ranked.append((-quality, position, tag.strip().lower()))
    return sorted(ranked)


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The ``lang`` cookie when it names a language we have, else the browser's best match."""
    if cookie in LANGUAGES:
        return cookie
    for negative_quality, _, tag in _accepted(accept_language or ""):
        if negative_quality >= 0:
            break
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Translator:
    language: str

    def __call__(self, key: str, **params: object) -> str:
        text = catalogue(self.language).get(key)
        if text is None:
            # A missing string must show up in tests and logs, never break a page.
            log.warning("missing %s string %r", self.language, key)
            return key
        return text.format(**params) if params else text

    def script_strings(self) -> dict[str, str]:
        return {k[3:]: v for k, v in catalogue(self.language).items() if k.startswith("js.")}
