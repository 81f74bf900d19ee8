"""``certcredit evaluate FILE --format json|table|csv`` as SPEC.md defines it, with the real model."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certcredit.cli import _register, app

pytestmark = pytest.mark.model

FIELDS = [
    "id",
    "title",
    "minutes",
    "credit_hours",
    "decision",
    "category",
    "subject_area",
    "topic",
    "confidence",
    "analysis",
]
GOOD = {
    "id": "g1",
    "title": "Grammar and Punctuation for Legal Staff",
    "time": "9 – 10:30 A.M.",
    "description": "Commas, semicolons, agreement and usage drills for memos and letters, with editing practice.",
}


def run(*args: str) -> object:
    _register()
    return CliRunner().invoke(app, ["evaluate", *args])


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_json_output_has_specs_fields_in_input_order(tmp_path: Path) -> None:
    short = {**GOOD, "id": "g2", "time": "9 – 9:45 A.M."}
    result = run(str(write_jsonl(tmp_path / "s.jsonl", [GOOD, short])), "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert [list(item) for item in items] == [FIELDS, FIELDS]
    assert (items[0]["decision"], items[0]["category"], items[0]["minutes"], items[0]["credit_hours"]) == (
        "qualifies",
        "writing",
        90,
        1.5,
    )
    assert (items[1]["decision"], items[1]["category"], items[1]["credit_hours"]) == ("does_not_qualify", None, 0)


def test_rejected_rows_stay_in_place_are_named_on_stderr_and_exit_2(tmp_path: Path) -> None:
    rows = [
        GOOD,
        {"id": "b1", "title": "X", "time": "after lunch"},
        {"id": "b2", "title": "Y", "category": "sales"},
        {"id": "b3", "description": "no title"},
    ]
    path = write_jsonl(tmp_path / "mixed.jsonl", rows)
    result = run(str(path), "--format", "json")
    assert result.exit_code == 2
    items = json.loads(result.stdout)
    assert [item["id"] for item in items] == ["g1", "b1", "b2", "b3"]
    assert set(items[1]) == {"id", "error"} and "after lunch" in items[1]["error"]
    assert "unknown category 'sales'" in items[2]["error"]
    assert "no title" in items[3]["error"]
    assert f"{path}: line 2:" in result.stderr
    assert f"{path}: line 4:" in result.stderr


def test_csv_output_has_a_header_and_one_row_per_session(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "title,time,description\n" + f'{GOOD["title"]},{GOOD["time"]},"{GOOD["description"]}"\n', encoding="utf-8"
    )
    result = run(str(path), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["id"] == "1"
    assert rows[0]["decision"] == "qualifies"
    assert rows[0]["credit_hours"] == "1.5"


def test_the_table_shows_title_time_hours_decision_and_category(tmp_path: Path) -> None:
    result = run(str(write_jsonl(tmp_path / "s.jsonl", [GOOD])), "--format", "table")
    assert result.exit_code == 0, result.output
    for words in (
        "Title",
        "Time",
        "Hours",
        "Decision",
        "Category",
        "Grammar and Punctuation",
        "1.50",
        "qualifies",
        "Writing Skills",
    ):
        assert words in result.stdout


def test_the_table_has_the_why_column_readme_promises(tmp_path: Path) -> None:
    result = run(str(write_jsonl(tmp_path / "s.jsonl", [GOOD])), "--format", "table")
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "Title" in line)
    assert header.rstrip(" ┃│").endswith("Why")
    analysis = json.loads(run(str(tmp_path / "s.jsonl")).stdout)[0]["analysis"]
    shown = " ".join(result.stdout.replace("│", " ").split())
    assert " ".join(analysis.split()[:6]) in shown


def test_an_ics_agenda_is_evaluated_event_by_event(tmp_path: Path) -> None:
    path = tmp_path / "agenda.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:a1\r\nSUMMARY:Excel Pivot Tables for Administrators\r\n"
        "DESCRIPTION:A hands-on lab building pivot tables and formulas from billing exports in Excel.\r\n"
        "DTSTART:20260305T090000\r\nDTEND:20260305T101500\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:a2\r\nSUMMARY:Welcome Reception\r\n"
        "DTSTART:20260305T170000\r\nDTEND:20260305T190000\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n",
        encoding="utf-8",
    )
    result = run(str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert [(i["id"], i["minutes"], i["decision"], i["category"]) for i in items] == [
        ("1", 75, "qualifies", "information_technology"),
        ("2", 120, "does_not_qualify", None),
    ]


def test_a_missing_file_is_an_error_with_status_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "nope.jsonl" in result.stderr
