"""CLRM candidates in the app: staff record academies (by hand, by API, by roster), the history keeps who and
when, candidates see only their own timeline, staff see every candidate, and the page, the API and
``certcredit audit --program clrm`` agree on the same stored history."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certcredit.services import clrm
from certcredit.services.access import Forbidden
from certcredit.services.imports import load_upload
from certcredit.services.tokens import create_token
from certcredit.store.clrm.models import Event
from certcredit.store.history.models import HistoryEntry

pytestmark = [pytest.mark.store, pytest.mark.django_db]

#: docs/clrm.md's worked example: academies in 2024, the deadline missed, a Foundation retake in 2026, then a
#: timely submission, a revision round and acceptance (dates only; the engine's own tests hold the reasons).
WORKED = [
    ("academy_completed", "2024-02-08", "foundation"),
    ("academy_completed", "2024-05-16", "arbitration"),
    ("academy_completed", "2024-09-12", "negotiations"),
    ("arbitrator_approved", "2024-10-01", ""),
    ("orientation_attended", "2024-10-20", ""),
    ("academy_completed", "2026-01-22", "foundation"),
    ("paper_submitted", "2026-11-30", ""),
    ("revision_requested", "2027-03-05", ""),
    ("paper_submitted", "2027-06-01", ""),
    ("paper_accepted", "2027-08-15", ""),
]


@pytest.fixture
def people(make_person):
    ana = make_person("ana@example.org")
    ben = make_person("ben@example.org")
    staff = make_person("office@example.org", "staff")
    return ana, ben, staff


def bearer(person) -> dict[str, str]:
    _token, plain = create_token(person)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def worked_history(staff, person) -> clrm.Candidate:
    for event_type, day, academy in WORKED:
        clrm.record_event(staff, person, event_type, day, academy=academy)
    return clrm.own_candidacy(person)


# ------------------------------------------------------------------------------------------- the service


def test_staff_record_an_academy_and_the_history_says_who_and_when(people) -> None:
    ana, _ben, staff = people
    event = clrm.record_academy(staff, ana, "arbitration", "2026-03-05")
    assert (event.candidate.person, event.type, event.academy, str(event.date)) == (
        ana,
        "academy_completed",
        "arbitration",
        "2026-03-05",
    )
    entries = HistoryEntry.objects.filter(object_type="clrm.event", object_id=str(event.pk))
    assert [(e.actor, e.action) for e in entries] == [(staff, "create")]
    assert "Arbitration academy on 2026-03-05" in entries[0].note
    assert HistoryEntry.objects.filter(object_type="clrm.candidate", actor=staff).count() == 1


def test_recording_the_same_academy_day_twice_is_a_conflict_and_adds_nothing(people) -> None:
    ana, _ben, staff = people
    clrm.record_academy(staff, ana, "foundation", "2026-01-15")
    with pytest.raises(clrm.EventConflict, match="already has the Foundation of Labor Relations academy"):
        clrm.record_academy(staff, ana, "foundation", "2026-01-15")
    assert Event.objects.count() == 1


def test_an_unknown_academy_or_an_impossible_date_is_refused_naming_the_field(people) -> None:
    ana, _ben, staff = people
    with pytest.raises(clrm.EventInvalid, match="unknown academy 'mediation'") as error:
        clrm.record_academy(staff, ana, "mediation", "2026-01-15")
    assert error.value.field == "academy"
    with pytest.raises(clrm.EventInvalid, match="not a real calendar day") as error:
        clrm.record_academy(staff, ana, "foundation", "2026-02-30")
    assert error.value.field == "date"
    with pytest.raises(clrm.EventInvalid, match="unknown event type 'academy_started'") as error:
        clrm.record_event(staff, ana, "academy_started", "2026-01-15")
    assert error.value.field == "type"
    with pytest.raises(clrm.EventInvalid, match="unknown paper_type 'essay'") as error:
        clrm.record_event(staff, ana, "paper_submitted", "2026-01-15", paper_type="essay")
    assert error.value.field == "paper_type"
    with pytest.raises(clrm.EventInvalid, match="academy is only for academy_completed") as error:
        clrm.record_event(staff, ana, "orientation_attended", "2026-01-15", academy="foundation")
    assert error.value.field == "academy"
    with pytest.raises(clrm.EventInvalid) as error:
        clrm.record_event(
            staff, ana, "arbitrator_approved", "2026-01-15", arbitrators="; ".join(f"Arbitrator {n}" for n in range(50))
        )
    assert error.value.field == "arbitrators"
    with pytest.raises(clrm.EventInvalid) as error:
        clrm.record_event(staff, ana, "orientation_attended", "2026-01-15", note="ok\x00")
    assert error.value.field == "note"
    assert not Event.objects.exists()


def test_a_member_cannot_record_academies_even_their_own(people) -> None:
    ana, _ben, _staff = people
    with pytest.raises(Forbidden):
        clrm.record_academy(ana, ana, "foundation", "2026-01-15")
    assert not Event.objects.exists()


def test_a_roster_stores_its_good_rows_lists_the_bad_ones_and_a_second_import_adds_nothing(people) -> None:
    ana, ben, staff = people
    text = "email,name\nana@example.org,Ana\nnobody@example.org,No One\n,Blank\nBEN@example.org,Ben\n"
    rows = load_upload("negotiations-2026-04-09.csv", text.encode())
    report = clrm.import_roster(rows, "negotiations", "2026-04-09", staff, "negotiations-2026-04-09.csv")
    assert (report.added, report.already_present) == (2, 0)
    assert [(r.where, r.reason) for r in report.rejected] == [
        ("line 3", "no account with the e-mail 'nobody@example.org'"),
        ("line 4", "missing email"),
    ]
    stored = Event.objects.order_by("candidate__person__email")
    assert [(e.candidate.person, e.academy, str(e.date), e.source_line) for e in stored] == [
        (ana, "negotiations", "2026-04-09", "line 2"),
        (ben, "negotiations", "2026-04-09", "line 5"),
    ]
    again = clrm.import_roster(rows, "negotiations", "2026-04-09", staff, "negotiations-2026-04-09.csv")
    assert (again.added, again.already_present, len(again.rejected)) == (0, 2, 2)
    assert Event.objects.count() == 2
    notes = HistoryEntry.objects.filter(object_type="clrm.event", actor=staff).values_list("note", flat=True)
    assert (
        sorted(notes) == ["CLRM the Negotiations academy on 2026-04-09 from the roster negotiations-2026-04-09.csv"] * 2
    )


def test_a_roster_without_an_email_column_is_refused_whole(people) -> None:
    _ana, _ben, staff = people
    rows = load_upload("day.csv", b"name,e-mail\nAna,ana@example.org\n")
    with pytest.raises(ValueError, match=r"day\.csv: no email column"):
        clrm.import_roster(rows, "foundation", "2026-04-09", staff, "day.csv")
    assert not Event.objects.exists()


# ------------------------------------------------------------------------------------------- the web


def test_staff_record_an_academy_with_the_web_form_and_errors_show_beside_the_field(client: Client, people) -> None:
    ana, _ben, staff = people
    client.force_login(staff)
    bad = client.post("/clrm/academies/", {"form": "one", "email": "ana@example.org", "academy": "foundation",
                                           "date": "15/01/2026"})  # fmt: skip
    assert bad.status_code == 200
    assert "unreadable date &#x27;15/01/2026&#x27;" in bad.content.decode()
    ok = client.post("/clrm/academies/", {"form": "one", "email": "ana@example.org", "academy": "foundation",
                                          "date": "2026-01-15"})  # fmt: skip
    assert ok.status_code == 302
    assert Event.objects.get().candidate.person == ana


def test_from_a_candidates_timeline_staff_open_the_academy_form_for_that_person(client: Client, people) -> None:
    ana, _ben, staff = people
    clrm.record_academy(staff, ana, "foundation", "2026-01-15")
    client.force_login(staff)
    timeline = client.get(f"/clrm/candidates/{clrm.own_candidacy(ana).pk}/").content.decode()
    assert 'href="/clrm/academies/?email=ana%40example.org"' in timeline
    form = client.get("/clrm/academies/", {"email": "ana@example.org"}).content.decode()
    assert 'name="email" value="ana@example.org"' in form


def test_staff_import_a_roster_through_the_web_and_see_the_rejected_rows_with_file_and_line(
    client: Client, people
) -> None:
    _ana, _ben, staff = people
    client.force_login(staff)
    upload = SimpleUploadedFile("day.csv", b"email\nana@example.org\nghost@example.org\n", content_type="text/csv")
    response = client.post(
        "/clrm/academies/", {"form": "roster", "academy": "arbitration", "date": "2026-05-01", "file": upload}
    )
    page = response.content.decode()
    assert "1 added, 0 already there, 1 not imported" in page
    assert "day.csv, line 3" in page and "no account with the e-mail" in page
    assert Event.objects.count() == 1


def test_a_candidate_sees_their_own_timeline_and_no_one_elses(client: Client, people) -> None:
    ana, ben, staff = people
    clrm.record_academy(staff, ana, "foundation", "2026-01-15")
    clrm.record_academy(staff, ben, "foundation", "2026-01-15")
    ana_id, ben_id = clrm.own_candidacy(ana).pk, clrm.own_candidacy(ben).pk
    client.force_login(ana)
    mine = client.get("/clrm/")
    assert mine.status_code == 200 and "My CLRM timeline" in mine.content.decode()
    assert client.get(f"/clrm/candidates/{ana_id}/").status_code == 200
    assert client.get(f"/clrm/candidates/{ben_id}/").status_code == 404
    assert client.get("/clrm/candidates/999999/").status_code == 404
    assert client.get("/clrm/candidates/").status_code == 404
    assert client.get("/clrm/academies/").status_code == 403  # an action, refused as such (the API says 403 too)


def test_a_member_who_is_not_a_candidate_is_told_so(client: Client, people) -> None:
    _ana, ben, _staff = people
    client.force_login(ben)
    assert "not a candidate" in client.get("/clrm/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, people) -> None:
    response = client.get("/clrm/candidates/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_staff_see_every_candidate_sorted_by_deadline_and_filtered_by_status(
    client: Client, people, make_person
) -> None:
    ana, ben, staff = people
    cleo = make_person("cleo@example.org")
    for person, last in ((ana, "2026-03-01"), (ben, "2025-11-20")):
        for academy, day in (("foundation", "2025-06-01"), ("arbitration", "2025-07-01"), ("negotiations", last)):
            clrm.record_academy(staff, person, academy, day)
    clrm.record_academy(staff, cleo, "foundation", "2026-02-01")
    client.force_login(staff)
    page = client.get("/clrm/candidates/", {"as_of": "2026-06-01"}).content.decode()
    order = [page.index(email) for email in ("ben@example.org", "ana@example.org", "cleo@example.org")]
    assert order == sorted(order)  # deadlines 2026-11-20, 2027-03-01, then none
    due = client.get("/clrm/candidates/", {"as_of": "2026-06-01", "status": "paper_due"}).content.decode()
    assert "ana@example.org" in due and "ben@example.org" in due and "cleo@example.org" not in due
    assert client.get("/clrm/candidates/", {"status": "done"}).status_code == 400
    assert client.get("/clrm/candidates/", {"as_of": "June"}).status_code == 400
    found = clrm.candidates(staff, dt.date(2026, 6, 1), "academies_incomplete")
    assert [t.candidate.person for t in found] == [cleo]
    by_name = clrm.candidates(staff, dt.date(2026, 6, 1), sort="name")
    assert [t.candidate.person for t in by_name] == [ana, ben, cleo]


# ------------------------------------------------------------------------------------------- the API


def test_the_api_answers_json_errors_for_every_refusal(client: Client, people) -> None:
    ana, ben, staff = people
    clrm.record_academy(staff, ben, "foundation", "2026-01-15")
    ben_id = clrm.own_candidacy(ben).pk
    anonymous = client.get(f"/api/clrm/candidates/{ben_id}")
    assert anonymous.status_code == 401 and "sign in" in anonymous.json()["message"]
    other = client.get(f"/api/clrm/candidates/{ben_id}", **bearer(ana))
    assert (other.status_code, other.json()) == (404, {"message": f"no CLRM candidate {ben_id}"})
    assert client.get("/api/clrm/me", **bearer(ana)).json() == {"message": "you are not a CLRM candidate"}
    listing = client.get("/api/clrm/candidates", **bearer(ana))
    assert listing.status_code == 404 and listing["Content-Type"].startswith("application/json")
    body = {"person": "ana@example.org", "type": "academy_completed", "date": "2026-01-15", "academy": "foundation"}
    refused = client.post("/api/clrm/events", body, content_type="application/json", **bearer(ana))
    assert refused.status_code == 403 and "only staff" in refused.json()["message"]
    bad = client.post("/api/clrm/events", {**body, "academy": "x"}, content_type="application/json", **bearer(staff))
    assert (bad.status_code, bad.json()["field"]) == (422, "academy")
    unknown = client.post(
        "/api/clrm/events", {**body, "person": "who@example.org"}, content_type="application/json", **bearer(staff)
    )
    assert unknown.status_code == 404 and "no account" in unknown.json()["message"]
    status = client.get("/api/clrm/candidates", {"status": "done"}, **bearer(staff))
    assert (status.status_code, status.json()["field"]) == (422, "status")


def test_staff_record_events_through_the_api_and_a_repeat_is_409(client: Client, people) -> None:
    ana, _ben, staff = people
    body = {"person": "ana@example.org", "type": "academy_completed", "date": "2026-01-15", "academy": "foundation"}
    made = client.post("/api/clrm/events", body, content_type="application/json", **bearer(staff))
    assert made.status_code == 201
    assert (made.json()["academy"], made.json()["recorded_by"]) == ("foundation", "office@example.org")
    again = client.post("/api/clrm/events", body, content_type="application/json", **bearer(staff))
    assert again.status_code == 409
    mine = client.get("/api/clrm/me", {"as_of": "2026-02-01"}, **bearer(ana)).json()
    assert mine["audit"]["missing_academies"] == ["negotiations", "arbitration"]
    assert [e["id"] for e in mine["events"]] == [made.json()["id"]]


# ------------------------------------------------------------------------------- page = API = command line


def _page_view(client: Client, candidate_id: int, as_of: str) -> dict[str, object]:
    """What the timeline page shows, read back from its HTML."""
    text = client.get(f"/clrm/candidates/{candidate_id}/", {"as_of": as_of}).content.decode()
    status = re.search(r'<span class="pill status-(\w+)">', text)
    deadline = re.search(r'<dd id="deadline">(.*?)</dd>', text, re.S)
    completion = re.search(r'<dd id="completion">(.*?)</dd>', text, re.S)
    steps = re.search(r'<ol class="next-steps">(.*?)</ol>', text, re.S)
    assert status and deadline and completion and steps
    found = re.search(r"\d{4}-\d{2}-\d{2}", deadline.group(1))
    done = re.search(r"\d{4}-\d{2}-\d{2}", completion.group(1))
    return {
        "status": status.group(1),
        "completion_date": done.group(0) if done else None,
        "paper_deadline": found.group(0) if found else None,
        "next_steps_list": [html.unescape(s) for s in re.findall(r"<li>(.*?)</li>", steps.group(1), re.S)],
    }


@pytest.mark.parametrize(
    ("as_of", "status", "deadline"),
    [
        ("2024-06-01", "academies_incomplete", None),
        ("2025-03-01", "paper_due", "2025-09-12"),
        ("2025-10-01", "retake_required", "2025-09-12"),
        ("2026-02-01", "paper_due", "2027-01-22"),
        ("2026-12-01", "under_review", "2027-01-22"),
        ("2027-04-01", "revision_requested", "2027-01-22"),
        ("2027-09-01", "certified", "2027-01-22"),
    ],
)
def test_the_page_the_api_and_the_command_line_agree_on_a_history_with_a_foundation_retake(
    client: Client, cli, people, tmp_path: Path, as_of: str, status: str, deadline: str | None
) -> None:
    ana, _ben, staff = people
    candidate = worked_history(staff, ana)
    events = tmp_path / "events.csv"  # as staff would: export the stored events, then audit the file
    assert cli("export", "clrm-events", str(events), "--person", "ana@example.org").exit_code == 0
    result = cli("audit", str(events), "--program", "clrm", "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.output
    command_line = json.loads(result.stdout)
    api = client.get(f"/api/clrm/candidates/{candidate.pk}", {"as_of": as_of}, **bearer(staff)).json()["audit"]
    client.force_login(ana)
    page = _page_view(client, candidate.pk, as_of)
    keys = ("status", "completion_date", "paper_deadline", "next_steps_list")
    assert {k: api[k] for k in keys} == {k: command_line[k] for k in keys} == page
    assert api == command_line  # the whole object, warnings and step dates included
    assert (page["status"], page["paper_deadline"]) == (status, deadline)


def test_the_timeline_page_shows_days_left_and_the_retake_in_its_steps(client: Client, people) -> None:
    ana, _ben, staff = people
    candidate = worked_history(staff, ana)
    client.force_login(ana)
    text = client.get("/clrm/", {"as_of": "2026-02-01"}).content.decode()
    assert "<b>2027-01-22</b>, 355 days left" in text
    assert re.search(r"Foundation retake</td><td[^>]*>2026-01-22", text)
    assert re.search(r"Effective completion</td><td[^>]*>2026-01-22", text)
    steps = re.findall(r"<td>([^<]+)</td><td class=\"nowrap\">([^<]+)</td>", text)
    assert [name for name, _day in steps][:6] == [
        "Foundation of Labor Relations academy",
        "Arbitration academy",
        "Negotiations academy",
        "Arbitrator approved",
        "Orientation attended",
        "Foundation retake",
    ]
    retake_due = client.get(f"/clrm/candidates/{candidate.pk}/", {"as_of": "2025-10-01"}).content.decode()
    assert "<b>2025-09-12</b>, passed" in retake_due
    assert "retake Foundation of Labor Relations" in retake_due


def test_the_command_line_imports_a_roster_listing_bad_rows_with_file_and_line(cli, people, tmp_path: Path) -> None:
    ana, _ben, _staff = people
    roster = tmp_path / "arbitration.csv"
    roster.write_text("email\nana@example.org\nghost@example.org\n")
    args = ("import", "clrm-roster", str(roster), "--academy", "arbitration", "--date", "2026-05-01")
    first = cli(*args, "--as", "office@example.org", "--json")
    assert first.exit_code == 2
    assert (
        f"certcredit import clrm-roster: {roster}: line 3: no account with the e-mail 'ghost@example.org'"
        in first.stderr
    )
    assert json.loads(first.stdout)["added"] == 1
    again = cli(*args, "--json")
    assert json.loads(again.stdout)["already_present"] == 1
    assert [e.candidate.person for e in Event.objects.all()] == [ana]
    refused = cli(*args, "--as", "ana@example.org")
    assert refused.exit_code == 1 and "only staff" in refused.stderr
    bad = cli("import", "clrm-roster", str(roster), "--academy", "mediation", "--date", "2026-05-01")
    assert bad.exit_code == 2 and "certcredit import clrm-roster: unknown academy 'mediation'" in bad.stderr


def test_exporting_the_events_of_someone_who_is_not_a_candidate_says_so(cli, people, tmp_path: Path) -> None:
    result = cli("export", "clrm-events", str(tmp_path / "e.json"), "--person", "ben@example.org")
    assert result.exit_code == 2
    assert "certcredit export clrm-events: ben@example.org is not a CLRM candidate" in result.stderr
    assert not (tmp_path / "e.json").exists()
