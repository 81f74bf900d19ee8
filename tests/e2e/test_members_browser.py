"""End to end, at desktop width and on a 390-pixel phone: the demo member adds a record by form (a mistyped date
first, shown back beside its field), sees a requirement's bar turn to "Met" and the chart's table gain the month,
asks for the fewest sessions that complete the application by a date, shows them in the bars and chart (the
what-if), then changes the what-if's choice and sees the result change. Each page it shows passes axe-core (no
serious or critical violation) and fits the window; screenshots go to var/screenshots/members/ for a person to look
at (docs/members.md shows some of them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browsing import open_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "members"
WIDTHS = {"desktop": 1280, "phone": 390}
TODAY = dt.date.today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@pytest.fixture(params=sorted(WIDTHS))
def tab(request: pytest.FixtureRequest, browser: Any) -> tuple[Any, str]:
    """A chromium page at the width named by the parameter."""
    return open_tab(browser, viewport={"width": WIDTHS[request.param], "height": 900}), request.param


def shot(page: Any, width: str, name: str) -> None:
    """The page's screenshot, once axe-core finds no serious or critical violation on it and it does not scroll
    sideways (tests/e2e/accessibility.py)."""
    from tests.e2e.accessibility import assert_accessible, assert_fits

    assert_accessible(page, f"{name} at {width}")
    assert_fits(page, f"{name} at {width}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{width}-{name}.png"), full_page=True)


def upcoming_catalogue() -> None:
    """Sessions after today with designated categories (the demo's sessions are all in the past by now)."""
    from certcredit.io.readers import Row
    from certcredit.services.imports import import_sessions
    from certcredit.store.accounts.models import Person

    sessions = [
        {"title": "Letters That Land", "date": day(20), "minutes": 60, "category": "writing"},
        {"title": "Meetings People Remember", "date": day(30), "minutes": 60, "category": "communication"},
        {"title": "Designing Small Teams", "date": day(45), "minutes": 120, "category": "organizational_development"},
        {"title": "Culture Workshop", "date": day(50), "minutes": 180, "category": "organizational_development"},
    ]
    rows = [Row(i, i, s, "item") for i, s in enumerate(sessions, start=1)]
    assert import_sessions(rows, Person.objects.get(email="staff@example.org"), "upcoming.json").ok


def bar(page: Any, requirement: str) -> Any:
    return page.locator(f"li.req[data-requirement='{requirement}']")


def test_a_member_adds_a_record_then_plans_and_sees_the_bars_and_chart_change(live_server: Any, tab: Any) -> None:
    from playwright.sync_api import expect

    from certcredit.services.demo import load_demo

    page, width = tab
    member = next(login for login in load_demo() if login.role == "member")
    upcoming_catalogue()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", member.email)
    page.fill("#id_password", member.password)
    page.click("button[type=submit]")

    # Progress shows the exam application at once: the program the member pursues, as of today
    page.goto(f"{live_server.url}/progress/")
    expect(page.locator("h1")).to_have_text("My progress")
    expect(bar(page, "self_management").locator(".req-state")).to_have_text("Not met")
    expect(bar(page, "self_management")).to_contain_text("Not met yet: 0.00 of 2.00 hours")
    expect(page.locator("#chart svg.chart")).to_be_visible()
    shot(page, width, "1-progress-before")

    # a record by form: the mistyped date is shown back beside its field, then corrected
    page.click("text=Add a record")
    expect(page.locator("h1")).to_have_text("Add a record")
    page.fill("#id_title", "Time Management Essentials")
    page.fill("#id_date", "2026-02-30")
    page.fill("#id_minutes", "120")
    page.select_option("#id_category", "self_management")
    page.click("button[type=submit] >> text=Add the record")
    date_field = page.locator(".field.has-error", has=page.locator("#id_date"))
    expect(date_field).to_contain_text("does not exist")
    expect(page.locator("#id_date")).to_have_value("2026-02-30")
    expect(page.locator("#id_title")).to_have_value("Time Management Essentials")
    shot(page, width, "2-record-form-error")
    recent = day(-5)
    page.fill("#id_date", recent)
    page.click("button[type=submit] >> text=Add the record")
    expect(page.locator("h1")).to_have_text("Time Management Essentials")
    expect(page.locator("#history")).to_contain_text(member.email)
    shot(page, width, "3-record-added")

    # the bar is met now, and the chart's table has the month
    page.goto(f"{live_server.url}/progress/")
    expect(bar(page, "self_management").locator(".req-state")).to_have_text("Met")
    expect(bar(page, "self_management")).to_contain_text("Met: 2.00 of 2.00 hours")
    page.click("#chart-table summary")
    month = dt.date.fromisoformat(recent).strftime("%b %Y")
    expect(page.locator("#chart-table")).to_contain_text(month)
    shot(page, width, "4-progress-after-record")

    # the plan: the fewest sessions that complete the application by a date
    by = day(90)
    page.fill("#id_by", by)
    page.click("button[type=submit] >> text=Suggest sessions")
    result = page.locator("#plan-result")
    expect(result).to_contain_text("3 sessions complete the program by")
    for title in ("Letters That Land", "Meetings People Remember", "Designing Small Teams"):
        expect(result).to_contain_text(title)
    expect(result).not_to_contain_text("Culture Workshop")  # the longer of the two organizational sessions
    shot(page, width, "5-plan")

    # the what-if with those sessions: the bars gain a planned part and the chart a hatched one
    page.click("#try-plan")
    expect(page.locator("#what-if-result")).to_contain_text("With them: ✓ complete")
    expect(bar(page, "organizational_development")).to_contain_text("with the planned sessions 2.00: met")
    expect(bar(page, "organizational_development").locator("rect.plan")).to_have_count(1)
    expect(page.locator("#chart svg.chart title", has_text="hours planned")).to_have_count(3)
    shot(page, width, "6-what-if-plan")

    # the what-if by hand: without the team session, not complete
    designing = page.locator("label", has_text="Designing Small Teams").get_attribute("for")
    page.uncheck(f"#{designing}")
    page.click("button[type=submit] >> text=Show with these sessions")
    expect(page.locator("#what-if-result")).to_contain_text("With them: still not complete, 2.00 hours needed")
    expect(bar(page, "organizational_development").locator("rect.plan")).to_have_count(0)
    shot(page, width, "7-what-if-changed")
