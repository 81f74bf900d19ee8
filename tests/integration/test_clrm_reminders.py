"""CLRM reminders through ``certcredit remind`` with a fixed clock (``--today``): the candidate hears of the paper
deadline 90, 30 and 7 days before it, staff hear once when it passes without a timely submission, each message
once however often the job runs; the deadline is the one the engine replays from the stored events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from certcredit.services import clrm, reminders

pytestmark = [pytest.mark.store, pytest.mark.django_db]

D = dt.date.fromisoformat


@pytest.fixture
def people(make_person):
    return {
        "ana": make_person("ana@example.org"),
        "staff": make_person("office@example.org", "staff"),
        "boss": make_person("director@example.org", "staff"),
    }


def academies(staff, person, *days: str) -> None:
    for academy, day in zip(("foundation", "negotiations", "arbitration"), days, strict=True):
        clrm.record_academy(staff, person, academy, day)


def run(cli, day: str) -> list[tuple[str, str]]:
    """Run the daily job on ``day``; the messages it sent, as (to, subject)."""
    before = len(mail.outbox)
    result = cli("remind", "--today", day, "--base-url", "https://certs.example.org")
    assert result.exit_code == 0, result.output
    return [(m.to[0], m.subject) for m in mail.outbox[before:]]


def test_the_candidate_hears_of_the_paper_deadline_at_90_30_and_7_days_each_once(people, cli) -> None:
    ana, staff = people["ana"], people["staff"]
    academies(staff, ana, "2025-01-15", "2025-02-20", "2025-03-10")  # deadline 2026-03-10 (12 months)
    assert clrm.timeline(ana, clrm.own_candidacy(ana), D("2025-12-01")).audit["paper_deadline"] == "2026-03-10"
    assert run(cli, "2025-11-30") == []  # 100 days before
    assert run(cli, "2025-12-10") == [("ana@example.org", "CLRM paper due by 2026-03-10 (90 days)")]
    assert run(cli, "2025-12-10") == []  # the same day again
    assert run(cli, "2025-12-11") == []  # the next day: the 90-day reminder was sent
    assert run(cli, "2026-02-20") == [("ana@example.org", "CLRM paper due by 2026-03-10 (18 days)")]
    assert run(cli, "2026-03-03") == [("ana@example.org", "CLRM paper due by 2026-03-10 (7 days)")]
    assert run(cli, "2026-03-10") == []  # the deadline day: the 7-day reminder was the last
    body = mail.outbox[0].body
    assert "due by 2026-03-10, in 90 days" in body and "https://certs.example.org/clrm/" in body
    assert "Arbitrator" in body or "arbitrator" in body  # the engine's next steps: approval still to come
    assert "/reminders/unsubscribe/" in body
    keys = sorted(reminders.SentMessage.objects.filter(person=ana).values_list("key", flat=True))
    assert keys == ["clrm-paper:2026-03-10:30", "clrm-paper:2026-03-10:7", "clrm-paper:2026-03-10:90"]


def test_staff_hear_once_when_a_deadline_passes_without_a_timely_submission(people, cli) -> None:
    ana, staff = people["ana"], people["staff"]
    academies(staff, ana, "2025-01-15", "2025-02-20", "2025-03-10")
    assert [to for to, _subject in run(cli, "2026-03-11")] == ["office@example.org", "director@example.org"]
    subjects = {message.subject for message in mail.outbox}
    assert subjects == {"CLRM paper deadline passed: Ana (2026-03-10)"}
    assert f"/clrm/candidates/{clrm.own_candidacy(ana).pk}/" in mail.outbox[-1].body
    assert run(cli, "2026-03-11") == [] and run(cli, "2026-03-20") == []
    # a staff member who turned reminders off gets none
    reminders.set_reminders(people["boss"], people["boss"], False)
    academies(staff, people["boss"], "2025-01-16", "2025-02-21", "2025-03-11")  # another candidate, a day later
    assert run(cli, "2026-03-12") == [("office@example.org", "CLRM paper deadline passed: Director (2026-03-11)")]


def test_a_deadline_that_passed_long_before_the_first_run_is_old_news(people, cli) -> None:
    academies(people["staff"], people["ana"], "2024-01-15", "2024-02-20", "2024-03-10")  # deadline 2025-03-10
    assert run(cli, "2025-04-10") == []  # 31 days after: past reminders.passed_notice_days (30)


def test_a_timely_submission_ends_the_reminders_and_a_foundation_retake_opens_new_ones(people, cli) -> None:
    ana, staff = people["ana"], people["staff"]
    academies(staff, ana, "2025-01-15", "2025-02-20", "2025-03-10")
    run(cli, "2026-03-11")  # passed: staff told
    mail.outbox.clear()
    clrm.record_academy(staff, ana, "foundation", "2026-04-01")  # the retake: the engine gives 2027-04-01
    assert run(cli, "2027-01-01") == [("ana@example.org", "CLRM paper due by 2027-04-01 (90 days)")]
    clrm.record_event(staff, ana, "arbitrator_approved", "2027-01-05", arbitrators="Jane Roe")
    clrm.record_event(staff, ana, "orientation_attended", "2027-01-10")
    clrm.record_event(staff, ana, "paper_submitted", "2027-02-01", paper_type="grievance")
    assert run(cli, "2027-03-05") == []  # under review: no 30-day reminder, and no staff notice later
    assert run(cli, "2027-04-02") == []


def test_the_deadline_is_the_engines_under_the_older_six_month_rule_and_month_ends(people, cli) -> None:
    ana = people["ana"]
    academies(people["staff"], ana, "2018-05-01", "2018-06-01", "2018-08-31")  # 6 months, clamped: 2019-02-28
    assert run(cli, "2018-11-29") == []  # 91 days before
    assert run(cli, "2018-11-30") == [("ana@example.org", "CLRM paper due by 2019-02-28 (90 days)")]


def test_a_candidate_who_turned_reminders_off_gets_none(people, cli) -> None:
    ana = people["ana"]
    academies(people["staff"], ana, "2025-01-15", "2025-02-20", "2025-03-10")
    reminders.set_reminders(ana, ana, False)
    assert [to for to, _s in run(cli, "2025-12-10")] == []
