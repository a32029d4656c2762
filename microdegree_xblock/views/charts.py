"""
Accessible SVG charts drawn on the server, from plain numbers and strings: no JavaScript, no library, no CDN.

Pure: no Django, no models, no request, so the charts are tested as text. Every text is escaped here (labels,
titles, ids), so the markup may be put into a page as it is. Each chart is an ``<svg role="img">`` named by its
``<title>`` and described by its ``<desc>``; every bar carries its own ``<title>`` (category, series, value) and
the page shows the same figures in a table, the chart's accessible equivalent. The colours are Okabe and Ito's,
told apart with the common colour-vision deficiencies, and every series is named in a legend.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape

__all__ = ["PALETTE", "bar_chart", "column_chart", "nice_step"]

# Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, reddish purple, sky blue, vermillion.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")
_ID = re.compile(r"^[A-Za-z][-A-Za-z0-9_]{0,63}$")
_FONT = 'font-family="system-ui, -apple-system, sans-serif" font-size="12"'
_TEXT = "#1a202c"
_GRID = "#cbd2d9"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _checked_id(chart_id: str) -> str:
    if not _ID.match(chart_id):
        raise ValueError(f"a chart id is a letter and up to 63 letters, digits, - or _: {chart_id!r}")
    return chart_id


def nice_step(top: int, *, lines: int = 4) -> int:
    """A round gridline step (1, 2 or 5 times a power of ten) that shows ``top`` in about ``lines`` lines."""
    if top <= lines:
        return 1
    raw = top / lines
    power = 10 ** math.floor(math.log10(raw))
    return int(next(step * power for step in (1, 2, 5, 10) if step * power >= raw))


def _open(chart_id: str, title: str, description: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" {_FONT}>',
        f'<title id="{chart_id}-title">{_e(title)}</title>',
        f'<desc id="{chart_id}-desc">{_e(description)}</desc>',
    ]


def column_chart(*, chart_id: str, title: str, description: str, categories: Sequence[str],
                 series: Sequence[tuple[str, Sequence[int]]], width: int = 720, height: int = 280) -> str:
    """
    Stacked columns, one per category (e.g. a month), one colour per series (e.g. an award kind), with a legend.

    Args:
        chart_id: the chart's id in the page (a letter, then letters, digits, ``-`` or ``_``); its title and
            description get ``-title`` and ``-desc`` added.
        title: what the chart shows, its accessible name.
        description: a sentence saying what it shows, read by screen readers.
        categories: the columns' labels, left to right.
        series: (name, one value per category), stacked bottom up in this order.
        width: the drawing's width in its own units (it scales to the page).
        height: the drawing's height.

    Returns:
        The ``<svg>`` element, every text escaped.

    Raises:
        ValueError: for a bad id, or a series whose values do not match the categories.
    """
    chart_id = _checked_id(chart_id)
    if any(len(values) != len(categories) for _name, values in series):
        raise ValueError("every series needs one value per category")
    left, right, top, bottom = 48, 12, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _name, values in series) for i in range(len(categories))]
    step = nice_step(max(totals, default=0))
    top_value = max(step, math.ceil(max(totals, default=0) / step) * step)
    parts = _open(chart_id, title, description, width, height)
    key_x = left
    for n, (name, _values) in enumerate(series):  # the legend, across the top (about 7 units a character)
        parts.append(f'<rect x="{key_x}" y="6" width="12" height="12" fill="{PALETTE[n % len(PALETTE)]}"/>'
                     f'<text x="{key_x + 17}" y="16" fill="{_TEXT}">{_e(name)}</text>')
        key_x += 17 + 7 * len(name) + 24
    for value in range(0, top_value + 1, step):  # gridlines and their values
        y = top + plot_h - plot_h * value / top_value
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{_GRID}"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{_TEXT}">{value}</text>')
    slot = plot_w / max(1, len(categories))
    bar_w = max(1.0, slot * 0.7)
    label_every = max(1, math.ceil(len(categories) * 60 / plot_w))
    for i, category in enumerate(categories):
        x, base = left + i * slot + (slot - bar_w) / 2, float(top + plot_h)
        for n, (name, values) in enumerate(series):
            if values[i] <= 0:
                continue
            h = plot_h * values[i] / top_value
            base -= h
            parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[n % len(PALETTE)]}"><title>{_e(category)}: {_e(name)} {values[i]}'
                         f'</title></rect>')
        if i % label_every == 0:
            parts.append(f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - bottom + 16}" '
                         f'text-anchor="middle" fill="{_TEXT}">{_e(category)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(*, chart_id: str, title: str, description: str, bars: Sequence[tuple[str, int]],
              width: int = 720) -> str:
    """
    Horizontal bars, top down, each with its label on the left and its value at its end (e.g. a funnel).

    Args:
        chart_id: the chart's id in the page (as for :func:`column_chart`).
        title: what the chart shows, its accessible name.
        description: a sentence saying what it shows.
        bars: (label, value), top down.
        width: the drawing's width in its own units (it scales to the page).

    Returns:
        The ``<svg>`` element, every text escaped.

    Raises:
        ValueError: for a bad id.
    """
    chart_id = _checked_id(chart_id)
    # The labels' column fits the longest label (about 7 units a character), up to half the drawing.
    label_w = min(width // 2, 24 + 7 * max((len(label) for label, _value in bars), default=0))
    value_w, row_h, top = 70, 30, 8
    height = top * 2 + row_h * len(bars)
    plot_w = width - label_w - value_w
    most = max((value for _label, value in bars), default=0) or 1
    parts = _open(chart_id, title, description, width, height)
    for n, (label, value) in enumerate(bars):
        y = top + n * row_h
        bar = plot_w * value / most
        parts.append(f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" fill="{_TEXT}">{_e(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 5}" width="{bar:.1f}" height="{row_h - 10}" '
                     f'fill="{PALETTE[0]}"><title>{_e(label)}: {value}</title></rect>'
                     f'<text x="{label_w + bar + 6:.1f}" y="{y + 19}" fill="{_TEXT}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
