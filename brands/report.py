"""The analytics as a CSV file and as an SVG bar chart, both built from ``summarise``."""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

COLUMNS = ("calls", "rung", "answered", "answer_rate", "live_minutes", "avg_rating",
           "ratings", "avg_wait_seconds", "spend_cents", "client_paid_cents")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell that starts with these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(summary: dict[str, Any], names: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["scope", "key", "name", *COLUMNS])
    writer.writerow(["total", "", "", *(_cell(summary["total"][c]) for c in COLUMNS)])
    for row in summary["by_day"]:
        writer.writerow(["day", row["day"], "", *(_cell(row[c]) for c in COLUMNS)])
    for row in summary["by_expert"]:
        writer.writerow(["expert", row["expert_id"], _cell(names.get(row["expert_id"], "")),
                         *(_cell(row[c]) for c in COLUMNS)])
    return out.getvalue()


def bar_chart(bars: list[tuple[str, float]], title: str, colour: str,
              width: int = 640, height: int = 220,
              empty: str = "No calls in this period") -> str:
    """An accessible SVG bar chart; every text is escaped, the colour is a validated hex."""
    top, bottom, left = 24, 40, 8
    plot_h = height - top - bottom
    highest = max((value for _, value in bars), default=0) or 1
    step = (width - 2 * left) / max(1, len(bars))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
             f"<title>{escape(title)}</title>",
             f'<text x="{left}" y="16" class="chart-title">{escape(title)}</text>']
    for n, (label, value) in enumerate(bars):
        bar_h = plot_h * value / highest
        x = left + n * step
        y = top + plot_h - bar_h
        parts.append(
            f'<g><rect x="{x + 2:.1f}" y="{y:.1f}" width="{max(1.0, step - 4):.1f}" '
            f'height="{bar_h:.1f}" fill="{escape(colour)}" data-label="{escape(label)}" '
            f'data-value="{value:g}"><title>{escape(label)}: {value:g}</title></rect>'
            f'<text x="{x + step / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
            f'font-size="10">{escape(label[-5:])}</text>'
            f'<text x="{x + step / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
            f'font-size="10">{value:g}</text></g>')
    if not bars:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">'
                     f"{escape(empty)}</text>")
    parts.append("</svg>")
    return "".join(parts)
