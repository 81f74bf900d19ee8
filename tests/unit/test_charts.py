"""The server-side SVG charts: figures worked out by hand, the drawing readable by screen readers and safe."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from certcredit.services import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_months_between_counts_every_month_across_a_year_end() -> None:
    months = charts.months_between(dt.date(2025, 11, 30), dt.date(2026, 2, 1))
    assert months == (dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1))


def test_the_chart_adds_hours_by_month_and_category_and_keeps_planned_apart() -> None:
    chart = charts.hours_chart(
        dt.date(2026, 1, 15),
        dt.date(2026, 3, 10),
        [
            ("Writing", dt.date(2026, 1, 20), 1.5),
            ("Writing", dt.date(2026, 1, 31), 2.0),
            ("IT", dt.date(2026, 3, 1), 1),
        ],
        [("IT", dt.date(2026, 3, 9), 4.0), ("Writing", dt.date(2027, 1, 1), 9.0)],  # the second: past the window
    )
    assert [s.name for s in chart.series] == ["Writing", "IT"]
    assert chart.series[0].counted == (3.5, 0.0, 0.0) and chart.series[1].counted == (0.0, 0.0, 1.0)
    assert chart.series[1].planned == (0.0, 0.0, 4.0) and chart.series[0].planned == (0.0, 0.0, 0.0)
    assert chart.rows() == [
        ("Jan 2026", [3.5, 0.0], [0.0, 0.0], 3.5, 0.0),
        ("Mar 2026", [0.0, 1.0], [0.0, 4.0], 1.0, 4.0),
    ]
    assert chart.description().startswith("4.50 hours counted from January 2026 to March 2026: Writing 3.50, IT 1.00")
    assert "the planned sessions would add 4.00 hours" in chart.description()


def test_the_svg_is_well_formed_names_itself_for_screen_readers_and_draws_one_bar_part_a_month_and_category() -> None:
    chart = charts.hours_chart(
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        [("Writing", dt.date(2026, 2, 1), 2.0), ("Self-Management", dt.date(2026, 2, 5), 1.0)],
        [("Writing", dt.date(2026, 5, 1), 3.0)],
    )
    drawing = charts.svg(chart, "c1")
    root = ET.fromstring(drawing)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == chart.title
    assert root.find(f"{SVG}desc").text == chart.description()
    parts = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert sorted(r.find(f"{SVG}title").text for r in parts) == [
        "Feb 2026: Self-Management 1.00 hours counted",
        "Feb 2026: Writing 2.00 hours counted",
        "May 2026: Writing 3.00 hours planned",
    ]
    # stacked: February's two parts share an x and their heights add up to February's 3 hours on a 0..4 axis
    feb = [r for r in parts if r.find(f"{SVG}title").text.startswith("Feb")]
    assert len({r.get("x") for r in feb}) == 1
    assert "planned (hatched)" in drawing and 'style="' not in drawing  # the pages' CSP refuses style attributes


def test_text_in_the_svg_is_escaped() -> None:
    chart = charts.hours_chart(dt.date(2026, 1, 1), dt.date(2026, 1, 31), [("<b>&", dt.date(2026, 1, 2), 1.0)], [])
    drawing = charts.svg(chart)
    ET.fromstring(drawing)  # still well-formed
    assert "<b>" not in drawing and "&lt;b&gt;&amp;" in drawing


def test_the_axis_top_is_round_and_at_least_the_highest_month() -> None:
    for value, top in ((0.5, 0.5), (3.0, 3.0), (4.5, 5.0), (7.0, 8.0), (12.0, 12.5), (130.0, 150.0)):
        found, step = charts._nice_top(value)
        assert found == top and found >= value and found / step <= 5 + 1e-9


def test_a_bar_never_overflows_and_shows_the_planned_part_after_the_counted_one() -> None:
    drawing = charts.bar_svg(75.0, 40.0, met=False, ident="bar-writing")
    widths = dict(re.findall(r'class="(now|plan)" x="[^"]*" y="0" width="([0-9.]+)"', drawing))
    assert widths == {"now": "75.0", "plan": "25.0"}  # 75 + 40 would pass the end: cut at 100
    assert 'aria-hidden="true"' in drawing and 'id="bar-writing-plan"' in drawing
    assert 'class="now"' not in charts.bar_svg(0.0)
