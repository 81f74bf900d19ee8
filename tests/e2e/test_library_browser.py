"""End to end, the CLRM library: staff import the member list (one row rejected), a current member finds the
Library in the menu, searches by words and by arbitrator, reads a paper and downloads it; a former member has no
Library link and is turned away. Screenshots at desktop width and at 390 px go to var/screenshots/library/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.accessibility import DESKTOP
from tests.e2e.browsing import PASSWORD, shoot_both, sign_in
from tests.library_files import docx_bytes, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "library"


def shoot(tab: Any, name: str) -> None:
    shoot_both(tab, SHOTS, name, fits=True)


def shelve(staff: Any, author: Any) -> None:
    """Three accepted papers, through the service the CLRM workflow calls on acceptance."""
    from certcredit.services.library import add_accepted_paper

    add_accepted_paper(
        staff, author=author, title="Jane Roe on just cause and progressive discipline", arbitrators="Jane Roe",
        paper_type="grievance", accepted_on=dt.date(2025, 6, 12), file_name="roe-just-cause.pdf",
        content=pdf_bytes("Jane Roe: just cause in discipline cases.", "Her awards weigh notice, investigation",
                          "and the consistency of past discipline."),
    )  # fmt: skip
    add_accepted_paper(
        staff, author=author, title="Sam Lee in factfinding: comparability and the ability to pay",
        arbitrators=["Sam Lee"], paper_type="interest", accepted_on=dt.date(2024, 11, 4), file_name="lee.docx",
        content=docx_bytes("Sam Lee reads comparable agencies closely.", "The ability to pay is weighed last."),
    )  # fmt: skip
    add_accepted_paper(
        staff, author=author, title="Overtime grievances before Jane Roe and Kim Park",
        arbitrators=["Jane Roe", "Kim Park"], paper_type="grievance", accepted_on=dt.date(2023, 5, 2),
        file_name="overtime.pdf", content=pdf_bytes("Overtime distribution and past practice."),
    )  # fmt: skip


def test_staff_import_the_member_list_and_a_current_member_searches_and_reads_a_paper(
    live_server: Any,
    page: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    from django.utils import timezone
    from playwright.sync_api import expect

    from certcredit.services.people import ensure_person
    from certcredit.store.library.models import Read

    settings.MEDIA_ROOT = str(tmp_path / "media")
    staff, _ = ensure_person("office@example.org", "Office Staff", PASSWORD, ("staff",))
    author, _ = ensure_person("ana@example.org", "Ana Ruiz", PASSWORD)
    ensure_person("mia@example.org", "Mia Chen", PASSWORD)
    ensure_person("fred@example.org", "Fred Ode", PASSWORD)
    shelve(staff, author)
    today = timezone.localdate()

    # Staff import the association's member list: Mia current, Fred's membership ended, one unknown address.
    members = tmp_path / "members-2026.csv"
    members.write_text(
        "email,from,until\n"
        f"mia@example.org,{today - dt.timedelta(days=500)},\n"
        f"fred@example.org,{today - dt.timedelta(days=900)},{today - dt.timedelta(days=10)}\n"
        "ghost@example.org,2025-01-01,\n"
    )
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, "office@example.org")
    page.click("nav >> text=Membership")
    expect(page.locator("h1")).to_have_text("Membership")
    page.locator("#member-list #id_file").set_input_files(str(members))
    page.locator("#member-list button[type=submit]").click()
    expect(page.locator(".report h2")).to_have_text("2 added, 0 updated, 0 already there, 1 not imported")
    expect(page.locator("table.rejected")).to_contain_text("members-2026.csv, line 4")
    expect(page.locator("table.memberships tbody tr")).to_have_count(2)
    expect(page.locator("table.memberships")).to_contain_text("ended")
    expect(page.locator("nav")).not_to_contain_text("Library")  # staff who are not members do not see it
    shoot(page, "1-membership")
    page.click("button.link >> text=Sign out")

    # Mia, a current member, finds the library in the menu and searches it.
    sign_in(page, live_server.url, "mia@example.org")
    page.click("nav >> text=Library")
    expect(page.locator("h1")).to_have_text("CLRM library")
    rows = page.locator("table.papers tbody tr")
    expect(rows).to_have_count(3)
    page.fill("#id_q", "discipline")
    page.click("form.library-search button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Jane Roe on just cause")
    page.fill("#id_q", "")
    page.fill("#id_arbitrator", "jane roe")
    page.select_option("#id_paper_type", "grievance")
    page.click("form.library-search button[type=submit]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("2025")  # newest first
    expect(rows.nth(1)).to_contain_text("Kim Park")
    shoot(page, "2-search")

    page.click("text=Jane Roe on just cause and progressive discipline")
    expect(page.locator("h1")).to_have_text("Jane Roe on just cause and progressive discipline")
    expect(page.locator("article.paper-text")).to_contain_text("Her awards weigh notice, investigation")
    shoot(page, "3-paper")
    with page.expect_download() as caught:
        page.click("a.button >> text=Download")
    download = caught.value
    assert download.suggested_filename == "roe-just-cause.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    assert sorted(Read.objects.values_list("via", flat=True)) == ["download", "page"]
    page.click("button.link >> text=Sign out")

    # Fred's membership ended: no Library link, and the address tells him why, naming no paper.
    sign_in(page, live_server.url, "fred@example.org")
    expect(page.locator("nav")).not_to_contain_text("Library")
    answer = page.goto(f"{live_server.url}/library/?q=discipline")
    assert answer is not None and answer.status == 403
    expect(page.locator("main")).to_contain_text("open to current members of the association only")
    expect(page.locator("main")).not_to_contain_text("Jane Roe")
    shoot(page, "4-former-member")
