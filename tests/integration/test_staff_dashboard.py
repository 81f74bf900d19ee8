"""The staff dashboard: each person's standing (complete, on pace, behind, expiring within 90 days, lapsed) as the
records say, refreshed when records change and by the re-audit of everyone; the CSV export; spot-checks with who
and when; the reviewers' queue with its ageing; and no one but staff sees any of it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest
from django.test import Client

from certcredit.services import credentials as creds
from certcredit.services import standings
from certcredit.services.access import Forbidden
from certcredit.services.imports import import_records, load_upload
from certcredit.store.credentials.models import Credential
from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import Record
from certcredit.store.standings.models import Outdated, Reaudit, SpotCheck, Standing

pytestmark = [pytest.mark.store, pytest.mark.django_db]

TODAY = dt.date.today()
FIVE = ("writing", "communication", "self_management", "information_technology", "organizational_development")
ATTEST = {"employment": "current", "employer": "Firm LLP", "years": 4, "track": "principal_administrator",
          "code_of_ethics": True}  # fmt: skip


def give(person, rows: list[tuple[int, str, int]], actor=None) -> None:
    """Records (days ago, category, minutes) imported as a file would be."""
    text = "id,date,title,minutes,category\n" + "".join(
        f"r{n}-{ago},{(TODAY - dt.timedelta(days=ago)).isoformat()},Course {n},{minutes},{category}\n"
        for n, (ago, category, minutes) in enumerate(rows)
    )
    assert import_records(load_upload("r.csv", text.encode()), person, actor or person, "r.csv").ok


def named(make_person, email: str, name: str, *roles: str):
    person = make_person(email, *roles)
    person.name = name
    person.save()
    return person


@pytest.fixture
def staff(make_person):
    return named(make_person, "sam@example.org", "Sam Staff", "staff")


def status_of(person) -> str:
    return Standing.objects.get(person=person).status


def test_statuses_for_the_application_follow_the_records_hand_checked(make_person, staff) -> None:
    complete = named(make_person, "ada@example.org", "Ada Complete")
    give(complete, [(60, c, 120) for c in FIVE])  # two hours in each category, recent: complete
    # three categories done in the last year, two missing (4 h needed): another year at this rate completes it
    on_pace = named(make_person, "otto@example.org", "Otto Onpace")
    give(on_pace, [(30, c, 120) for c in FIVE[:3]])
    # two hours, two years ago (still in the 24-month window): 8 h needed, nothing earned in the last year
    behind = named(make_person, "bea@example.org", "Bea Behind")
    give(behind, [(500, "writing", 120)])
    # complete, but every record leaves the 24-month window within 90 days
    expiring = named(make_person, "eve@example.org", "Eve Expiring")
    give(expiring, [(700, c, 120) for c in FIVE])
    nothing = named(make_person, "nora@example.org", "Nora Norecords")

    for person in (complete, on_pace, behind, expiring, nothing):
        standings.refresh_person(person, TODAY)

    assert status_of(complete) == "complete"
    assert status_of(on_pace) == "on_pace"
    assert status_of(behind) == "behind"
    assert status_of(expiring) == "expiring"
    assert not Standing.objects.filter(person=nothing).exists()  # pursues nothing
    row = Standing.objects.get(person=behind)
    assert (row.program, row.counted_hours, row.hours_needed, row.records) == ("clm-application", 2.0, 8.0, 1)
    deadline = Standing.objects.get(person=expiring).deadline
    assert deadline is not None and TODAY < deadline <= TODAY + dt.timedelta(days=90)


def certified(person, staff) -> Credential:
    """Certified with an exam passed 10 days ago; the application's records are older than the first cycle, whatever
    today is: the anniversary (the nearest June 30 or November 30) is at most 106 days before the exam."""
    give(person, [(200, c, 120) for c in FIVE])
    application = creds.apply(person, person, creds.Kind.EXAM, ATTEST)
    creds.decide(staff, application, True)
    credential = creds.current_credential(person)
    assert credential is not None
    creds.record_exam_pass(staff, credential, TODAY - dt.timedelta(days=10))
    credential.refresh_from_db()
    return credential


def test_a_certified_holder_is_audited_for_recertification_and_a_lapsed_one_shows_lapsed(make_person, staff) -> None:
    holder = named(make_person, "hal@example.org", "Hal Holder")
    credential = certified(holder, staff)
    standings.refresh_person(holder, TODAY)
    row = Standing.objects.get(person=holder)
    assert row.program == "clm-recertification" and row.as_of == credential.valid_until
    assert row.status in ("on_pace", "behind")  # a new cycle: nothing counted for it yet
    assert row.status == "behind" and row.deadline == credential.valid_until

    Credential.objects.filter(pk=credential.pk).update(status="lapsed")
    standings.refresh_person(holder, TODAY)
    assert status_of(holder) == "lapsed"


def test_a_record_saved_or_deleted_marks_the_person_and_the_dashboard_audits_them_again(make_person, staff) -> None:
    person = named(make_person, "ria@example.org", "Ria Records")
    give(person, [(60, c, 120) for c in FIVE])
    assert Outdated.objects.filter(person=person).exists()  # the import marked them
    standings.dashboard(staff, standings.Filters())
    assert status_of(person) == "complete" and not Outdated.objects.filter(person=person).exists()

    Record.objects.filter(person=person, category="writing").first().delete()
    assert Outdated.objects.filter(person=person).exists()
    board = standings.dashboard(staff, standings.Filters(status="complete"))
    assert board.total == 0 and status_of(person) in ("on_pace", "behind")


def test_filters_search_counts_and_pages(make_person, staff) -> None:
    for n in range(55):
        person = named(make_person, f"p{n}@example.org", f"Person {n:02d}")
        give(person, [(30, "writing", 120)])
    standings.refresh_outdated(limit=100)
    board = standings.dashboard(staff, standings.Filters(status="on_pace"))
    assert board.counts["on_pace"] == 0 and board.counts["behind"] == 55
    board = standings.dashboard(staff, standings.Filters(status="behind"), page=2)
    assert (board.total, board.pages, len(board.rows)) == (55, 2, 5)
    assert [r.name for r in board.rows] == [f"Person {n}" for n in range(50, 55)]
    found = standings.dashboard(staff, standings.Filters(q="person 07"))
    assert [r.email for r in found.rows] == ["p7@example.org"]
    with pytest.raises(standings.DashboardInvalid, match="unknown status"):
        standings.Filters.read({"status": "nearly"})


def test_the_csv_export_has_the_filtered_people_with_formulas_defused_and_is_in_the_history(make_person, staff) -> None:
    evil = named(make_person, "evil@example.org", '=HYPERLINK("http://x")')
    give(evil, [(30, "writing", 120)])
    done = named(make_person, "done@example.org", "Done Person")
    give(done, [(60, c, 120) for c in FIVE])
    standings.refresh_outdated()

    client = Client()
    client.force_login(staff)
    response = client.get("/staff/export.csv?status=behind")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["name", "email", "program", "status"]
    assert [r[1] for r in rows[1:]] == ["evil@example.org"]
    assert rows[1][0] == '\'=HYPERLINK("http://x")' and rows[1][3] == "behind"
    entry = HistoryEntry.objects.get(action="standings.export")
    assert entry.actor == staff and "status=behind" in entry.note


def test_the_re_audit_of_everyone_runs_as_a_task_counts_its_progress_and_says_who_started_it(
    make_person, staff, django_capture_on_commit_callbacks
) -> None:
    people = [named(make_person, f"m{n}@example.org", f"M {n}") for n in range(3)]
    for person in people:
        give(person, [(30, "writing", 120)])
    Standing.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run = standings.start_reaudit(staff)
    assert len(queued) == 1  # enqueued for the worker once the transaction commits
    assert standings.start_reaudit(staff) == run  # a second click while one waits starts nothing new
    result = standings.reaudit_everyone.call(run.pk)
    run.refresh_from_db()
    assert (run.state, run.total, run.done) == ("done", 3, 3) and result == {"people": 3, "changed": 3}
    assert Standing.objects.filter(status="behind").count() == 3
    entry = HistoryEntry.objects.get(action="standings.reaudit")
    assert entry.actor == staff and entry.object_id == str(run.pk)


def test_spot_checks_draw_distinct_records_and_keep_the_outcome_with_who_and_when(make_person, staff) -> None:
    person = named(make_person, "sp@example.org", "Spot Person")
    give(person, [(30 + n, "writing", 60) for n in range(12)])
    drawn = standings.draw_spot_checks(staff, 5, random.Random(7))
    assert len({c.record_id for c in drawn}) == 5
    assert HistoryEntry.objects.filter(action="spotcheck.draw", actor=staff).count() == 5
    with pytest.raises(standings.DashboardInvalid, match="say why"):
        standings.settle_spot_check(staff, drawn[0].pk, "not_verified", "")
    standings.settle_spot_check(staff, drawn[0].pk, "not_verified", "certificate names someone else")
    check = SpotCheck.objects.get(pk=drawn[0].pk)
    assert (check.outcome, check.checked_by, check.checked_at is not None) == ("not_verified", staff, True)
    on_record = HistoryEntry.objects.get(action="spotcheck", object_id=str(check.record_id))
    assert on_record.actor == staff and "certificate names someone else" in on_record.note
    with pytest.raises(standings.DashboardInvalid):
        standings.draw_spot_checks(staff, 0)


def test_the_review_ageing_lists_the_oldest_first_with_days_waiting(make_person, staff) -> None:
    from django.utils import timezone

    from certcredit.store.catalog.models import Decision, Session

    old = Session.objects.create(title="Old one", date=TODAY, natural_key="old")
    new = Session.objects.create(title="New one", date=TODAY, natural_key="new")
    for session, days in ((new, 1), (old, 20)):
        decision = Decision.objects.create(session=session, kind="evaluated", verdict="needs_review")
        Decision.objects.filter(pk=decision.pk).update(decided_at=timezone.now() - dt.timedelta(days=days))
    waiting = standings.review_ageing(staff)
    assert [(w.session.title, w.days) for w in waiting] == [("Old one", 20), ("New one", 1)]


@pytest.mark.parametrize("role", ["member", "provider", "reviewer"])
def test_no_one_but_staff_sees_the_dashboard_or_its_actions(make_person, role) -> None:
    person = make_person(f"{role}@example.org", role)
    client = Client()
    client.force_login(person)
    for url in ("/staff/", "/staff/export.csv", "/staff/spot-checks/", "/staff/review-ageing/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/staff/reaudit/").status_code == 403
    assert client.post("/staff/spot-checks/", {"count": "3"}).status_code == 403
    assert not Reaudit.objects.exists() and not SpotCheck.objects.exists()
    with pytest.raises(Forbidden):
        standings.dashboard(person, standings.Filters())
    with pytest.raises(Forbidden):
        list(standings.export_csv(person, standings.Filters()))


def test_anonymous_visitors_are_sent_to_sign_in(db) -> None:
    client = Client()
    for url in ("/staff/", "/staff/export.csv", "/staff/spot-checks/", "/staff/review-ageing/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_staff_see_the_dashboard_page_with_counts_and_filters(make_person, staff) -> None:
    person = named(make_person, "bo@example.org", "Bo Behind")
    give(person, [(30, "writing", 120)])
    client = Client()
    client.force_login(staff)
    page = client.get("/staff/?status=behind").content.decode()
    assert "Bo Behind" in page and "Behind: <b>1</b>" in page
    assert "unknown status" in client.get("/staff/?status=nearly").content.decode()
