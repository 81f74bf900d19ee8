"""The store-backed audit takes the applying decision of each record's linked catalogue session (RULES.md,
"Deciding a category"): designations are never overridden, a reviewer's word replaces the evaluator's, and a
session awaiting review counts for nothing until a reviewer decides. The page says where each category came
from; ``GET /api/progress`` stays the CLI's audit of the audited export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from certcredit.io.writers import render
from certcredit.services import audits
from certcredit.services.decisions import decide
from certcredit.services.exports import record_rows
from certcredit.services.imports import import_records, load_upload
from certcredit.services.tokens import create_token
from certcredit.store.catalog.models import Session
from certcredit.store.records.models import Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]

AS_OF = "2026-06-01"
CYCLE_END = "2026-11-30"
# Each record but "loose" has the date and title of one catalogued session, so the import links it.
RECORDS = """id,date,title,minutes,category,subject_area
plain,2025-09-10,Plain writing at work,120,,
listen,2025-10-01,Listening at work,120,,
teams,2025-11-01,Leading teams,120,,
own,2025-12-01,Planning the week,120,self_management,
sheets,2026-01-15,Spreadsheet basics,120,,
loose,2026-02-01,A talk no catalogue lists,120,,
"""
SESSIONS = (
    ("2025-09-10", "Plain writing at work"),
    ("2025-10-01", "Listening at work"),
    ("2025-11-01", "Leading teams"),
    ("2025-12-01", "Planning the week"),
    ("2026-01-15", "Spreadsheet basics"),
)


def catalogue(*listed: tuple[str, str]) -> dict[str, Session]:
    return {
        title: Session.objects.create(
            title=title, date=dt.date.fromisoformat(day), minutes=120, natural_key=f"{day}|{title}"
        )
        for day, title in listed
    }


def load(person, text: str) -> None:
    report = import_records(load_upload("mine.csv", text.encode()), person, person, "mine.csv")
    assert report.ok


def counted(person, program: str = "clm-application", as_of: str = AS_OF) -> dict[str, str]:
    """Record id to the requirement it counts for in the store-backed audit."""
    shown = audits.progress(person, person, program, dt.date.fromisoformat(as_of), today=dt.date(2026, 5, 1))
    return {line["record"]: line["requirement"] for line in shown.report["allocations"]}


@pytest.fixture
def staff(make_person):
    return make_person("desk@example.org", "staff")


@pytest.fixture
def reviewer(make_person):
    return make_person("rev@example.org", "reviewer")


@pytest.fixture
def sessions(db) -> dict[str, Session]:
    return catalogue(*SESSIONS)


@pytest.fixture
def member(make_person, sessions):
    person = make_person("mo@example.org")
    load(person, RECORDS)
    assert Record.objects.filter(person=person, session__isnull=False).count() == 5  # "loose" is not linked
    return person


def test_without_decisions_every_record_is_audited_as_stored(member) -> None:
    assert counted(member) == {"own": "self_management"}


def test_an_evaluators_qualifying_decision_counts_the_record_in_its_category(member, sessions) -> None:
    decide(None, sessions["Plain writing at work"], "evaluated", "qualifies", "writing", "CM", confidence=0.9)
    assert counted(member)["plain"] == "writing"


def test_a_reviewers_decision_replaces_the_evaluators(member, sessions, reviewer) -> None:
    teams = sessions["Leading teams"]
    decide(None, teams, "evaluated", "qualifies", "communication", "CM", confidence=0.7)
    assert counted(member)["teams"] == "communication"
    decide(reviewer, teams, "reviewed", "qualifies", "organizational_development", "CM")
    assert counted(member)["teams"] == "organizational_development"


def test_a_record_awaiting_review_counts_for_nothing_until_a_reviewer_decides(member, sessions, reviewer) -> None:
    listen = sessions["Listening at work"]
    decide(None, listen, "evaluated", "needs_review", confidence=0.4, analysis="unclear focus")
    decide(None, listen, "evaluated", "needs_review", subject_area="CM", confidence=0.4)  # a guessed area too
    assert "listen" not in counted(member)
    assert "listen" not in counted(member, "clm-recertification", CYCLE_END)
    decide(reviewer, listen, "reviewed", "qualifies", "communication", "CM")
    assert counted(member)["listen"] == "communication"
    assert counted(member, "clm-recertification", CYCLE_END)["listen"] == "CM"


def test_a_record_awaiting_review_adds_nothing_to_the_recertification_total(member, sessions) -> None:
    # By hand: only "own" (self_management -> CM, 2 hours) counts toward the 36 before any decision.
    cycle_end = dt.date.fromisoformat(CYCLE_END)
    before = audits.progress(member, member, "clm-recertification", cycle_end).report
    decide(None, sessions["Listening at work"], "evaluated", "needs_review", subject_area="CM", confidence=0.3)
    after = audits.progress(member, member, "clm-recertification", cycle_end).report
    total = {line["id"]: line["counted_hours"] for line in after["requirements"]}["total"]
    assert total == 2.0 and after["requirements"] == before["requirements"]
    assert {u["record"]: u["reason"] for u in after["unused"]}["listen"] == "no eligible requirement"


def test_a_session_that_does_not_qualify_still_gives_its_subject_area_for_recertification(member, sessions) -> None:
    decide(None, sessions["Leading teams"], "evaluated", "does_not_qualify", subject_area="HR", confidence=0.8)
    assert "teams" not in counted(member)  # no category for the application
    assert counted(member, "clm-recertification", CYCLE_END)["teams"] == "HR"


def test_a_records_own_category_wins_over_its_sessions_decision(member, sessions, reviewer) -> None:
    week = sessions["Planning the week"]
    decide(None, week, "evaluated", "does_not_qualify", subject_area="OM", confidence=0.9)
    decide(reviewer, week, "reviewed", "qualifies", "writing", "CM")
    assert counted(member)["own"] == "self_management"


def test_a_session_designation_applies_and_no_evaluation_overrides_it(member, sessions, staff, reviewer) -> None:
    sheets = sessions["Spreadsheet basics"]
    decide(staff, sheets, "designated", "qualifies", "information_technology", "OM")
    decide(None, sheets, "evaluated", "does_not_qualify", confidence=0.95)
    decide(reviewer, sheets, "reviewed", "does_not_qualify")
    assert counted(member)["sheets"] == "information_technology"


def test_an_unlinked_record_is_audited_as_stored(member, sessions, staff) -> None:
    # a decision on a session of another date and title does not reach it
    decide(staff, sessions["Spreadsheet basics"], "designated", "qualifies", "information_technology", "OM")
    shown = audits.progress(member, member, "clm-application", dt.date.fromisoformat(AS_OF))
    assert {u["record"]: u["reason"] for u in shown.report["unused"]}["loose"] == "no eligible requirement"
    assert shown.credits["loose"] == audits.Credit("", "", "", audits.STORED)


def test_the_credit_says_where_each_category_came_from(member, sessions, staff, reviewer) -> None:
    decide(None, sessions["Plain writing at work"], "evaluated", "qualifies", "writing", "CM", confidence=0.9)
    decide(None, sessions["Listening at work"], "evaluated", "needs_review", confidence=0.4)
    decide(reviewer, sessions["Leading teams"], "reviewed", "qualifies", "organizational_development")
    decide(staff, sessions["Spreadsheet basics"], "designated", "qualifies", "information_technology")
    shown = audits.progress(member, member, "clm-application", dt.date.fromisoformat(AS_OF))
    assert {ident: (c.category, c.subject_area, c.source) for ident, c in shown.credits.items()} == {
        "plain": ("writing", "CM", audits.EVALUATOR),
        "listen": ("", "", audits.AWAITING_REVIEW),
        "teams": ("organizational_development", "", audits.REVIEWER),
        "own": ("self_management", "", audits.OWN),
        "sheets": ("information_technology", "", audits.SESSION_DESIGNATION),
        "loose": ("", "", audits.STORED),
    }


def test_the_page_says_where_each_records_category_came_from(client: Client, member, sessions, staff, reviewer) -> None:
    decide(None, sessions["Plain writing at work"], "evaluated", "qualifies", "writing", "CM", confidence=0.9)
    decide(None, sessions["Listening at work"], "evaluated", "needs_review", confidence=0.4)
    decide(reviewer, sessions["Leading teams"], "reviewed", "qualifies", "organizational_development")
    decide(staff, sessions["Spreadsheet basics"], "designated", "qualifies", "information_technology")
    client.force_login(member)
    html = client.get("/progress/", {"program": "clm-application", "as_of": AS_OF}).content.decode()
    for note in (
        "decided by the evaluator",
        "decided by a reviewer",
        "the session's designation",
        "its own designation",
        "awaiting review",
        "as recorded",
    ):
        assert f'<div class="muted small credit-source">{note}</div>' in html, note


def test_the_number_of_queries_does_not_grow_with_the_number_of_records(make_person, reviewer) -> None:
    def queries_for(n: int) -> int:
        person = make_person(f"p{n}@example.org")
        listed = [(f"2025-{month:02d}-0{n % 9 + 1}", f"Course {n}-{month}") for month in range(1, n + 1)]
        for session in catalogue(*listed).values():
            decide(None, session, "evaluated", "qualifies", "writing", "CM", confidence=0.9)
            decide(reviewer, session, "reviewed", "qualifies", "communication", "CM")
        load(person, "date,title,minutes\n" + "".join(f"{day},{title},120\n" for day, title in listed))
        with CaptureQueriesContext(connection) as captured:
            shown = audits.progress(person, person, "clm-application", dt.date.fromisoformat(AS_OF))
        assert len(shown.report["allocations"]) == n
        assert {c.source for c in shown.credits.values()} == {audits.REVIEWER}
        return len(captured)

    assert queries_for(2) == queries_for(10)


def test_the_api_equals_the_cli_audit_of_the_audited_export_and_the_plain_export_keeps_records_as_stored(
    client: Client, member, sessions, staff, cli, tmp_path: Path
) -> None:
    decide(None, sessions["Plain writing at work"], "evaluated", "qualifies", "writing", "CM", confidence=0.9)
    decide(None, sessions["Listening at work"], "evaluated", "needs_review", confidence=0.4)
    decide(staff, sessions["Spreadsheet basics"], "designated", "qualifies", "information_technology", "OM")
    audited = tmp_path / "audited.json"
    audited.write_text(render(record_rows(member, as_audited=True), "json"), encoding="utf-8")
    today = dt.date.today().isoformat()
    _token, plain = create_token(member)

    from_api = client.get("/api/progress", {"program": "clm-application", "as_of": AS_OF},
                          HTTP_AUTHORIZATION=f"Bearer {plain}")  # fmt: skip
    from_cli = cli("audit", str(audited), "--program", "clm-application", "--as-of", AS_OF, "--format", "json",
                   "--today", today)  # fmt: skip

    assert from_api.status_code == 200 and from_cli.exit_code == 0, from_cli.stderr
    body = from_api.json()
    assert body == json.loads(from_cli.stdout)
    assert {line["record"]: line["requirement"] for line in body["allocations"]} == {
        "plain": "writing",
        "own": "self_management",
        "sheets": "information_technology",
    }
    as_stored = {row["id"]: row["category"] for row in record_rows(member)}
    assert as_stored["plain"] == as_stored["sheets"] == "" and as_stored["own"] == "self_management"


def test_the_cli_exports_the_audited_records_on_request_and_the_stored_ones_by_default(
    member, sessions, cli, tmp_path: Path
) -> None:
    decide(None, sessions["Plain writing at work"], "evaluated", "qualifies", "writing", "CM", confidence=0.9)
    audited, stored = tmp_path / "audited.json", tmp_path / "stored.json"
    assert cli("export", "records", str(audited), "--person", "mo@example.org", "--as-audited").exit_code == 0
    assert cli("export", "records", str(stored), "--person", "mo@example.org").exit_code == 0
    category = {row["id"]: row.get("category") for row in json.loads(audited.read_text(encoding="utf-8"))}
    assert category["plain"] == "writing" and category["own"] == "self_management"
    assert {row["id"]: row.get("category") for row in json.loads(stored.read_text(encoding="utf-8"))}["plain"] is None


def test_a_subject_area_the_record_carries_itself_stays_whatever_the_session_says(make_person, reviewer) -> None:
    listed = catalogue(("2025-10-05", "Budget basics"))
    person = make_person("fm@example.org")
    load(person, "id,date,title,minutes,subject_area\nb1,2025-10-05,Budget basics,120,FM\n")
    decide(None, listed["Budget basics"], "evaluated", "needs_review", subject_area="OM", confidence=0.3)
    assert counted(person, "clm-recertification", CYCLE_END) == {"b1": "FM"}  # its own designation
    decide(reviewer, listed["Budget basics"], "reviewed", "qualifies", "information_technology", "OM")
    assert counted(person, "clm-recertification", CYCLE_END) == {"b1": "FM"}
    assert counted(person) == {"b1": "information_technology"}  # no category of its own: the reviewer's
