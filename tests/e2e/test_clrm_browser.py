"""End to end, CLRM: staff record a candidate's three core academies in any order (one by the form, two by a
roster file, one roster row rejected), then the candidate signs in and reads their timeline. The test writes
screenshots of each page at desktop width and at 390 px to var/screenshots/clrm/
(docs/screenshots/clrm/ keeps chosen copies for docs/clrm.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.accessibility import DESKTOP
from tests.e2e.browsing import shoot_both, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "clrm"


def shoot(tab: Any, name: str) -> None:
    shoot_both(tab, SHOTS, name)


def test_staff_record_academies_in_any_order_and_the_candidate_reads_the_timeline(
    live_server: Any,
    page: Any,
    tmp_path: Path,
) -> None:
    from django.utils import timezone
    from playwright.sync_api import expect

    from certcredit.services.people import ensure_person

    password = "a-long-test-password"
    ensure_person("office@example.org", "Office Staff", password, ("staff",))
    ensure_person("ana@example.org", "Ana Ruiz", password)
    ensure_person("ben@example.org", "Ben Ode", password)
    today = timezone.localdate()  # the server's today, which the timeline counts from
    days = [today - dt.timedelta(days=n) for n in (200, 120, 40)]  # arbitration, negotiations, foundation

    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, "office@example.org")
    page.click("nav >> text=CLRM")
    expect(page.locator("h1")).to_have_text("CLRM candidates")
    expect(page.locator("table.candidates")).to_contain_text("No candidates")
    page.click("text=Record academies")

    # Arbitration first, by hand; a mistyped date is shown back beside its field.
    form = page.locator("#one-academy")
    form.locator("#id_email").fill("ana@example.org")
    form.locator("#id_academy").select_option("arbitration")
    form.locator("#id_date").fill(days[0].strftime("%d/%m/%Y"))
    form.locator("button[type=submit]").click()
    expect(page.locator("#one-academy .field.has-error")).to_contain_text("unreadable date")
    page.locator("#one-academy #id_date").fill(days[0].isoformat())
    page.locator("#one-academy button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text(f"ana@example.org attended arbitration on {days[0]}")

    # Negotiations by a roster of that day: Ben too, and a row naming no account, which is listed.
    roster = tmp_path / "negotiations-day.csv"
    roster.write_text("email,name\nana@example.org,Ana Ruiz\nben@example.org,Ben Ode\nghost@example.org,Nobody\n")
    rform = page.locator("#roster")
    rform.locator("#id_academy").select_option("negotiations")
    rform.locator("#id_date").fill(days[1].isoformat())
    rform.locator("#id_file").set_input_files(str(roster))
    rform.locator("button[type=submit]").click()
    expect(page.locator(".report h2")).to_have_text("2 added, 0 already there, 1 not imported")
    expect(page.locator("table.rejected")).to_contain_text("negotiations-day.csv, line 4")
    expect(page.locator("table.rejected")).to_contain_text("no account with the e-mail 'ghost@example.org'")
    shoot(page, "1-record-academies")

    # Foundation last, by a roster with Ana alone.
    single = tmp_path / "foundation-day.csv"
    single.write_text("email\nana@example.org\n")
    rform = page.locator("#roster")
    rform.locator("#id_academy").select_option("foundation")
    rform.locator("#id_date").fill(days[2].isoformat())
    rform.locator("#id_file").set_input_files(str(single))
    rform.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("foundation-day.csv: 1 added, 0 already there")

    page.click("text=All candidates")
    rows = page.locator("table.candidates tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("ana@example.org")  # a deadline sorts before none
    expect(rows.nth(0)).to_contain_text("paper_due")
    expect(rows.nth(1)).to_contain_text("academies_incomplete")
    shoot(page, "2-candidates")
    page.select_option("#id_status", "academies_incomplete")
    page.click("form.filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("ben@example.org")

    page.click("button.link >> text=Sign out")
    sign_in(page, live_server.url, "ana@example.org")
    page.click("nav >> text=CLRM")
    expect(page.locator("h1")).to_have_text("My CLRM timeline")
    deadline = days[2].replace(year=days[2].year + 1)  # the Foundation day (the last academy) plus 12 months
    left = (deadline - today).days
    expect(page.locator("#status-line")).to_contain_text("Paper due")
    expect(page.locator("#completion")).to_have_text(days[2].isoformat())
    expect(page.locator("#deadline")).to_have_text(f"{deadline}, {left} days left")
    expect(page.locator("ol.next-steps")).to_contain_text(f"submit it by {deadline}")
    steps = page.locator("table.steps tbody tr")  # in the order they happened, then what is still to come
    expect(steps.nth(0)).to_contain_text(f"Arbitration academy{days[0]}")
    expect(steps.nth(1)).to_contain_text(f"Negotiations academy{days[1]}")
    expect(steps.nth(2)).to_contain_text(f"Foundation of Labor Relations academy{days[2]}")
    expect(steps.nth(4)).to_contain_text("Arbitrator approvednot yet")
    expect(page.locator("table.events tbody tr")).to_have_count(3)
    expect(page.locator("table.events")).to_contain_text("Negotiations academy completed")
    expect(page.locator("table.events")).to_contain_text("negotiations-day.csv, line 2")
    shoot(page, "3-timeline")
