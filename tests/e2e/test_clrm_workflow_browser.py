"""End to end, the whole CLRM workflow in a browser: staff record a candidate's three academies in any order; the
candidate proposes two arbitrators, one already reserved by another candidate; the approver sees that warning and
approves anyway; staff schedule an orientation, the candidate enrols, staff record the attendance; the candidate's
renamed program is refused, a PDF draft is submitted, a reviewer returns it for revision with comments, the
candidate reads them and submits a Word draft, the reviewer accepts it; the candidate is certified (credential,
certificate, verification page), and staff find them in the bulletin queue and the recognition list.

Each action is dated by the workflow's clock (``clrm_flow.today``), moved forward between steps as the days of a
real candidacy pass. Screenshots of each page, at desktop width and at 390 px, go to var/screenshots/clrm/
(docs/screenshots/clrm/ keeps chosen copies for docs/clrm.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.accessibility import DESKTOP
from tests.e2e.browsing import PASSWORD, shoot_both, sign_in
from tests.integration.clrm_flow_support import EXE_BYTES, START, docx_bytes, install_clock, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "clrm"


def shoot(tab: Any, name: str) -> None:
    shoot_both(tab, SHOTS, name, fits=True)


def test_a_candidate_walks_from_the_first_academy_to_the_certificate(
    live_server: Any,
    page: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    from playwright.sync_api import expect

    from certcredit.services import clrm
    from certcredit.services import clrm_flow as flow
    from certcredit.services.people import ensure_person

    settings.MEDIA_ROOT = str(tmp_path / "media")
    clock = install_clock(monkeypatch)
    staff, _ = ensure_person("office@example.org", "Office Staff", PASSWORD, ("staff",))
    approver, _ = ensure_person("director@example.org", "Dana Director", PASSWORD, ("clrm_approver",))
    ensure_person("reader@example.org", "Rae Reader", PASSWORD, ("clrm_reviewer",))
    ana, _ = ensure_person("ana@example.org", "Ana Ruiz", PASSWORD)
    ben, _ = ensure_person("ben@example.org", "Ben Ode", PASSWORD)
    # Ben, another candidate, already has Carla Reyes approved: she is reserved while his paper is in progress.
    for academy, offset in (("foundation", 0), ("negotiations", 5), ("arbitration", 9)):
        clrm.record_academy(staff, ben, academy, START + dt.timedelta(days=offset))
    clock.to(20)
    reyes = flow.add_arbitrator(staff, "Carla Reyes", "Oakland", "discipline, layoffs")
    flow.decide_proposal(approver, flow.propose(ben, clrm.own_candidacy(ben), [reyes.pk], "grievance"), True)
    base = live_server.url
    page.set_viewport_size(DESKTOP)

    # Staff record Ana's academies by hand, in any order: arbitration, foundation, then negotiations.
    sign_in(page, base, "office@example.org")
    for academy, offset in (("arbitration", 2), ("foundation", 12), ("negotiations", 30)):
        page.goto(f"{base}/clrm/academies/")
        form = page.locator("#one-academy")
        form.locator("#id_email").fill("ana@example.org")
        form.locator("#id_academy").select_option(academy)
        form.locator("#id_date").fill((START + dt.timedelta(days=offset)).isoformat())
        form.locator("button[type=submit]").click()
        expect(page.locator(".flash")).to_contain_text(f"ana@example.org attended {academy}")
    completed = START + dt.timedelta(days=30)
    clock.to(35)
    page.goto(f"{base}/clrm/arbitrators/")
    add = page.locator("#add-arbitrator")
    add.locator("#id_name").fill("Dan Ito")
    add.locator("#id_location").fill("Fresno")
    add.locator("#id_case_kinds").fill("interest arbitration, factfinding")
    add.locator("button[type=submit]").click()
    expect(page.locator("table.registry")).to_contain_text("Dan Ito")

    # Ana proposes Carla Reyes and Dan Ito for a grievance paper.
    sign_in(page, base, "ana@example.org")
    page.click("nav >> text=CLRM")
    expect(page.locator("#status-line")).to_contain_text("Paper due")
    page.click("nav.subnav >> text=Arbitrators")
    page.check("#propose >> text=Carla Reyes")
    page.check("#propose >> text=Dan Ito")
    page.select_option("#id_paper_type", "grievance")
    page.fill("#id_note", "Both hear school district cases.")
    page.click("#propose button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Proposal sent")
    expect(page.locator("table.proposals")).to_contain_text("Waiting for a decision")
    shoot(page, "4-arbitrators")

    # The approver sees the reserved-arbitrator warning, and approves: a warning never blocks.
    clock.to(40)
    sign_in(page, base, "director@example.org")
    page.goto(f"{base}/clrm/approvals/")
    expect(page.locator("table.approvals")).to_contain_text("1 warning")
    page.click("table.approvals a.button:text-is('Decide')")
    expect(page.locator("#warnings")).to_contain_text("Carla Reyes is reserved by Ben Ode, whose paper is in progress.")
    shoot(page, "5-approval")
    page.click("#decision button[value=approve]")
    expect(page.locator(".flash")).to_contain_text("Proposal of ana@example.org approved")

    # Staff schedule an orientation; Ana enrols; after the day, staff record her attendance.
    sign_in(page, base, "office@example.org")
    page.goto(f"{base}/clrm/orientation/")
    session_day = START + dt.timedelta(days=50)
    page.fill("#schedule #id_date", session_day.isoformat())
    page.fill("#schedule #id_place", "Sacramento, room 2 (or online)")
    page.fill("#schedule #id_capacity", "20")
    page.click("#schedule button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(f"Orientation of {session_day} scheduled")
    sign_in(page, base, "ana@example.org")
    page.goto(f"{base}/clrm/orientation/")
    page.click("table.sessions button:text-is('Enrol')")
    expect(page.locator(".flash")).to_contain_text(f"Enrolled in the orientation of {session_day}")
    clock.to(50)
    sign_in(page, base, "office@example.org")
    page.goto(f"{base}/clrm/orientation/")
    page.click("table.attendance button:text-is('Record attendance')")
    expect(page.locator(".flash")).to_contain_text("Attendance of ana@example.org recorded")
    shoot(page, "6-orientation")

    # Ana's renamed program is refused by its content; her PDF draft is submitted and counts.
    clock.to(120)
    sign_in(page, base, "ana@example.org")
    page.goto(f"{base}/clrm/paper/")
    fake = tmp_path / "my-paper.pdf"
    fake.write_bytes(EXE_BYTES)
    page.fill("#id_title", "Reyes and Ito on discipline in school districts")
    page.fill("#id_summary", "How two arbitrators weigh progressive discipline and past practice.")
    page.set_input_files("#id_file", str(fake))
    page.click("#upload button[type=submit]")
    expect(page.locator("#upload .field.has-error")).to_contain_text(
        "my-paper.pdf is not a PDF or a Word (.docx) document: its content is a Windows program (.exe)"
    )
    shoot(page, "7-upload-refused")
    real = tmp_path / "my-paper-1.pdf"
    real.write_bytes(pdf_bytes("first draft"))
    page.set_input_files("#id_file", str(real))
    page.click("#upload button[type=submit]")
    expect(page.locator(".flash")).to_contain_text(f"Draft 1 submitted on {START + dt.timedelta(days=120)}")
    expect(page.locator("#draft-1 .timeliness")).to_contain_text("counts")

    # The reviewer returns it for revision, with comments.
    clock.to(150)
    sign_in(page, base, "reader@example.org")
    page.click("nav >> text=CLRM")
    page.click("nav.subnav >> text=Paper reviews")
    page.click("table.waiting a.button:text-is('Review')")
    page.check("text=Return for revision")
    page.fill("#id_comments", "Add the awards of 2019 and 2020, and compare the two on just cause.")
    page.click("#review-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("returned for revision")

    # Ana reads the round's comments and submits a Word draft.
    clock.to(170)
    sign_in(page, base, "ana@example.org")
    page.goto(f"{base}/clrm/paper/")
    expect(page.locator("#status-line, .page-head")).to_contain_text("revision_requested")
    expect(page.locator("#draft-1")).to_contain_text("Add the awards of 2019 and 2020")
    shoot(page, "8-paper-revision")
    second = tmp_path / "my-paper-2.docx"
    second.write_bytes(docx_bytes("second draft"))
    page.set_input_files("#id_file", str(second))
    page.click("#upload button[type=submit]")
    expect(page.locator("#draft-2 .timeliness")).to_contain_text("counts")

    # The reviewer accepts the second draft.
    clock.to(190)
    sign_in(page, base, "reader@example.org")
    page.goto(f"{base}/clrm/reviews/")
    page.click("table.waiting a.button:text-is('Review')")
    expect(page.locator("table.drafts")).to_contain_text("Returned for revision")
    page.check("text=Accept the paper")
    shoot(page, "9-review")
    page.click("#review-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("accepted")

    # Ana is certified: the credential, its certificate and its public verification page.
    accepted = START + dt.timedelta(days=190)
    sign_in(page, base, "ana@example.org")
    page.goto(f"{base}/clrm/paper/")
    expect(page.locator("#certified")).to_contain_text(f"accepted on {accepted}")
    shoot(page, "10-certified")
    page.click("#certified >> text=your CLRM credential")
    expect(page.locator("h1")).to_contain_text("CLRM")
    expect(page.locator("h1")).to_contain_text("valid")
    shoot(page, "11-credential")
    code = clrm_credential_code(ana)
    page.goto(f"{base}/verify/{code}")
    expect(page.locator("#verification")).to_contain_text("Labor Relations Academy Masters Certification")
    certificate = page.request.get(f"{base}/credentials/{clrm_credential_id(ana)}/documents/certificate.pdf")
    assert certificate.status == 200 and certificate.body().startswith(b"%PDF-")
    page.goto(f"{base}/clrm/")
    expect(page.locator("#status-line")).to_contain_text("certified")
    shoot(page, "12-timeline-certified")

    # Staff find Ana in the bulletin queue and the Annual Conference recognition list, and export both.
    sign_in(page, base, "office@example.org")
    page.goto(f"{base}/clrm/candidates/?status=certified")
    expect(page.locator("table.candidates tbody tr")).to_have_count(1)
    page.goto(f"{base}/clrm/lists/")
    expect(page.locator("table.bulletin")).to_contain_text("Reyes and Ito on discipline in school districts")
    expect(page.locator("table.recognition")).to_contain_text("Ana Ruiz")
    shoot(page, "13-bulletin-and-recognition")
    with page.expect_download() as download:
        page.click("#recognition >> text=Export CSV")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"Ana Ruiz,ana@example.org,{accepted}" in text
    assert completed < accepted


def clrm_credential_code(person: Any) -> str:
    from certcredit.services import credentials as creds

    found = creds.current_credential(person, "clrm")
    assert found is not None
    return found.code


def clrm_credential_id(person: Any) -> int:
    from certcredit.services import credentials as creds

    found = creds.current_credential(person, "clrm")
    assert found is not None
    return int(found.pk)
