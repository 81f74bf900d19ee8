"""The member's Progress page beyond the audit: bars in words, the hours chart, the programs one pursues, and the
what-if and the plan on stored records and the catalogue, which must agree with ``certcredit audit --with`` and
``certcredit plan`` run on the exported files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client

from certcredit.io.readers import Row
from certcredit.io.writers import render
from certcredit.services import progress_view
from certcredit.services.exports import record_rows
from certcredit.services.imports import import_records, import_sessions
from certcredit.services.tokens import create_token
from certcredit.store.catalog.models import Session
from certcredit.store.history.models import HistoryEntry

pytestmark = [pytest.mark.store, pytest.mark.django_db]

TODAY = dt.date.today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def bearer(person) -> dict[str, str]:
    _token, plain = create_token(person)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


# By hand, clm-application (24 months, 2 hours in each of five categories): writing 1.5, communication 2,
# IT 2 -> writing needs 0.5, self-management 2, organizational development 2: 4.5 hours needed.
RECORDS = [
    {"id": "w1", "date": day(-200), "title": "Plain writing", "minutes": 90, "category": "writing"},
    {"id": "c1", "date": day(-150), "title": "Listening", "minutes": 120, "category": "communication"},
    {"id": "i1", "date": day(-40), "title": "Spreadsheets", "minutes": 120, "category": "information_technology"},
]
# upcoming sessions (the plan test works out by hand which of them complete the program)
SESSIONS = [
    {"title": "Letters that land", "date": day(20), "minutes": 60, "category": "writing"},
    {"title": "Own your week", "date": day(30), "minutes": 120, "category": "self_management"},
    {"title": "Team design day", "date": day(45), "minutes": 180, "category": "organizational_development"},
    {"title": "Calendars again", "date": day(60), "minutes": 240, "category": "self_management"},
    {"title": "Teams in depth", "date": day(400), "minutes": 600, "category": "organizational_development"},
]


@pytest.fixture
def member(make_person):
    person = make_person("mo@example.org")
    rows = [Row(i, i, dict(r), "item") for i, r in enumerate(RECORDS, start=1)]
    assert import_records(rows, person, person, "mine.json").ok
    staff = make_person("cat@example.org", "staff")
    assert import_sessions([Row(i, i, dict(s), "item") for i, s in enumerate(SESSIONS, start=1)], staff, "c.json").ok
    return person


def sessions() -> dict[str, Session]:
    return {s.title: s for s in Session.objects.all()}


def test_the_page_shows_each_requirement_as_a_bar_with_met_or_not_in_words(client: Client, member) -> None:
    client.force_login(member)
    html = client.get("/progress/", {"program": "clm-application", "as_of": TODAY.isoformat()}).content.decode()
    assert "Not met yet: 1.50 of 2.00 hours, 0.50 to go" in html
    assert "Met: 2.00 of 2.00 hours" in html
    assert html.count('class="req-state">Met<') == 2 and html.count('class="req-state">Not met<') == 3
    assert 'class="now" x="0" y="0" width="75.0"' in html  # writing: 1.5 of 2 hours
    # codes and the rulebook's version only behind the details fold
    assert "rules from" in html[html.index("Details: program code and rules") :]
    assert "rules from" not in html[: html.index("Details: program code and rules")]


def test_the_page_draws_the_hours_chart_with_its_table_for_screen_readers(client: Client, member) -> None:
    client.force_login(member)
    html = client.get("/progress/", {"program": "clm-application", "as_of": TODAY.isoformat()}).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html and 'role="img"' in html
    assert "5.50 hours counted from" in html  # the description: 1.5 + 2 + 2
    table = html[html.index('id="chart-table"') :]
    month = dt.date.fromisoformat(day(-40)).strftime("%b %Y")
    assert f'<th scope="row">{month}</th>' in table


def test_the_what_if_on_the_page_and_the_api_agree_with_the_cli(client: Client, member, cli, tmp_path: Path) -> None:
    chosen = [sessions()["Letters that land"], sessions()["Own your week"]]
    as_of = day(90)
    records = tmp_path / "records.json"
    records.write_text(render(record_rows(member, as_audited=True), "json"), encoding="utf-8")
    planned = tmp_path / "planned.json"
    planned.write_text(render(progress_view.catalogue_rows(chosen), "json"), encoding="utf-8")

    from_cli = cli("audit", str(records), "--program", "clm-application", "--as-of", as_of, "--with", str(planned),
                   "--format", "json", "--today", TODAY.isoformat())  # fmt: skip
    params = {"program": "clm-application", "as_of": as_of, "sessions": [s.pk for s in chosen]}
    from_api = client.get("/api/progress/what-if", params, **bearer(member))
    assert from_api.status_code == 200, from_api.content
    assert from_api.json() == json.loads(from_cli.stdout)["what_if"]
    # by hand: writing 1.5 + 1 = 2.5 (met), self-management 2 (met); organizational development still 2 short
    assert from_api.json()["hours_needed"] == 2.0 and from_api.json()["hours_gained"] == 2.5

    client.force_login(member)
    html = client.get("/progress/", {"program": "clm-application", "as_of": as_of, "planned": params["sessions"]})
    page = html.content.decode()
    assert "With them: still not complete, 2.00 hours needed" in page
    assert "with the planned sessions 2.50: met" in page and "hours planned</title>" in page  # bars and chart


def test_the_plan_on_the_page_and_the_api_agree_with_the_cli(client: Client, member, cli, tmp_path: Path) -> None:
    by = day(100)
    records = tmp_path / "records.json"
    records.write_text(render(record_rows(member, as_audited=True), "json"), encoding="utf-8")
    catalog = tmp_path / "catalog.json"
    upcoming = progress_view.upcoming_sessions(TODAY, dt.date.fromisoformat(by))
    catalog.write_text(render(progress_view.catalogue_rows(upcoming), "json"), encoding="utf-8")

    from_cli = cli("plan", str(records), "--program", "clm-application", "--catalog", str(catalog), "--by", by,
                   "--today", TODAY.isoformat(), "--format", "json")  # fmt: skip
    from_api = client.get("/api/progress/plan", {"program": "clm-application", "by": by}, **bearer(member))
    assert from_api.status_code == 200, from_api.content
    assert from_api.json() == json.loads(from_cli.stdout)
    # by hand: writing needs 0.5 (only "Letters that land"), self-management 2 ("Own your week" is the shorter),
    # organizational development 2 ("Team design day"; "Teams in depth" is after the by date): three sessions
    titles = [s["title"] for s in from_api.json()["sessions"]]
    assert titles == ["Letters that land", "Own your week", "Team design day"]
    assert from_api.json()["complete"] and from_api.json()["exact"]

    client.force_login(member)
    page = client.get("/progress/", {"program": "clm-application", "as_of": TODAY.isoformat(), "by": by})
    html = page.content.decode()
    assert "3 sessions complete the program by" in html
    assert all(title in html[html.index('id="plan-result"') :] for title in titles)
    ids = "&amp;".join(f"planned={sessions()[t].pk}" for t in titles)
    assert f"as_of={by}&amp;{ids}#requirements" in html  # "Show these in the bars and chart" plans exactly these


def test_a_plan_by_a_date_already_past_is_refused_beside_the_field(client: Client, member) -> None:
    response = client.get("/api/progress/plan", {"program": "clm-application", "by": day(-1)}, **bearer(member))
    assert response.status_code == 422 and response.json()["field"] == "by"
    client.force_login(member)
    html = client.get("/progress/", {"program": "clm-application", "as_of": TODAY.isoformat(), "by": "soon"})
    assert "unreadable date &#x27;soon&#x27;" in html.content.decode()


def test_the_what_if_refuses_an_unknown_session_and_another_members_records(
    client: Client, member, make_person
) -> None:
    auth = bearer(member)
    params = {"program": "clm-application", "as_of": day(90), "sessions": [999999]}
    unknown = client.get("/api/progress/what-if", params, **auth)
    assert unknown.status_code == 422 and unknown.json()["field"] == "sessions"
    nosy = bearer(make_person("ann@example.org"))
    theirs = {"program": "clm-application", "as_of": day(90), "sessions": [sessions()["Own your week"].pk],
              "person": "mo@example.org"}  # fmt: skip
    assert client.get("/api/progress/what-if", theirs, **nosy).status_code == 404
    assert client.get("/api/progress/plan", {"program": "clm-application", "by": day(90), "person": "mo@example.org"},
                      **nosy).status_code == 404  # fmt: skip


def test_the_programs_one_pursues_default_from_the_credential_and_a_choice_is_kept_with_its_history(
    client: Client, member
) -> None:
    auth = bearer(member)
    first = client.get("/api/me/programs", **auth).json()
    assert first["programs"] == ["clm-application", "clm-application-specialist"] and not first["chosen"]
    chosen = client.put("/api/me/programs", {"programs": ["pmi-pmp-renewal", "clm-application"]},
                        content_type="application/json", **auth)  # fmt: skip
    assert chosen.status_code == 200 and chosen.json()["programs"] == ["clm-application", "pmi-pmp-renewal"]
    entry = HistoryEntry.objects.get(object_type="records.pursuedprograms")
    assert (entry.action, entry.actor_label) == ("choose programs", "mo@example.org")
    client.force_login(member)
    html = client.get("/progress/").content.decode()
    assert '<option value="pmi-pmp-renewal"' in html and '<option value="clm-application-specialist"' not in html
    # by form too; an unknown program is refused, an empty choice too
    assert client.post("/progress/programs/", {"programs": ["clm-recertification"]}).status_code == 302
    assert client.get("/api/me/programs", **auth).json()["programs"] == ["clm-recertification"]
    bad = client.put("/api/me/programs", {"programs": ["clrm"]}, content_type="application/json", **auth)
    assert bad.status_code == 422 and bad.json()["field"] == "programs"
    empty = client.put("/api/me/programs", {"programs": []}, content_type="application/json", **auth)
    assert empty.status_code == 422
    actions = list(HistoryEntry.objects.filter(object_type="records.pursuedprograms").values_list("action", flat=True))
    assert sorted(actions) == ["change programs", "choose programs"]


def test_records_naming_a_peer_programs_activity_add_that_program_to_the_default(make_person) -> None:
    person = make_person("pm@example.org")
    row = {"date": day(-30), "minutes": 120, "title": "Mentoring", "activity": "giving_back"}
    assert import_records([Row(1, 1, row, "item")], person, person, "pm.json").ok
    assert "pmi-pmp-renewal" in progress_view.pursued(person).programs


def test_a_session_id_beyond_any_database_integer_is_no_such_session(client: Client, member) -> None:
    params = {"program": "clm-application", "as_of": day(90), "sessions": [2**70]}
    response = client.get("/api/progress/what-if", params, **bearer(member))
    assert response.status_code == 422 and response.json()["field"] == "sessions"
    client.force_login(member)
    html = client.get("/progress/", {"program": "clm-application", "as_of": day(90), "planned": str(2**70)})
    assert html.status_code == 200 and "unreadable session" in html.content.decode()


def test_a_providers_unpublished_session_is_neither_planned_nor_attended(client: Client, member, make_person) -> None:
    from certcredit.store.accounts.models import Organization
    from certcredit.store.catalog.models import Submission

    provider = make_person("pat@example.org", "provider")
    org = Organization.objects.create(name="Northwind", kind=Organization.Kind.PROVIDER)
    hidden = sessions()["Own your week"]
    hidden.submission = Submission.objects.create(organization=org, submitted_by=provider, file_name="form")
    hidden.save()
    assert hidden not in progress_view.upcoming_sessions(TODAY)
    params = {"program": "clm-application", "as_of": day(90), "sessions": [hidden.pk]}
    response = client.get("/api/progress/what-if", params, **bearer(member))
    assert response.status_code == 422 and response.json()["field"] == "sessions"
    plan = client.get("/api/progress/plan", {"program": "clm-application", "by": day(100)}, **bearer(member)).json()
    assert "Own your week" not in [s["title"] for s in plan["sessions"]]
    assert client.post(f"/api/sessions/{hidden.pk}/attend", **bearer(member)).status_code == 404
