"""Accessible inline SVG charts, drawn on the server (no script): stacked and grouped bar charts.

Every chart is horizontal, so that long labels and a phone's narrow screen both fit: each bar has
its label on a line above it, and the SVG scales to its container through its ``viewBox``. Both
axes are titled: what the bars are (``category_axis``, above them) and what their length measures
(``value_axis``, under the scale). The SVG
is an image with a title and a description (``role="img"``); its numbers are also given as a data
table beside it (see ``templates/workspace/_chart.html``). All text goes through
``Markup.format``, which escapes it.

The colours are the Okabe–Ito palette, chosen to stay distinguishable with the common forms of
colour blindness; every segment is also outlined, labelled with its number where it fits, and
named in a legend in the same order as the bars.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from markupsafe import Markup

Number = int | float | Decimal

WIDTH = 400
FONT = 12
INK = "#1d2521"
MUTED = "#4d5a53"
GRID = "#cfd9d3"
BAND = "#e3e3e3"


@dataclasses.dataclass(frozen=True)
class Colour:
    fill: str
    ink: str  # the text colour on ``fill`` (contrast of at least 4.5:1)


# Okabe & Ito (2008), "Color Universal Design": distinguishable with protanopia, deuteranopia
# and tritanopia; each with the text colour that reads on it.
SKY_BLUE = Colour("#56B4E9", "#000000")
BLUE = Colour("#0072B2", "#ffffff")
GREEN = Colour("#009E73", "#000000")
ORANGE = Colour("#E69F00", "#000000")
VERMILLION = Colour("#D55E00", "#000000")
PURPLE = Colour("#CC79A7", "#000000")
GREY = Colour("#BBBBBB", "#000000")


@dataclasses.dataclass(frozen=True)
class Series:
    label: str
    colour: Colour


@dataclasses.dataclass(frozen=True)
class Bar:
    """One category: its label and one value per series (None: nothing measured)."""

    label: str
    values: Sequence[Number | None]


@dataclasses.dataclass(frozen=True)
class Band:
    """A shaded range along the value axis, e.g. the programme's 20–25 % aim."""

    low: Number
    high: Number
    label: str


Format = Callable[[Number], str]


def _open(chart_id: str, title: str, description: str, height: float) -> Markup:
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {w} {h:.0f}"'
        ' preserveAspectRatio="xMinYMin meet" aria-labelledby="{id}-title {id}-desc"'
        ' font-size="{font}" font-family="system-ui, sans-serif" fill="{ink}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
    ).format(w=WIDTH, h=height, id=chart_id, font=FONT, ink=INK, title=title, description=description)


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    fill: str = INK,
    bold: bool = False,
    halo: bool = False,
) -> Markup:
    extra = Markup(' font-weight="600"') if bold else Markup("")
    if halo:  # a white outline keeps the text readable over grid lines and the band
        extra += Markup(' stroke="#ffffff" stroke-width="3" paint-order="stroke"')
    return Markup('<text x="{:.1f}" y="{:.1f}" text-anchor="{}" fill="{}"{}>{}</text>').format(
        x, y, anchor, fill, extra, text
    )


def _rect(
    x: float, y: float, width: float, height: float, fill: str, tooltip: str = "", stroke: str = INK
) -> Markup:
    inner = Markup("<title>{}</title>").format(tooltip) if tooltip else Markup("")
    return Markup(
        '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"'
        ' stroke="{}" stroke-width="0.75">{}</rect>'
    ).format(x, y, max(width, 0.0), height, fill, stroke, inner)


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, dashed: bool = False) -> Markup:
    dash = Markup(' stroke-dasharray="4 3"') if dashed else Markup("")
    return Markup('<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="{}"{}/>').format(
        x1, y1, x2, y2, stroke, dash
    )


def _tick_label(x: float, y: float, text: str) -> Markup:
    """A label centred under its tick, unless that would cut it off at an edge of the chart."""
    half = text_width(text) / 2
    if x - half < 0:
        return _text(max(x - 3, 0), y, text, fill=MUTED)
    if x + half > WIDTH:
        return _text(min(x + 3, WIDTH), y, text, anchor="end", fill=MUTED)
    return _text(x, y, text, anchor="middle", fill=MUTED)


def text_width(text: str) -> float:
    """A generous estimate of a label's width in the chart's font (no fonts to measure on a server)."""
    return len(text) * FONT * 0.62


def fit(text: str, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` (the data table has it in full)."""
    if text_width(text) <= width:
        return text
    return text[: max(int(width / (FONT * 0.62)) - 1, 1)].rstrip() + "…"


def nice_step(span: float, ticks: int = 5, integer: bool = False) -> float:
    """A round step (1, 2 or 5 times a power of ten) that divides ``span`` into at most ``ticks``."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    step: float = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(step, 1.0) if integer else step


TITLE_H = 18.0  # the height an axis title takes


def _axis_titles(category_axis: str, value_axis: str, *, left: float, right: float, bottom: float) -> Markup:
    """The category axis's title above the bars; the value axis's centred under its tick labels."""
    parts = []
    if category_axis:
        parts.append(_text(left, 4 + 12, fit(category_axis, WIDTH - left - 4), fill=MUTED, bold=True))
    if value_axis:
        middle = (left + WIDTH - right) / 2
        parts.append(
            _text(middle, bottom + 16 + TITLE_H, fit(value_axis, WIDTH - 8), anchor="middle", fill=MUTED)
        )
    return Markup("").join(parts)


def _ticks(low: float, high: float, step: float) -> list[float]:
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [i * step for i in range(first, last + 1)]


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[Series],
    bars: Sequence[Bar],
    format_value: Format,
    category_axis: str = "",
    value_axis: str = "",
) -> Markup:
    """Horizontal bars of the series' values stacked, the total at the end of each bar."""
    left, right = 4.0, 56.0
    top = 4.0 + (TITLE_H if category_axis else 0.0)
    label_h, bar_h, gap = 18.0, 24.0, 12.0
    axis_h = 24.0 + (TITLE_H if value_axis else 0.0)
    plot = WIDTH - left - right
    totals = [sum(float(v or 0) for v in bar.values) for bar in bars]
    step = nice_step(max(totals, default=0), integer=True)
    high = max(math.ceil(max(totals, default=0) / step) * step, step)
    ticks = _ticks(0, high, step)
    height = top + len(bars) * (label_h + bar_h + gap) + axis_h

    def x(value: float) -> float:
        return left + plot * value / high

    parts = [_open(chart_id, title, description, height)]
    bottom = height - axis_h
    parts.append(_axis_titles(category_axis, value_axis, left=left, right=right, bottom=bottom))
    for tick in ticks:
        parts.append(_line(x(tick), top, x(tick), bottom, GRID))
        parts.append(_tick_label(x(tick), bottom + 16, format_value(int(tick))))
    y = top
    for bar, total in zip(bars, totals, strict=True):
        parts.append(_text(left, y + 13, fit(bar.label, WIDTH - left - 4), bold=True))
        y += label_h
        start = 0.0
        for s, value in zip(series, bar.values, strict=True):
            if not value:
                continue
            width = x(start + float(value)) - x(start)
            tooltip = f"{bar.label} – {s.label}: {format_value(value)}"
            parts.append(_rect(x(start), y, width, bar_h, s.colour.fill, tooltip))
            if text_width(format_value(value)) + 6 <= width:
                parts.append(
                    _text(
                        x(start) + width / 2,
                        y + bar_h / 2 + 4.5,
                        format_value(value),
                        anchor="middle",
                        fill=s.colour.ink,
                    )
                )
            start += float(value)
        parts.append(
            _text(
                x(total) + 6,
                y + bar_h / 2 + 4.5,
                format_value(total if total % 1 else int(total)),
                bold=True,
                halo=True,
            )
        )
        y += bar_h + gap
    parts.append(_line(x(0), top, x(0), bottom, INK))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def grouped_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[Series],
    bars: Sequence[Bar],
    format_value: Format,
    format_tick: Format | None = None,
    band: Band | None = None,
    missing: str = "",
    category_axis: str = "",
    value_axis: str = "",
) -> Markup:
    """For each category one horizontal bar per series, from zero (negative values to the left),
    over a shaded ``band``; a value of None shows ``missing`` instead of a bar.

    The axis spans at most -100 % to 100 % (for fractions): a value beyond it is drawn to the edge
    and still labelled with its real number.
    """
    values = [float(v) for bar in bars for v in bar.values if v is not None]
    band_values = [float(band.low), float(band.high)] if band else []
    low = max(min([0.0, *values]), -1.0)
    high = min(max([0.0, *values, *band_values]), 1.0)
    step = nice_step(high - low or 1.0)
    low = math.floor(low / step - 1e-9) * step if low < 0 else 0.0
    high = max(math.ceil(high / step - 1e-9) * step, step)
    left = 4.0 + (52.0 if low < 0 else 0.0)
    right = 60.0
    top = 4.0 + (TITLE_H if category_axis else 0.0) + (20.0 if band else 0.0)
    label_h, bar_h, bar_gap, gap = 18.0, 14.0, 3.0, 12.0
    axis_h = 24.0 + (TITLE_H if value_axis else 0.0)
    group_h = label_h + len(series) * (bar_h + bar_gap) + gap
    height = top + len(bars) * group_h + axis_h
    plot = WIDTH - left - right
    bottom = height - axis_h

    def x(value: float) -> float:
        return left + plot * (min(max(value, low), high) - low) / (high - low)

    parts = [_open(chart_id, title, description, height)]
    parts.append(_axis_titles(category_axis, value_axis, left=left, right=right, bottom=bottom))
    if band:
        x1, x2 = x(float(band.low)), x(float(band.high))
        parts.append(_rect(x1, top, x2 - x1, bottom - top, BAND, stroke="none"))
        parts.append(_line(x1, top, x1, bottom, INK, dashed=True))
        parts.append(_line(x2, top, x2, bottom, INK, dashed=True))
        # The band's key, above the plot at the left, where even a long label fits.
        parts.append(_rect(4.0, top - 17, 12.0, 12.0, BAND))
        parts.append(_text(22.0, top - 6.5, band.label, bold=True))
    for tick in _ticks(low, high, step):
        parts.append(_line(x(tick), top, x(tick), bottom, GRID))
        label = (format_tick or format_value)(round(tick, 6))
        parts.append(_tick_label(x(tick), bottom + 16, label))
    y = top
    zero = x(0.0)
    for bar in bars:
        parts.append(_text(left, y + 13, fit(bar.label, WIDTH - left - 4), bold=True))
        y += label_h
        for s, value in zip(series, bar.values, strict=True):
            middle = y + bar_h / 2 + 4.5
            if value is None:
                parts.append(_text(zero + 4, middle, missing, fill=MUTED, halo=True))
            else:
                end = x(float(value))
                tooltip = f"{bar.label} – {s.label}: {format_value(value)}"
                parts.append(_rect(min(zero, end), y, abs(end - zero), bar_h, s.colour.fill, tooltip))
                if value >= 0:
                    parts.append(_text(end + 4, middle, format_value(value), halo=True))
                else:
                    parts.append(_text(end - 4, middle, format_value(value), anchor="end", halo=True))
            y += bar_h + bar_gap
        y += gap
    parts.append(_line(zero, top, zero, bottom, INK))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
