"""The timeline, the API and ``certcredit audit --program clrm`` give the same status, deadline and next steps for a
history made by people acting in the app: academies in any order, an approval, an orientation, the deadline
missed (a late draft that does not count), a Foundation retake, a timely draft, a revision round and acceptance.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client

from certcredit.engine.clrm import add_months
from certcredit.services import clrm
from certcredit.services import clrm_flow as flow
from certcredit.services.tokens import create_token
from tests.integration.clrm_flow_support import START, docx_bytes, install_clock, pdf_bytes
from tests.integration.test_clrm_app import _page_view

pytestmark = [pytest.mark.store, pytest.mark.django_db]


def day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


COMPLETED = day(-780)  # the last of the three academies
RETAKE = day(-300)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def walked(make_person, monkeypatch):
    """Ana's history, each step taken by the person whose step it is, on its own day."""
    clock = install_clock(monkeypatch)
    ana = make_person("ana@example.org")
    staff = make_person("office@example.org", "staff")
    approver = make_person("director@example.org", "clrm_approver")
    reviewer = make_person("reader@example.org", "clrm_reviewer")
    clrm.record_academy(staff, ana, "negotiations", day(-800))
    clrm.record_academy(staff, ana, "foundation", day(-790))
    clrm.record_academy(staff, ana, "arbitration", COMPLETED)
    candidate = clrm.own_candidacy(ana)
    clock.to(-700)
    arbitrator = flow.add_arbitrator(staff, "Dan Ito", "Fresno", "discipline")
    flow.decide_proposal(approver, flow.propose(ana, candidate, [arbitrator.pk], "grievance"), True)
    session = flow.schedule_orientation(staff, day(-690), "Online")
    enrolment = flow.enrol_orientation(ana, candidate, session)
    clock.to(-690)
    flow.record_attendance(staff, enrolment)
    clock.to(-350)  # the deadline has passed: this draft does not count
    flow.submit_paper(ana, candidate, "Late", "S", "grievance", "late.pdf", pdf_bytes("late"))
    clrm.record_academy(staff, ana, "foundation", RETAKE)  # the retake opens a new deadline
    clock.to(-200)
    first = flow.submit_paper(ana, candidate, "Ito", "S", "grievance", "one.pdf", pdf_bytes("one"))
    clock.to(-150)
    flow.review_paper(reviewer, first, "revise", "Add the 2021 awards.")
    clock.to(-100)
    second = flow.submit_paper(ana, candidate, "Ito", "S", "grievance", "two.docx", docx_bytes("two"))
    clock.to(-50)
    flow.review_paper(reviewer, second, "accept")
    return ana, staff, candidate


@pytest.mark.parametrize(
    ("offset", "status", "deadline"),
    [
        (-795, "academies_incomplete", None),
        (-600, "paper_due", add_months(COMPLETED, 12)),
        (-350, "retake_required", add_months(COMPLETED, 12)),
        (-250, "paper_due", add_months(RETAKE, 12)),
        (-180, "under_review", add_months(RETAKE, 12)),
        (-120, "revision_requested", add_months(RETAKE, 12)),
        (-80, "under_review", add_months(RETAKE, 12)),
        (-10, "certified", add_months(RETAKE, 12)),
    ],
)
def test_the_timeline_the_api_and_the_command_line_agree_on_a_history_made_in_the_app(
    walked, client: Client, cli, tmp_path: Path, offset: int, status: str, deadline: dt.date | None
) -> None:
    ana, staff, candidate = walked
    as_of = day(offset).isoformat()
    events = tmp_path / "events.csv"
    assert cli("export", "clrm-events", str(events), "--person", "ana@example.org").exit_code == 0
    result = cli("audit", str(events), "--program", "clrm", "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    command_line = json.loads(result.stdout)
    _token, plain = create_token(ana)
    api = client.get("/api/clrm/me", {"as_of": as_of}, HTTP_AUTHORIZATION=f"Bearer {plain}").json()["audit"]
    timeline = clrm.timeline(staff, candidate, day(offset)).audit
    client.force_login(ana)
    page = _page_view(client, candidate.pk, as_of)
    keys = ("status", "completion_date", "paper_deadline", "next_steps_list")
    assert {k: api[k] for k in keys} == {k: command_line[k] for k in keys} == {k: timeline[k] for k in keys} == page
    assert api == command_line == timeline  # the whole object: warnings and the dates of each step too
    assert (page["status"], page["paper_deadline"]) == (status, deadline.isoformat() if deadline else None)


def test_the_late_draft_is_shown_as_not_counting_with_the_engines_reason(walked, client: Client) -> None:
    ana, _staff, candidate = walked
    judged = {j.version.title if j.version.number > 1 else "late": j for j in flow.judged_papers(ana, candidate)}
    late = judged["late"]
    assert late.counts is False
    assert late.why == f"is not timely: it came after the paper deadline {add_months(COMPLETED, 12)}"
    client.force_login(ana)
    page = client.get("/clrm/paper/").content.decode()
    assert f"Is not timely: it came after the paper deadline {add_months(COMPLETED, 12)}" in page
    assert page.count("status-certified") >= 3  # the status and the two drafts that count
