"""``certcredit audit``: JSON and table output, rejected rows, and the batch path (order, overrides, workers)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from certcredit.cli import _register, app, audit_batch, workers
from certcredit.cli import audit as audit_cli

SRC_PROGRAMS = Path(audit_cli.__file__).resolve().parents[1] / "rules" / "programs"

SPEC_KEYS = [
    "program",
    "as_of",
    "rules_version",
    "complete",
    "hours_needed",
    "apply_by",
    "requirements",
    "allocations",
    "unused",
    "rejected",
]
CATS = ("writing", "communication", "self_management", "information_technology", "organizational_development")


def run(*args: str) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def application_rows(writing_minutes: int = 120) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"id": f"c{k}", "date": "2025-03-01", "minutes": 120, "category": c} for k, c in enumerate(CATS[1:])
    ]
    rows.append({"id": "w", "date": "2025-01-15", "minutes": writing_minutes, "category": "writing"})
    return rows


def jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_json_output_has_exactly_the_spec_keys_first(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "r.jsonl", application_rows(90))
    code, out, _ = run("audit", str(path), "--program", "clm-application", "--as-of", "2025-06-01", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data)[: len(SPEC_KEYS)] == SPEC_KEYS
    assert data["hours_needed"] == 0.5
    assert data["complete"] is False
    assert data["requirements"][0] == {
        "id": "writing",
        "required_hours": 2.0,
        "counted_hours": 1.5,
        "met": False,
        "hours_needed": 0.5,
    }
    assert {"record": "w", "requirement": "writing", "hours": 1.5} in data["allocations"]


def test_a_csv_file_and_the_apply_by_date(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    cells = [f"{r['id']},{r['date']},{r['minutes']},{r['category']}," for r in application_rows()]
    lines = ["id,date,minutes,category,format", *cells]
    path.write_text("\n".join(lines) + "\n")
    code, out, _ = run("audit", str(path), "--program", "clm-application", "--as-of", "2025-06-01", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["complete"] is True
    assert data["apply_by"] == "2027-01-15"


def test_the_table_shows_requirements_ticks_and_unused_reasons(tmp_path: Path) -> None:
    rows = [*application_rows(90), {"id": "short", "date": "2025-02-01", "minutes": 45, "category": "writing"}]
    path = jsonl(tmp_path / "r.jsonl", rows)
    code, out, _ = run("audit", str(path), "--program", "clm-application", "--as-of", "2025-06-01")
    assert code == 0
    assert "✗ writing" in out and "✓ communication" in out
    assert "NOT COMPLETE: 0.50 more hours needed" in out
    assert "short: shorter than 60 minutes" in out


def test_rejected_rows_go_to_stderr_with_their_line_and_exit_2(tmp_path: Path) -> None:
    rows = [
        *application_rows(),
        {"date": "2025-02-01", "minutes": 90, "category": "poetry"},
        {"id": "nodate", "minutes": 90, "category": "writing"},
        {"id": "notime", "date": "2025-02-01", "category": "writing"},
        {"id": "badtime", "date": "2025-02-01", "time": "25 - 26", "category": "writing"},
    ]
    path = jsonl(tmp_path / "r.jsonl", rows)
    code, out, err = run("audit", str(path), "--program", "clm-application", "--as-of", "2025-06-01", "-f", "json")
    assert code == 2
    data = json.loads(out)
    assert data["complete"] is True
    rejected = data["rejected"]
    assert [r["record"] for r in rejected] == ["6", "nodate", "notime", "badtime"]
    assert [r["line"] for r in rejected] == [6, 7, 8, 9]
    assert "unknown category 'poetry'" in rejected[0]["error"]
    assert f"{path}: line 6: unknown category 'poetry'" in err
    assert f"{path}: line 7: no date" in err


def test_the_specialist_program_needs_a_specialty_on_the_command_line(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "r.jsonl", application_rows())
    code, _, err = run("audit", str(path), "--program", "clm-application-specialist", "--as-of", "2025-06-01")
    assert code == 2
    assert "needs a specialty" in err


def test_an_unknown_program_is_a_clear_error(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "r.jsonl", [])
    code, _, err = run("audit", str(path), "--program", "nope", "--as-of", "2025-06-01")
    assert code == 2
    assert "unknown program 'nope'" in err


@pytest.mark.parametrize("name", ["workflow", "credits"])
def test_a_kind_is_not_a_program_name(tmp_path: Path, name: str) -> None:
    path = jsonl(tmp_path / "events.jsonl", [])
    code, out, err = run("audit", str(path), "--program", name, "--as-of", "2025-06-01")
    assert (code, out) == (2, "")
    assert f"unknown program {name!r}" in err
    listed = err.split("known programs: ")[1].strip().split(", ")
    assert listed == sorted(p.stem for p in (SRC_PROGRAMS).glob("*.yaml"))
    assert "workflow" not in listed and "credits" not in listed


def test_importing_the_clrm_command_module_registers_nothing() -> None:
    before = dict(audit_cli.AUDITORS)
    import certcredit.cli.clrm  # noqa: F401

    assert before == audit_cli.AUDITORS
    assert set(before) == {"credits", "workflow"}


def test_the_dispatch_routes_a_program_kind_to_its_auditor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    monkeypatch.setitem(audit_cli.AUDITORS, "workflow", lambda request: seen.append(request.program) or 0)
    path = jsonl(tmp_path / "events.jsonl", [])
    code, _, _ = run("audit", str(path), "--program", "clrm", "--as-of", "2025-06-01")
    assert (code, seen) == (0, ["clrm"])


def people_file(tmp_path: Path) -> Path:
    lines = [
        {"person": "ann", "records": application_rows()},
        {"person": "bob", "records": application_rows(60), "as_of": "2025-02-01"},
        {"person": "cy", "records": [*application_rows(), {"date": "2025-01-01", "minutes": 60, "format": "podcast"}]},
        {"person": "di", "records": [{"date": "2024-05-01", "minutes": 900, "subject_area": "FM"}], "specialty": "HR"},
    ]
    path = tmp_path / "people.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines) + b"{not json\n")
    return path


def test_batch_writes_one_audit_a_line_in_input_order_with_overrides(tmp_path: Path) -> None:
    path = people_file(tmp_path)
    code, out, err = run(
        "audit", str(path), "--batch", "--program", "clm-application-specialist", "--as-of", "2025-06-01",
        "--specialty", "FM",
    )  # fmt: skip
    assert code == 2
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["person"] for x in lines] == ["ann", "bob", "cy", "di", None]
    assert lines[0]["as_of"] == "2025-06-01" and lines[0]["specialty"] == "FM"
    assert lines[1]["as_of"] == "2025-02-01"
    assert lines[3]["specialty"] == "HR"
    additional = lines[3]["requirements"][5]
    assert (additional["id"], additional["counted_hours"]) == ("specialist_additional", 15.0)
    assert lines[2]["rejected"][0]["record"] == "6"
    assert lines[4]["error"].startswith("not valid JSON")
    assert f"{path}: line 3: person cy: record 6: unknown format 'podcast'" in err
    assert f"{path}: line 5: not valid JSON" in err


def test_batch_with_two_workers_keeps_the_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_batch, "SMALL_FILE_BYTES", 0)
    monkeypatch.setattr(workers, "CHUNK_BYTES", 700)
    people = [{"person": f"p{k}", "records": application_rows(60 + k)} for k in range(40)]
    path = tmp_path / "people.jsonl"
    path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in people))
    code, out, _ = run("audit", str(path), "--batch", "--program", "clm-application", "--as-of", "2025-06-01")
    assert code == 0
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["person"] for x in lines] == [f"p{k}" for k in range(40)]
    assert [x["complete"] for x in lines] == [k >= 60 for k in range(40)]


def test_batch_imports_neither_django_nor_scipy(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "people.jsonl", [{"person": "ann", "records": application_rows()}])
    script = textwrap.dedent(
        f"""
        import sys
        from certcredit.cli import main
        sys.argv = ["certcredit", "audit", {str(path)!r}, "--batch", "--program", "clm-recertification",
                    "--as-of", "2026-06-30", "--workers", "1"]
        try:
            main()
        except SystemExit:
            pass
        heavy = sorted(m for m in ("django", "scipy", "onnxruntime") if m in sys.modules)
        sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert "HEAVY=\n" in done.stderr, done.stderr
    assert json.loads(done.stdout)["person"] == "ann"


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:1
SUMMARY:Payroll law
DTSTART:20250301T090000
DTEND:20250301T120000
X-CERTCREDIT-SUBJECT-AREA:HR
END:VEVENT
BEGIN:VEVENT
UID:2
SUMMARY:Reception
DTSTART;VALUE=DATE:20250302
X-CERTCREDIT-SUBJECT-AREA:CM
END:VEVENT
END:VCALENDAR
"""


def test_an_ics_file_is_audited_and_an_event_without_duration_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "cal.ics"
    path.write_text(ICS.replace("\n", "\r\n"))
    code, out, err = run("audit", str(path), "--program", "clm-recertification", "--as-of", "2026-06-30", "-f", "json")
    assert code == 2
    data = json.loads(out)
    assert data["allocations"] == [{"record": "1", "requirement": "HR", "hours": 3.0}]
    assert data["rejected"] == [
        {"record": "2", "line": 2, "error": "no duration: give minutes or a time range", "unit": "event"}
    ]
    assert f"{path}: event 2: no duration" in err
