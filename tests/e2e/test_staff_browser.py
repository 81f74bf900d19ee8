"""End to end, the staff dashboard: staff filter the people to "behind", export them as CSV, start a re-audit of
everyone and follow it, and settle a spot-check, at desktop width and on a 390 px phone (the menu collapsed behind
its button). axe-core checks each page; screenshots go to var/screenshots/staff/."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, assert_fits, shoot
from tests.e2e.browsing import PASSWORD, open_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = dt.date.today()
FIVE = ("writing", "communication", "self_management", "information_technology", "organizational_development")


def give(person: Any, rows: list[tuple[int, str]]) -> None:
    from certcredit.services.imports import import_records, load_upload

    text = "id,date,title,minutes,category\n" + "".join(
        f"r{n},{(TODAY - dt.timedelta(days=ago)).isoformat()},Course {n},120,{category}\n"
        for n, (ago, category) in enumerate(rows)
    )
    assert import_records(load_upload("r.csv", text.encode()), person, person, "r.csv").ok


def people() -> None:
    from certcredit.services.people import ensure_person

    ensure_person("sam@example.org", "Sam Staff", PASSWORD, ("staff",))
    done, _ = ensure_person("ada@example.org", "Ada Complete", PASSWORD)
    give(done, [(60, c) for c in FIVE])
    for n, name in enumerate(("Bea Behind", "Bo Slowpoke", "=cmd|' /C calc'!A0")):
        late, _ = ensure_person(f"late{n}@example.org", name, PASSWORD)
        give(late, [(500, "writing")])


@pytest.mark.parametrize(("label", "size"), [("desktop", DESKTOP), ("390", PHONE)])
def test_staff_filter_the_dashboard_to_behind_export_it_reaudit_and_spot_check(
    live_server: Any,
    browser: Any,
    label: str,
    size: dict[str, int],
) -> None:
    from playwright.sync_api import expect

    from certcredit.services import standings
    from certcredit.store.history.models import HistoryEntry
    from certcredit.store.standings.models import Reaudit

    people()
    page = open_tab(browser, viewport=size, accept_downloads=True)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "sam@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    if size is PHONE:  # the menu is folded behind its button
        expect(page.locator("#menu")).to_be_hidden()
        page.click(".menu-toggle")
        expect(page.locator(".menu-toggle")).to_have_attribute("aria-expanded", "true")
        assert_accessible(page)
        shoot(page, "staff", "0-menu-open-390")
    page.click("nav >> text=Dashboard")
    expect(page.locator("h1")).to_have_text("People and standings")
    expect(page.locator("ul.status-counts")).to_contain_text("Behind: 3")
    shoot(page, "staff", f"1-dashboard-{label}")
    assert_accessible(page)

    page.select_option("#id_status", "behind")
    page.click("button[type=submit] >> text=Show")
    expect(page.locator("table.standings tbody tr")).to_have_count(3)
    expect(page.locator("table.standings")).to_contain_text("Bea Behind")
    expect(page.locator("table.standings")).not_to_contain_text("Ada Complete")
    assert_accessible(page)
    if size is PHONE:
        assert_fits(page)
        # stacked rows: each cell says its column, the status is in view
        expect(page.locator("table.standings tbody tr").first.locator("td").nth(1)).to_have_attribute(
            "data-label", "Status"
        )
    shoot(page, "staff", f"2-behind-{label}")

    with page.expect_download() as download:
        page.click("#export")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["email"] for r in rows) == ["late0@example.org", "late1@example.org", "late2@example.org"]
    assert {r["status"] for r in rows} == {"behind"}
    assert "'=cmd|' /C calc'!A0" in {r["name"] for r in rows}  # a formula, defused
    assert download.value.suggested_filename.startswith("standings-behind-")

    # the re-audit: queued for the worker, followed on the page; here the test runs the worker's function
    page.click("button >> text=Re-audit everyone")
    expect(page.locator("#reaudit")).to_contain_text("Waiting for the worker")
    shoot(page, "staff", f"3-reaudit-waiting-{label}")
    run = Reaudit.objects.get()
    standings.reaudit_everyone.call(run.pk)
    page.reload()
    expect(page.locator("#reaudit")).to_contain_text("Last re-audit")
    expect(page.locator("#reaudit")).to_contain_text("started by sam@example.org")

    # a spot-check: draw two records, find one wanting, say why
    page.click("text=Spot-checks of evidence")
    page.fill("#id_count", "2")
    page.click("button >> text=Draw a sample")
    expect(page.locator("table.spot-checks tbody tr")).to_have_count(2)
    assert_accessible(page)
    if size is PHONE:
        assert_fits(page)
    shoot(page, "staff", f"4-spot-checks-{label}")
    first = page.locator("table.spot-checks tbody tr").first
    first.locator("input[value=not_verified]").check()
    first.locator("input[name=note]").fill("the certificate is for another course")
    first.locator("button >> text=Record outcome").click()
    expect(page.locator("table.spot-checks-done")).to_contain_text("not verified")
    expect(page.locator("table.spot-checks-done")).to_contain_text("sam@example.org")
    assert HistoryEntry.objects.filter(action="spotcheck.settle", actor__email="sam@example.org").count() == 1
    shoot(page, "staff", f"5-spot-check-settled-{label}")

    page.goto(f"{live_server.url}/staff/review-ageing/")
    expect(page.locator("h1")).to_contain_text("ageing")
    assert_accessible(page)
    shoot(page, "staff", f"6-review-ageing-{label}")
