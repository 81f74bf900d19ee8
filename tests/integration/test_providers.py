"""Providers at work: agendas submitted and evaluated in the background, disputes settled by reviewers,
publication to the catalogue, the credit form and attendance rosters; each scoped to the provider's organization."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certcredit.services import agendas, providers
from certcredit.services.decisions import decide, decision_for
from certcredit.services.imports import load_upload
from certcredit.services.reviews import queue
from certcredit.services.tokens import create_token
from certcredit.store.accounts.models import Organization
from certcredit.store.catalog.models import Dispute, Session, Submission
from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]

AGENDA = """title,description,date,minutes,provider
Plain-English Drafting for Firm Policies,"Writing clear policies, memos and procedures for staff.",2026-05-04,90,
Budgeting Basics for Legal Administrators,Building an annual firm budget.,2026-05-04,60,Northwind Training Co.
Networking Lunch,,2026-05-04,
A Session of Another Provider,Something,2026-05-05,60,Someone Else Ltd.
Bad Length,Text,2026-05-06,ninety,
"""


@pytest.fixture
def northwind(db) -> Organization:
    return Organization.objects.create(name="Northwind Training Co.", kind="provider")


@pytest.fixture
def provider(make_person, northwind):
    from certcredit.services.people import grant_role

    person = make_person("pat@northwind.example")
    grant_role(person, "provider", northwind)
    return person


@pytest.fixture
def rival(make_person):
    from certcredit.services.people import grant_role

    person = make_person("quinn@rival.example")
    grant_role(person, "provider", Organization.objects.create(name="Rival Seminars", kind="provider"))
    return person


@pytest.fixture
def reviewer(make_person):
    return make_person("riley@example.org", "reviewer", "member")


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_connection(monkeypatch) -> None:
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)


def submit_agenda(person, text: str = AGENDA, name: str = "spring.csv") -> Submission:
    return agendas.submit_rows(person, load_upload(name, text.encode()), name)


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def evaluated(session: Session, verdict: str, category: str = "", analysis: str = "Reads as writing.") -> None:
    decide(None, session, "evaluated", verdict, category=category, confidence=0.9, analysis=analysis)


def test_an_agenda_keeps_its_good_rows_names_the_bad_ones_and_adds_nothing_the_second_time(provider, northwind):
    submission = submit_agenda(provider)

    assert (submission.rows, submission.added, submission.already_present) == (5, 3, 0)
    assert [(r["where"], r["reason"]) for r in submission.rejected] == [
        ("line 5", "names the provider 'Someone Else Ltd.'; you submit for Northwind Training Co."),
        ("line 6", submission.rejected[1]["reason"]),
    ]
    assert "minutes" in submission.rejected[1]["reason"]
    kept = Session.objects.filter(submission=submission)
    assert sorted(s.title for s in kept) == [
        "Budgeting Basics for Legal Administrators",
        "Networking Lunch",
        "Plain-English Drafting for Firm Policies",
    ]
    assert {s.provider_id for s in kept} == {northwind.pk}
    assert not kept.filter(published_at__isnull=False).exists()
    assert submission.status == "waiting" and submission.to_evaluate == 3 and submission.task_id
    assert HistoryEntry.objects.filter(object_type="catalog.submission", action="submit").count() == 1

    again = submit_agenda(provider)

    assert (again.added, again.already_present, len(again.rejected)) == (0, 3, 2)
    assert again.status == "finished" and not again.task_id
    assert Session.objects.count() == 3


@pytest.mark.model
def test_the_worker_evaluates_the_agenda_and_the_page_follows_its_progress(provider, cli):
    submission = submit_agenda(provider)
    client = signed_in(provider)
    page = client.get(f"/provider/submissions/{submission.pk}/").content.decode()
    assert "Waiting for the evaluator" in page and 'data-follow="2"' in page
    assert "spring.csv, line 5" in page and "Someone Else Ltd." in page

    result = cli("worker", "--batch")

    assert result.exit_code == 0, result.output
    submission.refresh_from_db()
    assert (submission.status, submission.evaluated, submission.to_evaluate) == ("finished", 3, 3)
    decided = {s.title: decision_for(s) for s in Session.objects.filter(submission=submission)}
    assert all(d is not None and d.kind == "evaluated" for d in decided.values())
    drafting = decided["Plain-English Drafting for Firm Policies"]
    assert (drafting.verdict, drafting.category) == ("qualifies", "writing") and drafting.analysis
    assert decided["Networking Lunch"].verdict != "qualifies"  # no duration: a person decides, never credit
    page = client.get(f"/provider/submissions/{submission.pk}/").content.decode()
    assert "3 of 3 sessions evaluated" in page and "data-follow" not in page
    assert "1.5" in page and "Writing" in page  # the drafting session's hours and category


def test_an_icalendar_agenda_gives_one_session_an_event(provider):
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:ev-1@northwind\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260601T090000\r\n"
        "DTEND:20260601T103000\r\nSUMMARY:Managing Firm Records Retention\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:ev-2@northwind\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260601T110000\r\n"
        "DTEND:20260601T120000\r\nSUMMARY:Leading Remote Teams\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    response = signed_in(provider).post(
        "/provider/submit/", {"form": "agenda", "file": SimpleUploadedFile("june.ics", ics.encode())}
    )

    submission = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/provider/submissions/{submission.pk}/"
    minutes = dict(Session.objects.filter(submission=submission).values_list("title", "minutes"))
    assert minutes == {"Managing Firm Records Retention": 90, "Leading Remote Teams": 60}


def test_one_session_by_form_and_a_bad_one_shown_back_with_the_reason(provider):
    client = signed_in(provider)
    bad = client.post(
        "/provider/submit/", {"form": "session", "title": "Ethics", "date": "2026-13-01", "minutes": "60"}
    )
    assert bad.status_code == 200 and "date" in bad.content.decode() and not Session.objects.exists()

    good = client.post(
        "/provider/submit/",
        {"form": "session", "title": "Ethics in Firm Billing", "date": "2026-06-01", "minutes": "60",
         "format": "live_online"},
    )  # fmt: skip

    assert good.status_code == 302
    session = Session.objects.get()
    assert (session.title, session.minutes, session.format, session.provider.name) == (
        "Ethics in Firm Billing", 60, "live_online", "Northwind Training Co."
    )  # fmt: skip


def test_a_provider_sees_only_its_own_organizations_submissions_on_pages_api_and_files(provider, rival, make_person):
    submission = submit_agenda(provider)
    session = Session.objects.filter(submission=submission).first()
    mine = signed_in(provider)
    theirs = signed_in(rival)
    member = signed_in(make_person("mo@example.org"))

    for path in (
        f"/provider/submissions/{submission.pk}/",
        f"/provider/sessions/{session.pk}/",
        f"/provider/submissions/{submission.pk}/credit-form.csv",
        f"/provider/submissions/{submission.pk}/credit-form.pdf",
        f"/api/provider/submissions/{submission.pk}",
        f"/api/provider/credit-form.csv?submission={submission.pk}",
    ):
        assert mine.get(path).status_code == 200, path
        assert theirs.get(path).status_code == 404, path
        assert member.get(path).status_code == 403, path
    assert session.title not in theirs.get("/provider/").content.decode()
    assert theirs.get("/api/provider/sessions").json()["count"] == 0
    assert theirs.get("/provider/credit-form.csv").content.decode().count("\n") == 1  # the header only
    assert member.get("/provider/").status_code == 403
    assert member.get("/api/provider/sessions").status_code == 403
    response = theirs.post(f"/api/provider/sessions/{session.pk}/dispute", {"reason": "x"}, "application/json")
    assert response.status_code == 404
    assert theirs.post("/api/provider/publish", {"sessions": [session.pk]}, "application/json").status_code == 404
    roster = SimpleUploadedFile("roster.csv", b"email\nmo@example.org\n")
    assert theirs.post(f"/api/provider/sessions/{session.pk}/roster", {"file": roster}).status_code == 404
    assert not Dispute.objects.exists() and not Record.objects.exists()


def test_a_disputed_decision_waits_in_the_queue_and_the_reviewer_upholds_it_with_a_note(provider, reviewer):
    submission = submit_agenda(provider)
    lunch = Session.objects.get(submission=submission, title="Networking Lunch")
    evaluated(lunch, "does_not_qualify", analysis="A social event.")
    client = signed_in(provider)

    empty = client.post(f"/provider/sessions/{lunch.pk}/", {"form": "dispute", "reason": " "})
    assert empty.status_code == 200 and not Dispute.objects.exists()
    response = client.post(
        f"/provider/sessions/{lunch.pk}/", {"form": "dispute", "reason": "The lunch has a 45-minute talk on budgets."}
    )
    assert response.status_code == 302
    assert list(queue(reviewer)) == [lunch]
    twice = client.post(f"/provider/sessions/{lunch.pk}/", {"form": "dispute", "reason": "Again."})
    assert "already disputed" in twice.content.decode()

    reviewing = signed_in(reviewer)
    page = reviewing.get(f"/review/{lunch.pk}/").content.decode()
    assert "The lunch has a 45-minute talk on budgets." in page and "Uphold the decision" in page
    assert (
        reviewing.post(f"/review/{lunch.pk}/uphold/", {"note": "Social events never count (R16)."}).status_code == 302
    )

    dispute = Dispute.objects.get()
    assert (dispute.status, dispute.settled_by, dispute.note) == (
        "upheld",
        reviewer,
        "Social events never count (R16).",
    )
    assert (dispute.outcome.kind, dispute.outcome.verdict) == ("reviewed", "does_not_qualify")
    assert decision_for(lunch) == dispute.outcome and list(queue(reviewer)) == []
    actions = list(
        HistoryEntry.objects.filter(object_type="catalog.dispute").order_by("id").values_list("action", "actor_label")
    )
    assert actions == [("dispute", provider.email), ("settle", reviewer.email)]
    page = client.get("/provider/").content.decode()
    assert "Upheld" in page and "Social events never count (R16)." in page and reviewer.email in page


def test_a_reviewer_changes_a_disputed_decision_through_the_api_and_the_provider_sees_it(provider, reviewer):
    submission = submit_agenda(provider)
    budget = Session.objects.get(submission=submission, title__startswith="Budgeting")
    evaluated(budget, "does_not_qualify")
    provider_token = create_token(provider)[1]
    reviewer_token = create_token(reviewer)[1]

    raised = Client().post(
        f"/api/provider/sessions/{budget.pk}/dispute",
        {"reason": "A budgeting course for administrators."},
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {provider_token}",
    )
    assert raised.status_code == 201 and raised.json()["status"] == "open"
    assert Client().get("/api/review", HTTP_AUTHORIZATION=f"Bearer {reviewer_token}").json()["count"] == 1
    none_open = Client().post(
        f"/api/sessions/{budget.pk}/uphold", {}, "application/json", HTTP_AUTHORIZATION=f"Bearer {provider_token}"
    )
    assert none_open.status_code == 403  # a provider does not settle its own dispute

    changed = Client().post(
        f"/api/sessions/{budget.pk}/review",
        {"verdict": "qualifies", "category": "organizational_development", "subject_area": "FM", "note": "Agreed."},
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {reviewer_token}",
    )

    assert changed.status_code == 201
    seen = Client().get("/api/provider/disputes", HTTP_AUTHORIZATION=f"Bearer {provider_token}").json()
    assert [(d["status"], d["outcome"]["category"], d["settled_by"], d["note"]) for d in seen] == [
        ("changed", "organizational_development", reviewer.email, "Agreed.")
    ]
    again = Client().post(
        f"/api/sessions/{budget.pk}/uphold", {}, "application/json", HTTP_AUTHORIZATION=f"Bearer {reviewer_token}"
    )
    assert again.status_code == 409


def test_a_designated_or_undecided_session_cannot_be_disputed(provider):
    submission = submit_agenda(provider)
    session = Session.objects.filter(submission=submission).first()
    token = create_token(provider)[1]

    undecided = Client().post(
        f"/api/provider/sessions/{session.pk}/dispute", {"reason": "why"}, "application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    decide(provider, session, "designated", "qualifies", category="writing")
    designated = Client().post(
        f"/api/provider/sessions/{session.pk}/dispute", {"reason": "why"}, "application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip

    assert (undecided.status_code, designated.status_code) == (409, 409)
    assert "designated" in designated.json()["message"]


def test_only_qualifying_undisputed_sessions_are_published_and_members_see_only_those(provider, make_person):
    submission = submit_agenda(provider)
    by_title = {s.title: s for s in Session.objects.filter(submission=submission)}
    drafting = by_title["Plain-English Drafting for Firm Policies"]
    lunch = by_title["Networking Lunch"]
    evaluated(drafting, "qualifies", "writing")
    evaluated(lunch, "does_not_qualify")
    member = signed_in(make_person("mo@example.org"))
    assert drafting.title not in member.get("/sessions/").content.decode()

    response = signed_in(provider).post("/provider/publish/", {"session": [drafting.pk, lunch.pk]}, follow=True)

    page = response.content.decode()
    assert "1 published to the catalogue." in page and "does not qualify for credit" in page
    drafting.refresh_from_db()
    lunch.refresh_from_db()
    assert drafting.published_at is not None and drafting.published_by == provider and lunch.published_at is None
    catalogue = member.get("/sessions/").content.decode()
    assert drafting.title in catalogue and lunch.title not in catalogue
    assert [i["title"] for i in member.get("/api/sessions").json()["items"]] == [drafting.title]
    assert HistoryEntry.objects.filter(object_type="catalog.session", action="publish").count() == 1


def test_the_credit_form_lists_each_session_with_its_hours_and_category(provider):
    submission = submit_agenda(provider)
    by_title = {s.title: s for s in Session.objects.filter(submission=submission)}
    evaluated(by_title["Plain-English Drafting for Firm Policies"], "qualifies", "writing")
    evaluated(by_title["Budgeting Basics for Legal Administrators"], "does_not_qualify")
    client = signed_in(provider)

    text = client.get(f"/provider/submissions/{submission.pk}/credit-form.csv").content.decode()
    pdf = client.get(f"/provider/submissions/{submission.pk}/credit-form.pdf")

    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(text))}
    assert (rows["Plain-English Drafting for Firm Policies"]["credit_hours"], rows[
        "Plain-English Drafting for Firm Policies"]["category"]) == ("1.5", "writing")  # fmt: skip
    assert (rows["Budgeting Basics for Legal Administrators"]["credit_hours"], rows[
        "Budgeting Basics for Legal Administrators"]["decision"]) == ("0.0", "does_not_qualify")  # fmt: skip
    assert rows["Networking Lunch"]["decision"] == "" and len(rows) == 3
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_credit_form_cell_a_spreadsheet_would_run_is_quoted(provider):
    submit_agenda(provider, 'title,date,minutes\n=HYPERLINK("x"),2026-05-04,60\n', "evil.csv")
    text = signed_in(provider).get("/provider/credit-form.csv").content.decode()
    assert "'=HYPERLINK" in text


def test_a_roster_gives_each_attendee_a_record_linked_to_the_session_once(provider, make_person):
    submission = submit_agenda(provider)
    drafting = Session.objects.get(submission=submission, title__startswith="Plain-English")
    evaluated(drafting, "qualifies", "writing")
    ana = make_person("ana@example.org")
    ben = make_person("ben@example.org")
    roster = b"email,name\nana@example.org,Ana\nBEN@example.org,Ben\nnobody@example.org,No One\n,Blank\n"
    client = signed_in(provider)

    response = client.post(
        f"/provider/sessions/{drafting.pk}/", {"form": "roster", "file": SimpleUploadedFile("roster.csv", roster)}
    )

    page = response.content.decode()
    assert "2 added, 0 already there, 2 not recorded" in page
    assert "roster.csv, line 4" in page and "no account with the e-mail &#x27;nobody@example.org&#x27;" in page
    assert "roster.csv, line 5" in page and "missing email" in page
    records = Record.objects.filter(session=drafting)
    assert sorted(r.person.email for r in records) == [ana.email, ben.email]
    assert {(r.date.isoformat(), r.minutes, r.category, r.provider) for r in records} == {
        ("2026-05-04", 90, "writing", "Northwind Training Co.")
    }
    again = client.post(
        f"/provider/sessions/{drafting.pk}/", {"form": "roster", "file": SimpleUploadedFile("roster.csv", roster)}
    )
    assert "0 added, 2 already there" in again.content.decode() and records.count() == 2


def test_a_roster_through_the_api_and_one_without_an_email_column(provider, make_person):
    submission = submit_agenda(provider)
    drafting = Session.objects.get(submission=submission, title__startswith="Plain-English")
    make_person("ana@example.org")
    token = create_token(provider)[1]
    url = f"/api/provider/sessions/{drafting.pk}/roster"

    good = Client().post(
        url, {"file": SimpleUploadedFile("r.json", json.dumps([{"email": "ana@example.org"}]).encode())},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    bad = Client().post(
        url, {"file": SimpleUploadedFile("r.csv", b"name\nAna\n")}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert good.status_code == 200 and good.json()["added"] == 1
    assert Record.objects.get().session == drafting and Record.objects.get().category == ""  # undecided: none
    assert bad.status_code == 422 and bad.json()["field"] == "file" and "email" in bad.json()["message"]


def test_the_api_submits_a_session_and_an_agenda_and_lists_them_with_progress(provider):
    token = create_token(provider)[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    one = Client().post(
        "/api/provider/sessions", {"title": "Records Retention", "date": "2026-07-01", "minutes": 75},
        "application/json", **auth,
    )  # fmt: skip
    bad = Client().post("/api/provider/sessions", {"title": "X", "date": "someday"}, "application/json", **auth)
    agenda = Client().post("/api/provider/agendas", {"file": SimpleUploadedFile("a.csv", AGENDA.encode())}, **auth)
    unreadable = Client().post("/api/provider/agendas", {"file": SimpleUploadedFile("a.txt", b"x")}, **auth)

    assert one.status_code == 201 and one.json()["added"] == 1 and one.json()["to_evaluate"] == 1
    assert bad.status_code == 422 and "date" in bad.json()["message"]
    assert agenda.status_code == 201 and agenda.json()["rejected"][0]["where"] == "line 5"
    assert unreadable.status_code == 422 and unreadable.json()["field"] == "file"
    listed = Client().get("/api/provider/submissions", **auth).json()
    assert [s["added"] for s in listed] == [3, 1] and all(s["status"] == "waiting" for s in listed)
    sessions = Client().get("/api/provider/sessions", **auth).json()
    assert sessions["organization"] == "Northwind Training Co." and sessions["count"] == 4
    assert all(not s["in_catalogue"] and s["decision"] is None for s in sessions["items"])


def test_the_openapi_document_lists_the_provider_endpoints(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/provider/sessions",
        "/api/provider/agendas",
        "/api/provider/submissions",
        "/api/provider/submissions/{submission_id}",
        "/api/provider/sessions/{session_id}/dispute",
        "/api/provider/disputes",
        "/api/provider/publish",
        "/api/provider/credit-form.csv",
        "/api/provider/credit-form.pdf",
        "/api/provider/sessions/{session_id}/roster",
        "/api/sessions/{session_id}/uphold",
    ):
        assert path in paths, path


def test_a_disputed_session_waits_in_the_queue_from_the_day_of_its_dispute(provider, reviewer):
    submission = submit_agenda(provider)
    lunch = Session.objects.get(submission=submission, title="Networking Lunch")
    budget = Session.objects.get(submission=submission, title__startswith="Budgeting")
    evaluated(lunch, "does_not_qualify")  # decided first
    evaluated(budget, "needs_review")  # decided later, waiting since then

    providers.dispute(provider, lunch.pk, "The lunch has a talk.")  # disputed last

    assert list(queue(reviewer)) == [budget, lunch]
    page = signed_in(reviewer).get("/review/").content.decode()
    assert "Disputed by the provider" in page and "The lunch has a talk." in page
