"""End to end: a member applies from Progress, staff approve and record the exam pass, the certificate PDF
downloads, a stranger verifies it, staff revoke and the verification page says revoked.

Screenshots (desktop 1280 px and phone 390 px) and the certificate's first page (pdftoppm) go to
var/screenshots/credentials/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browsing import PASSWORD, open_tab, signed_in_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "credentials"


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_apply_approve_certify_download_verify_and_revoke(live_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    from certcredit.services.imports import import_records, load_upload
    from certcredit.services.people import ensure_person

    member, _ = ensure_person("maria@example.org", "Maria Okafor", PASSWORD)
    ensure_person("staff@example.org", "Sam Staff", PASSWORD, ("staff",))
    day = (dt.date.today() - dt.timedelta(days=45)).isoformat()
    rows = "id,date,title,minutes,category\n" + "".join(
        f"r{n},{day},Course {n},120,{c}\n"
        for n, c in enumerate(
            ("writing", "communication", "self_management", "information_technology", "organizational_development")
        )
    )
    assert import_records(load_upload("mine.csv", rows.encode()), member, member, "mine.csv").ok
    url = live_server.url

    # the member: the audit is complete, so the Progress page offers to apply
    me = signed_in_tab(browser, url, "maria@example.org")
    me.click("nav >> text=Progress")
    expect(me.locator("#next-step")).to_contain_text("No credential yet")
    me.select_option("#id_program", "clm-application")
    me.click("button[type=submit] >> text=Show progress")
    expect(me.locator("#verdict h2")).to_have_text("Complete")
    shoot(me, "1-progress-complete-desktop")
    me.click("#apply")
    me.select_option("#id_employment", "current")
    me.fill("#id_employer", "Okafor & Partners LLP")
    me.fill("#id_years", "6")
    me.select_option("#id_track", "principal_administrator")
    me.check("#id_code_of_ethics")
    shoot(me, "2-apply-desktop")
    me.click("button[type=submit] >> text=Submit application")
    expect(me.locator("h1")).to_contain_text("Exam application: submitted")

    # staff approve, then record the exam pass
    staff = signed_in_tab(browser, url, "staff@example.org")
    staff.click("nav >> text=Applications")
    staff.click("table.applications a")
    staff.check("#id_decision_0")
    staff.click("button[type=submit] >> text=Save decision")
    expect(staff.locator("h1")).to_contain_text("approved")
    staff.click("p.muted a")
    expect(staff.locator("h1")).to_contain_text("not certified")
    staff.fill("#id_passed_on", dt.date.today().isoformat())
    staff.click("button[type=submit] >> text=Record exam pass")
    expect(staff.locator("h1")).to_contain_text(": valid")
    shoot(staff, "3-credential-staff-desktop")

    # the member downloads the certificate
    me.click("nav >> text=Credentials")
    me.click("table.credentials a")
    with me.expect_download() as download_info:
        me.click("#documents >> text=Certificate (PDF)")
    pdf = SHOTS / "e2e-certificate.pdf"
    download_info.value.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(SHOTS / "e2e-certificate")],
                       check=True)  # fmt: skip
    verify_url = me.locator("p.muted a").first.get_attribute("href")
    shoot(me, "4-credential-member-desktop")

    # a stranger verifies, on a desktop and a phone
    for width, label in ((1280, "desktop"), (390, "390")):
        stranger = open_tab(browser, viewport={"width": width, "height": 844})
        stranger.goto(verify_url)
        expect(stranger.locator("#verification h1")).to_contain_text("Maria Okafor: valid")
        expect(stranger.locator("#verification")).not_to_contain_text("maria@example.org")
        shoot(stranger, f"5-verify-valid-{label}")

    # staff revoke; the verification page says so
    staff.fill("#id_reason", "Breach of the Code of Ethics")
    staff.click("button[type=submit] >> text=Revoke")
    expect(staff.locator("h1")).to_contain_text(": revoked")
    expect(staff.locator("#history")).to_contain_text("Breach of the Code of Ethics")
    for width, label in ((1280, "desktop"), (390, "390")):
        stranger = open_tab(browser, viewport={"width": width, "height": 844})
        stranger.goto(verify_url)
        expect(stranger.locator("#verification h1")).to_contain_text("Maria Okafor: revoked")
        expect(stranger.locator("#verification")).not_to_contain_text("Breach")
        shoot(stranger, f"6-verify-revoked-{label}")
    phone = signed_in_tab(browser, url, "maria@example.org", width=390)
    phone.goto(f"{url}/progress/")
    shoot(phone, "7-progress-revoked-390")
