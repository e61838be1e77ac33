"""Colour contrast as WCAG 2.x measures it, so that a brand's page stays readable.

The page writes its title and the `Call now` label in the accent colour on the primary
colour: that pair must reach 4.5:1 (WCAG AA for text). Saving a pair below it is refused
with the measured ratio; a pair stored before this rule existed is shown with black or
white text instead, whichever reads better (pure: no I/O).
"""

from __future__ import annotations

from common.errors import Invalid

AA_TEXT = 4.5
_DARK = "#000000"
_LIGHT = "#ffffff"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb``, from 0 (black) to 1 (white)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def best_text_on(background: str) -> str:
    """Black or white text, whichever contrasts more with the background: one of them
    always reaches 4.58:1 (the square root of 21), whatever the background."""
    return _DARK if contrast(_DARK, background) >= contrast(_LIGHT, background) else _LIGHT


def require_readable(primary: str, accent: str) -> None:
    ratio = contrast(primary, accent)
    if ratio < AA_TEXT:
        suggestion = best_text_on(primary)
        raise Invalid(
            f"accent_colour {accent} on primary_colour {primary} has a contrast of "
            f"{ratio:.1f}:1; text needs at least {AA_TEXT}:1 (WCAG AA). Choose a darker or "
            f"lighter pair, for instance accent_colour {suggestion}.", "accent_colour")


def readable_accent(primary: str, accent: str) -> str:
    """The accent to show: the brand's own when readable, else a readable fallback."""
    return accent if contrast(primary, accent) >= AA_TEXT else best_text_on(primary)
