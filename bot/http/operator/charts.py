"""The dashboard's two charts as inline SVG, drawn here: no script, no CDN, prints as vectors.

Text is escaped (unit names come from the one-stop system) and set in the page's sans-serif
font, so Vietnamese diacritics render with the fonts the reader has.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

from bot.http.operator.numbers import fmt_int, fmt_percent

# Channel colours (colour-blind safe, Okabe-Ito) and the on-time line.
COLOURS = ("#0072B2", "#E69F00", "#009E73")
LINE = "#CC3311"
LABEL_CHARS = 48


@dataclass(frozen=True)
class WeekBar:
    start: date
    stacks: tuple[int, int, int]  # direct, online, postal
    on_time_rate: float | None


@dataclass(frozen=True)
class UnitBar:
    name: str
    rate: float | None
    finished: int


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    power: int = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _text(x: float, y: float, content: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{escape(content)}</text>'


def trend_chart(
    weeks: Sequence[WeekBar],
    *,
    title: str,
    series: tuple[str, str, str],
    rate_label: str,
    lang: str,
) -> Markup:
    """Stacked bars of dossiers received per week by channel, and the week's on-time rate."""
    width, height = 760, 300
    left, right, top, bottom = 56, 56, 40, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((sum(w.stacks) for w in weeks), default=0))
    slot = plot_w / max(len(weeks), 1)
    bar_w = max(min(slot * 0.6, 48), 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):  # grid and left axis: dossiers; right axis: percent
        y = top + plot_h * (1 - i / 4)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(_text(left - 6, y + 4, fmt_int(peak * i // 4, lang), "end"))
        parts.append(_text(left + plot_w + 6, y + 4, f"{25 * i}%"))
    label_every = max(1, math.ceil(len(weeks) / 12))
    points = []
    for i, week in enumerate(weeks):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        for value, colour, name in zip(week.stacks, COLOURS, series, strict=True):
            h = plot_h * value / peak
            if value:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{escape(name)}: {fmt_int(value, lang)}</title></rect>'
                )
            y -= h
        if i % label_every == 0:
            parts.append(
                _text(x + bar_w / 2, top + plot_h + 16, week.start.strftime("%d/%m"), "middle")
            )
        if week.on_time_rate is not None:
            points.append((x + bar_w / 2, top + plot_h * (1 - week.on_time_rate)))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{LINE}"/>' for x, y in points)
    # Legend under the axis labels.
    lx: float = left
    for name, colour in zip((*series, rate_label), (*COLOURS, LINE), strict=True):
        parts.append(f'<rect x="{lx}" y="{height - 18}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(lx + 16, height - 8, name))
        lx += 24 + 7.5 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def unit_chart(units: Sequence[UnitBar], *, title: str, lang: str) -> Markup:
    """Horizontal bars of each unit's on-time rate, in ranking order; long names on the left."""
    label_w, bar_area, row_h, top = 380, 300, 24, 12
    width = label_w + bar_area + 70
    height = top + row_h * max(len(units), 1) + 12
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i, unit in enumerate(units):
        y = top + row_h * i
        name = unit.name if len(unit.name) <= LABEL_CHARS else unit.name[: LABEL_CHARS - 1] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end"><title>{escape(unit.name)}'
            f"</title>{escape(name)}</text>"
        )
        w = bar_area * (unit.rate or 0.0)
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_area}" height="16" class="track"/>'
        )
        if unit.rate is not None:
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="16" fill="{COLOURS[0]}"/>'
            )
        parts.append(_text(label_w + bar_area + 6, y + 16, fmt_percent(unit.rate, lang)))
    parts.append("</svg>")
    return Markup("".join(parts))
