"""On random CLRM histories stored through the service, the timeline page, the API and `certcredit audit --program
clrm` (over the exported events) give the same status, dates, deadline and next steps; and the reminder job
writes about the very deadline they show.

The histories are the engine's property test's (tests/unit/test_clrm_properties.py): academies in any order, often
on the same days, Foundation retakes (before and after a missed deadline), submissions and reviews on the edges
of the deadlines, shuffled. The worked example of docs/clrm.md, table by table, is in test_clrm_app.py.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, event, given, settings

from certcredit.engine.reminders import threshold_reached
from certcredit.services import clrm, reminders
from certcredit.services.tokens import create_token
from certcredit.store.clrm.models import Candidate
from certcredit.store.credentials.models import SentMessage
from tests.integration.test_clrm_app import _page_view
from tests.unit.test_clrm_properties import histories

pytestmark = [pytest.mark.store, pytest.mark.django_db]

KEYS = ("status", "completion_date", "paper_deadline", "paper_days_left", "next_steps_list", "timely_submission_date")


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=histories())
def test_the_page_the_api_the_command_line_and_the_reminders_agree_on_random_histories(
    make_person, cli, tmp_path: Path, case: tuple[list[dict[str, Any]], dt.date]
) -> None:
    rows, as_of = case
    staff = make_person("office@example.org", "staff")
    ana = make_person("ana@example.org")
    Candidate.objects.all().delete()
    SentMessage.objects.all().delete()
    for row in rows:
        try:
            clrm.record_event(staff, ana, row["type"], row["date"], academy=row.get("academy", ""))
        except clrm.EventConflict:  # the same event on the same day: a file's repeat changes nothing either
            continue
    candidate = clrm.own_candidacy(ana)
    assert candidate is not None

    events = tmp_path / "events.jsonl"
    assert cli("export", "clrm-events", str(events), "--person", "ana@example.org").exit_code == 0
    result = cli("audit", str(events), "--program", "clrm", "--as-of", as_of.isoformat(), "--format", "json")
    assert result.exit_code == 0, result.output
    command_line = json.loads(result.stdout)

    _token, plain = create_token(staff)
    api = Client().get(
        f"/api/clrm/candidates/{candidate.pk}", {"as_of": as_of.isoformat()}, HTTP_AUTHORIZATION=f"Bearer {plain}"
    )
    assert api.status_code == 200
    from_api = api.json()["audit"]
    assert from_api == command_line  # the whole object: warnings and every step's date too

    web = Client()
    web.force_login(ana)
    page = _page_view(web, candidate.pk, as_of.isoformat())
    assert page == {k: command_line[k] for k in ("status", "completion_date", "paper_deadline", "next_steps_list")}
    assert {k: from_api[k] for k in KEYS} == {k: command_line[k] for k in KEYS}

    # the reminder job writes about the deadline the three show, and only while the paper is due: on that day, and
    # a week before the deadline it shows (where the 7-day reminder falls, if the paper is still due then)
    check_reminders(cli, events, as_of)
    if command_line["paper_deadline"]:
        check_reminders(cli, events, dt.date.fromisoformat(command_line["paper_deadline"]) - dt.timedelta(days=7))


def check_reminders(cli, events: Path, day: dt.date) -> None:
    result = cli("audit", str(events), "--program", "clrm", "--as-of", day.isoformat(), "--format", "json")
    audit = json.loads(result.stdout)
    SentMessage.objects.all().delete()
    mail.outbox.clear()
    assert cli("remind", "--today", day.isoformat()).exit_code == 0
    sent = [m.subject for m in mail.outbox if m.to == ["ana@example.org"]]
    deadline = audit["paper_deadline"]
    program = clrm.program().reminders
    due = audit["status"] == "paper_due" and threshold_reached(dt.date.fromisoformat(deadline), day, program.paper_days)
    left = audit["paper_days_left"]
    assert sent == ([f"CLRM paper due by {deadline} ({left} day{'s' if left != 1 else ''})"] if due else [])
    staff_told = [m.subject for m in mail.outbox if m.to == ["office@example.org"]]
    passed = audit["status"] == "retake_required" and reminders.due.passed_recently(
        dt.date.fromisoformat(deadline), day, program.passed_notice_days
    )
    assert staff_told == ([f"CLRM paper deadline passed: Ana ({deadline})"] if passed else [])
    event(f"candidate reminded: {bool(due)}; staff told: {passed}")
