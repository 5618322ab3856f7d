"""Charts drawn on the server as SVG: no script, no inline style (the page's CSP holds), and
always beside a table of the same numbers (the table is what a screen reader reads; the
chart is `aria-hidden`). Colours come from the style sheet by class, and each series also
differs by pattern of position (left and right bar), so nothing is told by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # a class of the style sheet: `series-1`, `series-2`
    values: Sequence[int]


def bar_chart(labels: Sequence[str], series: Sequence[Series], height: int = 180) -> Markup:
    """Grouped bars, one group per label; the y axis from 0 to the largest value."""
    top = max([1, *(v for s in series for v in s.values)])
    group, bar, left, bottom = 44, 16, 34, 28
    width = left + group * len(labels) + 10
    plot = height - bottom - 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">'
    ]
    for tick in sorted({0, top // 2, top}):
        y = 8 + plot - plot * tick / top
        parts.append(
            f'<line class="chart__grid" x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(f'<text class="chart__tick" x="{left - 4}" y="{y + 4:.1f}">{tick}</text>')
    for i, label in enumerate(labels):
        x0 = left + group * i + (group - bar * len(series)) / 2
        for j, s in enumerate(series):
            value = s.values[i]
            h = plot * value / top
            parts.append(
                f'<rect class="chart__bar {escape(s.css)}" x="{x0 + j * bar:.1f}" '
                f'y="{8 + plot - h:.1f}" width="{bar - 2}" height="{h:.1f}"/>'
            )
        parts.append(
            f'<text class="chart__label" x="{left + group * i + group / 2:.1f}" '
            f'y="{height - 10}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
