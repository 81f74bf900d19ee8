"""What a new user met first: the demo's review queue and logins, the Progress page's notes, rules list for clrm."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from certcredit.services import audits, reviews
from certcredit.services.decisions import decide
from certcredit.services.imports import import_records, load_upload
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Decision, Session

pytestmark = [pytest.mark.store, pytest.mark.django_db]


def test_the_demo_fills_the_review_queue_with_sessions_the_evaluator_sent_there(cli) -> None:
    assert cli("demo").exit_code == 0
    reviewer = Person.objects.get(email="reviewer@example.org")
    waiting = list(reviews.queue(reviewer))
    assert len(waiting) >= 2
    for session in waiting:
        decision = Decision.objects.filter(session=session).get()
        assert (decision.kind, decision.verdict) == ("evaluated", "needs_review")
        assert decision.analysis  # the evaluator's own words, not a placeholder
    # every undesignated demo session got the evaluator's decision; a second run adds none
    before = Decision.objects.count()
    assert cli("demo").exit_code == 0
    assert Decision.objects.count() == before


def test_the_demo_logins_table_labels_every_column(cli) -> None:
    out = cli("demo").stdout
    header = next(line for line in out.splitlines() if "role" in line and "e-mail" in line)
    cells = [cell.strip() for cell in header.strip("┃│ ").replace("┃", "│").split("│")]
    assert cells == ["role", "e-mail", "password", "account"]


def test_rules_list_gives_clrm_its_versions_and_what_picks_one(cli) -> None:
    line = next(line for line in cli("rules", "list").stdout.splitlines() if line.startswith("clrm "))
    assert "versions from: -" not in line
    assert "versions from: the program's start, 2019-01-01; chosen by the candidate's completion date" in line


def test_a_members_own_subject_area_is_not_labelled_as_the_evaluators(client: Client, make_person) -> None:
    member = make_person("own-area@example.org")
    session = Session.objects.create(
        title="Budget basics", date=dt.date(2026, 3, 2), minutes=120, natural_key="2026-03-02|Budget basics"
    )
    report = import_records(
        load_upload("mine.csv", b"date,title,minutes,subject_area\n2026-03-02,Budget basics,120,FM\n"),
        member,
        member,
        "mine.csv",
    )
    assert report.ok
    decide(None, session, "evaluated", "does_not_qualify", subject_area="OM", confidence=0.9)

    shown = audits.progress(member, member, "clm-recertification", dt.date(2026, 11, 30))
    (credit,) = shown.credits.values()
    assert (credit.subject_area, credit.source, credit.own) == ("FM", audits.EVALUATOR, ("subject area",))
    client.force_login(member)
    html = client.get("/progress/", {"program": "clm-recertification", "as_of": "2026-11-30"}).content.decode()
    note = '<div class="muted small credit-source">decided by the evaluator; subject area its own designation</div>'
    assert note in html
    assert '<div class="muted small credit-source">decided by the evaluator</div>' not in html


def test_a_web_upload_with_an_unclosed_quote_stores_nothing_and_names_the_line(client: Client, make_person) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certcredit.store.records.models import Record

    member = make_person("quote@example.org")
    client.force_login(member)
    content = b'date,title,minutes\n2026-01-05,Good,90\n2026-01-06,"Open quote,60\n2026-01-07,Lost,60\n'
    page = client.post("/records/upload/", {"file": SimpleUploadedFile("mine.csv", content)}).content.decode()
    assert "mine.csv: line 3: a quoted cell starts in this row" in page and "has-error" in page
    assert Record.objects.filter(person=member).count() == 0


@pytest.mark.parametrize("name", ["missing.csv", "folder.csv"])
def test_import_names_a_file_it_cannot_open_in_the_common_style(cli, make_person, tmp_path, name: str) -> None:
    make_person("open@example.org")
    (tmp_path / "folder.csv").mkdir()
    result = cli("import", "records", str(tmp_path / name), "--person", "open@example.org")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"certcredit import records: {tmp_path / name}: cannot read the file (")


def test_import_names_each_rejected_row_in_the_common_style(cli, make_person, tmp_path) -> None:
    make_person("rows@example.org")
    path = tmp_path / "records.csv"
    path.write_text("date,title,minutes\n2026-01-05,Good,90\n,No date,60\n", encoding="utf-8")
    result = cli("import", "records", str(path), "--person", "rows@example.org")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"certcredit import records: {path}: line 3: ")
