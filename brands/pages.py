"""The branded page, its theme and the brand dashboard: server-rendered, escaped.

A Jinja2 environment of our own (``brands/templates``) with autoescaping on, so every
brand text (name, welcome, expert names) is written as text, never as markup. Colours
reach the page only through ``theme.css``, checked again as hex when written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from brands.contrast import readable_accent
from brands.models import DEFAULT_ACCENT, DEFAULT_PRIMARY, Brand

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def render(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def theme_css(brand: Brand) -> str:
    primary = brand.primary_colour if _HEX.match(brand.primary_colour) else DEFAULT_PRIMARY
    accent = brand.accent_colour if _HEX.match(brand.accent_colour) else DEFAULT_ACCENT
    accent = readable_accent(primary, accent)  # a pair saved before the contrast rule
    return f":root {{ --brand-primary: {primary}; --brand-accent: {accent}; }}\n"


def content_security_policy(embed: bool) -> str:
    """As strict as the app's pages; an https logo may come from elsewhere, and the
    embeddable variant may be framed by any site (it starts nothing by itself)."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors *" if embed else "frame-ancestors 'none'",
    ])
