"""Charts for the dashboard as inline SVG, drawn here: no chart library, no external service.
Every label is escaped, so text from the data cannot become markup."""

from __future__ import annotations

from html import escape
from typing import Sequence, Tuple

BAR = "#2f6fb0"


def bar_chart(
    items: Sequence[Tuple[str, float]],
    title: str,
    unit: str = "",
    width: int = 640,
    bar_height: int = 22,
    label_width: int = 170,
) -> str:
    """Horizontal bars, one per (label, value), the value written at the bar's end."""
    top = 30
    height = top + max(1, len(items)) * (bar_height + 8) + 10
    peak = max((v for _, v in items), default=0) or 1
    span = width - label_width - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>',
    ]
    if not items:
        parts.append(f'<text x="0" y="{top + 16}" class="chart-empty">暂无数据</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + 8)
        length = 0 if value <= 0 else max(2, round(span * value / peak))
        shown = f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"
        parts += [
            f'<text x="{label_width - 8}" y="{y + bar_height - 6}" text-anchor="end">{escape(label)}</text>',
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="{BAR}">'
            f"<title>{escape(label)}：{escape(shown)}</title></rect>",
            f'<text x="{label_width + length + 6}" y="{y + bar_height - 6}">{escape(shown)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def column_chart(items: Sequence[Tuple[str, int]], title: str, width: int = 720, height: int = 220) -> str:
    """Vertical columns over time (e.g. tickets per day); every 5th label is written."""
    left, bottom, top = 30, 40, 30
    peak = max((v for _, v in items), default=0) or 1
    slot = (width - left - 10) / max(1, len(items))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>',
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{peak}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#999"/>',
    ]
    plot = height - bottom - top
    for i, (label, value) in enumerate(items):
        x = left + i * slot
        h = 0 if value <= 0 else max(1, round(plot * value / peak))
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{height - bottom - h}" width="{max(1, slot - 2):.1f}" height="{h}" '
            f'fill="{BAR}"><title>{escape(label)}：{value}</title></rect>'
        )
        if i % 5 == 0 or i == len(items) - 1:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'class="chart-axis">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
