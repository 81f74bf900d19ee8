"""Charts drawn on the server as SVG: the same drawing goes into a web page and into a PDF (WeasyPrint draws
inline SVG), with no JavaScript and no chart library.

A chart is plain values in, one ``<svg>`` element out (text escaped). It carries ``role="img"`` with a title
and a description for screen readers; a page or document shows the same figures as a table beside it
(``HoursChart.rows``), since a picture alone says nothing to someone who cannot see it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

#: colours that stay apart for the common colour-vision deficiencies (Okabe and Ito), darkest first
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 40


@dataclass(frozen=True, slots=True)
class Series:
    """One category's hours a month (``counted``) and, for a what-if, the hours planned sessions would add."""

    name: str
    counted: tuple[float, ...]
    planned: tuple[float, ...]
    colour: str


@dataclass(frozen=True, slots=True)
class HoursChart:
    """Hours counted a month, stacked by category, over the months of a window."""

    months: tuple[dt.date, ...]
    series: tuple[Series, ...]
    unit: str
    title: str

    @property
    def has_plan(self) -> bool:
        return any(any(s.planned) for s in self.series)

    def month_total(self, index: int) -> float:
        return sum(s.counted[index] + s.planned[index] for s in self.series)

    def rows(self) -> list[tuple[str, list[float], list[float], float, float]]:
        """The table equivalent: each month with hours counted and planned by category, and the month's total
        counted and planned; months with none are left out."""
        found = []
        for index, month in enumerate(self.months):
            if self.month_total(index):
                counted = [s.counted[index] for s in self.series]
                planned = [s.planned[index] for s in self.series]
                found.append((month.strftime("%b %Y"), counted, planned, sum(counted), sum(planned)))
        return found

    def description(self) -> str:
        """One sentence for screen readers: what is shown, and the totals."""
        if not self.months:
            return "No months to show."
        counted = sum(sum(s.counted) for s in self.series)
        planned = sum(sum(s.planned) for s in self.series)
        first, last = self.months[0].strftime("%B %Y"), self.months[-1].strftime("%B %Y")
        text = f"{_num(counted)} {self.unit} counted from {first} to {last}"
        parts = [f"{s.name} {_num(sum(s.counted))}" for s in self.series if sum(s.counted)]
        if parts:
            text += ": " + ", ".join(parts)
        if planned:
            text += f"; the planned sessions would add {_num(planned)} {self.unit}"
        return text + ". The table below gives the hours month by month."


def months_between(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The first day of each month from ``start``'s month to ``end``'s, inclusive."""
    found = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(found)


def hours_chart(
    start: dt.date,
    end: dt.date,
    counted: list[tuple[str, dt.date, float]],
    planned: list[tuple[str, dt.date, float]],
    unit: str = "hours",
    title: str = "Hours counted each month, by category",
) -> HoursChart:
    """The chart's figures from ``(category, date, hours)`` lines: what counts today and what planned sessions
    would add. Categories keep the order they first appear in ``counted`` then ``planned``; a line outside the
    months is left out."""
    months = months_between(start, end)
    where = {(m.year, m.month): i for i, m in enumerate(months)}
    names = list(dict.fromkeys([c for c, _, _ in counted] + [c for c, _, _ in planned]))
    grid = {name: ([0.0] * len(months), [0.0] * len(months)) for name in names}
    for part, lines in ((0, counted), (1, planned)):
        for name, day, hours in lines:
            index = where.get((day.year, day.month))
            if index is not None:
                grid[name][part][index] += hours
    series = tuple(
        Series(name, tuple(grid[name][0]), tuple(grid[name][1]), PALETTE[i % len(PALETTE)])
        for i, name in enumerate(names)
    )
    return HoursChart(months, series, unit, title)


def _num(hours: float) -> str:
    return f"{hours:,.2f}"


def _nice_top(value: float) -> tuple[float, float]:
    """A round top for the axis at or above ``value`` and its tick step (1, 2, 2.5 or 5 times a power of ten),
    with at most five steps."""
    if value <= 0:
        return 1.0, 1.0
    power = 0.1
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * power
            if value / step <= 5:
                return step * -(-value // step), step
        power *= 10


def svg(chart: HoursChart, chart_id: str = "hours-chart") -> str:
    """The chart as an inline ``<svg>``: stacked bars a month (planned hours hatched, on top), a y axis with
    hours, a month label every few months and a legend."""
    n = len(chart.months)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top, step = _nice_top(max((chart.month_total(i) for i in range(n)), default=0.0))
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{title_id} {desc_id}"'
        ' preserveAspectRatio="xMidYMid meet" font-family="DejaVu Sans, sans-serif" font-size="11">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description())}</desc>',
        "<defs>",
    ]
    for s in chart.series:
        pattern = f"{chart_id}-plan-{chart.series.index(s)}"
        out.append(
            f'<pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse"'
            ' patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="#ffffff"/><rect width="3" height="6" fill="{s.colour}"/></pattern>'
        )
    out.append("</defs>")
    # grid lines and the y axis's labels
    ticks = round(top / step)
    for k in range(ticks + 1):
        value = k * step
        y = TOP + plot_h - plot_h * value / top
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9dde3"/>')
        label = f"{value:g}"
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{label}</text>')
    out.append(
        f'<text x="12" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 12 {TOP + plot_h / 2:.0f})"'
        f' text-anchor="middle" fill="#333">{escape(chart.unit)}</text>'
    )
    if n:
        slot = plot_w / n
        bar = max(slot * 0.7, 1.0)
        every = max(1, -(-n // 12))  # at most about twelve month labels
        for i, month in enumerate(chart.months):
            x = LEFT + i * slot + (slot - bar) / 2
            base = TOP + plot_h
            for part in ("counted", "planned"):
                for index, s in enumerate(chart.series):
                    hours = getattr(s, part)[i]
                    if hours <= 0:
                        continue
                    h = plot_h * hours / top
                    base -= h
                    fill = s.colour if part == "counted" else f"url(#{chart_id}-plan-{index})"
                    what = "counted" if part == "counted" else "planned"
                    out.append(
                        f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{fill}"'
                        f' stroke="#ffffff" stroke-width="0.5"><title>{escape(month.strftime("%b %Y"))}:'
                        f" {escape(s.name)} {_num(hours)} {escape(chart.unit)} {what}</title></rect>"
                    )
            if i % every == 0:
                cx = LEFT + i * slot + slot / 2
                out.append(
                    f'<text x="{cx:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" fill="#333">'
                    f"{escape(month.strftime('%b'))}</text>"
                )
                if i == 0 or month.month <= every:
                    out.append(
                        f'<text x="{cx:.1f}" y="{TOP + plot_h + 27}" text-anchor="middle" fill="#333">'
                        f"{month.year}</text>"
                    )
    out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#333"/>')
    # legend: a swatch and the name of each category, then the hatching of planned hours, in rows
    items = [(s.colour, s.name if len(s.name) <= 28 else s.name[:27] + "…") for s in chart.series]
    if chart.has_plan:
        items.append((f"url(#{chart_id}-plan-0)", "planned (hatched)"))
    x, y = float(LEFT), TOP + plot_h + 46
    for colour, name in items:
        width = 24 + 7.0 * len(name)
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, y = float(LEFT), y + 15
        out.append(f'<rect x="{x:.0f}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14:.0f}" y="{y}" fill="#222">{escape(name)}</text>')
        x += width
    height = y + 8
    out[0] = (
        out[0]
        .replace(f"0 0 {WIDTH} {HEIGHT}", f"0 0 {WIDTH} {height}")
        .replace(f'height="{HEIGHT}"', f'height="{height}"')
    )
    out.append("</svg>")
    return "".join(out)


def bar_svg(percent: float, plan_percent: float = 0.0, met: bool = False, ident: str = "bar") -> str:
    """A requirement's bar as a small inline ``<svg>`` (presentation attributes, no style: pages send a strict
    Content-Security-Policy): the part counted, then the part planned sessions would add (hatched). Decorative
    (``aria-hidden``): the words beside it say the same."""
    now = max(0.0, min(100.0, percent))
    more = max(0.0, min(100.0 - now, plan_percent))
    colour = "#1e7a46" if met else "#1f5f8b"
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="meter" viewBox="0 0 100 10" preserveAspectRatio="none"'
        ' width="100%" height="14" aria-hidden="true" focusable="false">',
        f'<defs><pattern id="{escape(ident)}-plan" width="3" height="3" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect width="3" height="3" fill="#cfe3f3"/>'
        '<rect width="1.5" height="3" fill="#0072B2"/></pattern></defs>',
        '<rect x="0" y="0" width="100" height="10" rx="2" fill="#e7ecf2" stroke="#8a97a6" stroke-width="0.4"'
        ' vector-effect="non-scaling-stroke"/>',
    ]
    if now:
        out.append(f'<rect class="now" x="0" y="0" width="{now:.1f}" height="10" fill="{colour}"/>')
    if more:
        out.append(
            f'<rect class="plan" x="{now:.1f}" y="0" width="{more:.1f}" height="10" fill="url(#{escape(ident)}-plan)"/>'
        )
    out.append("</svg>")
    return "".join(out)
