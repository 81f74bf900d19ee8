"""One reading of a row: the CLI audit, the store's import and the evaluator accept and reject the same rows, for the
same reasons, and read the same values from the ones they accept (issue 11; the row-level cases of issue 10).

The rows are written once to a JSON Lines file (JSON carries numbers, booleans and escapes that CSV cannot) and
that file is given to ``certcredit audit``, to the store's record import (what ``certcredit import records``, the
web upload and the API call) and to ``certcredit evaluate``; the catalogue's session import must agree with the
evaluator too. Marked ``store``, so it runs on SQLite and again on PostgreSQL, where a NUL byte or a number past
2**31 used to fail inside the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from certcredit.services.imports import import_records, import_sessions, load_rows
from certcredit.store.catalog.models import Session
from certcredit.store.records.models import Record
from tests.row_cases import CASES, RECORD_ONLY, SESSION_ONLY, expected, write_jsonl

pytestmark = [pytest.mark.store, pytest.mark.django_db]

AS_OF = "2026-06-01"


def audit_reading(cli: Callable[..., Any], path: Path) -> tuple[dict[int, str], set[str]]:
    """``certcredit audit``: the reason of each rejected line, and the ids of the records it audited."""
    result = cli("audit", str(path), "--program", "clm-application", "--as-of", AS_OF, "--format", "json")
    report = json.loads(result.stdout)
    rejected = {entry["line"]: entry["error"] for entry in report["rejected"]}
    audited = {entry["record"] for entry in report["allocations"] + report["unused"]}
    return rejected, audited


def evaluator_reading(cli: Callable[..., Any], path: Path) -> tuple[dict[int, str], dict[int, dict[str, Any]]]:
    """``certcredit evaluate``: the reason of each rejected line, and each evaluated line's output."""
    result = cli("evaluate", str(path), "--format", "json")
    outputs = json.loads(result.stdout)
    rejected = {line: out["error"] for line, out in enumerate(outputs, start=1) if "error" in out}
    evaluated = {line: out for line, out in enumerate(outputs, start=1) if "error" not in out}
    return rejected, evaluated


def test_the_audit_the_store_import_and_the_evaluator_accept_and_reject_the_same_rows_for_the_same_reasons(
    tmp_path: Path, make_person, cli
) -> None:
    path = write_jsonl(tmp_path / "rows.jsonl", [row for row, _reason in CASES])
    want = expected(CASES)

    audit_rejected, audited = audit_reading(cli, path)
    member = make_person("one.reading@example.org")
    report = import_records(load_rows(path), member, None, str(path))
    store_rejected = {int(r.where.split()[-1]): r.reason for r in report.rejected}
    evaluate_rejected, evaluated = evaluator_reading(cli, path)

    assert audit_rejected == want
    assert store_rejected == want
    assert evaluate_rejected == want

    # The accepted rows: every path read the same id, and the store kept what the evaluator read.
    stored = {r.source_line: r for r in Record.objects.filter(person=member)}
    assert report.added == len(stored) == len(CASES) - len(want)
    for line, (_row, _reason) in enumerate(CASES, start=1):
        if line in want:
            continue
        record, output = stored[f"line {line}"], evaluated[line]
        ident = record.external_id or str(line)
        assert ident in audited
        assert output["id"] == ident
        assert output["minutes"] == record.minutes
        assert output["title"] == " ".join(record.title.split())
    assert evaluated[23]["id"] == "3.0" and evaluated[22]["id"] == "3" and evaluated[24]["id"] == "1e+20"
    assert stored["line 25"].external_id == "  spaced  "
    assert stored["line 26"].external_id == "" and evaluated[26]["id"] == "26"
    assert stored["line 43"].activity == "giving_back"
    assert stored["line 8"].minutes == 10_000


def test_the_audit_and_the_store_import_refuse_a_record_without_a_date_or_a_duration_alike(
    tmp_path: Path, make_person, cli
) -> None:
    path = write_jsonl(tmp_path / "records.jsonl", [row for row, _reason in RECORD_ONLY])
    want = expected(list(RECORD_ONLY))

    audit_rejected, _audited = audit_reading(cli, path)
    report = import_records(load_rows(path), make_person("records@example.org"), None, str(path))

    assert audit_rejected == want
    assert {int(r.where.split()[-1]): r.reason for r in report.rejected} == want
    assert evaluator_reading(cli, path)[0] == {}  # a session needs neither


def test_the_evaluator_and_the_catalogue_import_read_sessions_alike(tmp_path: Path, make_person, cli) -> None:
    cases = CASES + [(row, reason) for row, reason in SESSION_ONLY]
    path = write_jsonl(tmp_path / "sessions.jsonl", [row for row, _reason in cases])
    want = expected(cases)

    evaluate_rejected, evaluated = evaluator_reading(cli, path)
    report = import_sessions(load_rows(path), None, str(path))

    assert evaluate_rejected == want
    assert {int(r.where.split()[-1]): r.reason for r in report.rejected} == want
    stored = {s.source_line: s for s in Session.objects.all()}
    for line, output in evaluated.items():
        assert output["minutes"] == stored[f"line {line}"].minutes
    assert audit_reading(cli, path)[0] == expected(CASES)  # a record needs no title


def test_a_web_upload_with_huge_minutes_or_a_nul_byte_keeps_the_good_row_and_names_the_bad_ones(
    client, make_person
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    member = make_person("upload.edges@example.org")
    client.force_login(member)
    rows = [
        {"date": "2026-01-05", "title": "Good", "minutes": 90},
        {"date": "2026-01-06", "title": "Huge", "minutes": 99_999_999_999_999_999_999},
        {"date": "2026-01-07", "title": "Past 2**31", "minutes": 2_147_483_648},
        {"date": "2026-01-08", "title": "Nul\x00byte", "minutes": 60},
    ]
    content = "".join(json.dumps(row) + "\n" for row in rows).encode()
    response = client.post("/records/upload/", {"file": SimpleUploadedFile("mine.jsonl", content)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 added" in page
    assert "line 2" in page and "line 3" in page and "line 4" in page and "at most 10,000" in page
    assert [r.title for r in Record.objects.filter(person=member)] == ["Good"]


def test_a_stored_record_the_reading_now_refuses_is_listed_as_rejected_on_progress_not_a_server_error(
    client, make_person
) -> None:
    """A store filled before the bound (more than 10,000 minutes was kept then) still audits: that record is
    rejected with the reason, the others count."""
    from certcredit.services.tokens import create_token

    member = make_person("legacy@example.org")
    Record.objects.create(person=member, date="2025-03-01", minutes=90, title="Kept", category="writing",
                          natural_key="r|kept")  # fmt: skip
    Record.objects.create(person=member, date="2025-03-02", minutes=20_000, title="Too long", natural_key="r|long")
    _token, plain = create_token(member)
    response = client.get(
        "/api/progress", {"program": "clm-application", "as_of": "2026-06-01"}, HTTP_AUTHORIZATION=f"Bearer {plain}"
    )
    assert response.status_code == 200
    report = response.json()
    assert [(r["line"], r["error"]) for r in report["rejected"]] == [
        (2, "minutes must be at most 10,000 (one record), not the number 20000")
    ]
    assert report["requirements"][0]["counted_hours"] == 1.5
    client.force_login(member)
    page = client.get("/progress/", {"program": "clm-application", "as_of": "2026-06-01"}).content.decode()
    assert "minutes must be at most 10,000 (one record), not the number 20000" in page
