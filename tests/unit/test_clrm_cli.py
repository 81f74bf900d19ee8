"""``certcredit audit FILE --program clrm``: the SPEC object, the candidate's table, and rejected events."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from certcredit.cli import _register, app

ACADEMIES = [
    {"date": "2025-01-10", "type": "academy_completed", "academy": "foundation"},
    {"date": "2025-03-10", "type": "academy_completed", "academy": "arbitration"},
    {"date": "2025-05-12", "type": "academy_completed", "academy": "negotiations"},
]


def run(*args: str) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, events: list[dict[str, str]], name: str = "events.json") -> Path:
    path = tmp_path / name
    if name.endswith(".jsonl"):
        path.write_text("".join(json.dumps(e) + "\n" for e in events))
    else:
        path.write_text(json.dumps(events))
    return path


def test_an_empty_event_list_means_every_academy_is_missing(tmp_path: Path) -> None:
    code, out, _ = run("audit", str(write(tmp_path, [])), "--program", "clrm", "--as-of", "2026-01-01", "-f", "json")
    result = json.loads(out)
    assert code == 0
    assert result["status"] == "academies_incomplete"
    assert result["missing_academies"] == ["foundation", "negotiations", "arbitration"]
    assert result["completion_date"] is None and result["paper_deadline"] is None
    assert result["complete"] is False


def test_three_academies_in_any_order_start_the_one_year_paper_clock(tmp_path: Path) -> None:
    path = write(tmp_path, ACADEMIES, "events.jsonl")
    code, out, _ = run("audit", str(path), "--program", "clrm", "--as-of", "2025-12-01", "--format", "json")
    result = json.loads(out)
    assert code == 0
    assert (result["status"], result["completion_date"], result["paper_deadline"]) == (
        "paper_due",
        "2025-05-12",
        "2026-05-12",
    )
    assert "2026-05-12" in result["next_steps"]


def test_an_accepted_timely_paper_certifies_the_candidate(tmp_path: Path) -> None:
    events = [
        *ACADEMIES,
        {"date": "2025-06-01", "type": "arbitrator_approved"},
        {"date": "2025-06-15", "type": "orientation_attended"},
        {"date": "2026-02-01", "type": "paper_submitted"},
        {"date": "2026-03-01", "type": "revision_requested"},
        {"date": "2026-06-20", "type": "paper_submitted"},
        {"date": "2026-07-01", "type": "paper_accepted"},
    ]
    code, out, _ = run(
        "audit", str(write(tmp_path, events)), "--program", "clrm", "--as-of", "2026-08-01", "-f", "json"
    )
    result = json.loads(out)
    assert code == 0
    assert result["status"] == "certified" and result["complete"] is True


def test_the_table_shows_each_academy_the_deadline_and_the_days_left(tmp_path: Path) -> None:
    code, out, _ = run("audit", str(write(tmp_path, ACADEMIES)), "--program", "clrm", "--as-of", "2026-05-02")
    assert code == 0
    assert "Status: paper due" in out
    assert "Foundation of Labor Relations" in out and "2025-01-10" in out
    assert "Paper deadline:            2026-05-12 (10 days left)" in out
    assert "Next steps:" in out


def test_an_unknown_academy_is_rejected_with_its_place_and_status_2(tmp_path: Path) -> None:
    events = [*ACADEMIES[:2], {"date": "2025-04-01", "type": "academy_completed", "academy": "mediation"}]
    code, out, err = run(
        "audit", str(write(tmp_path, events)), "--program", "clrm", "--as-of", "2026-01-01", "-f", "json"
    )
    result = json.loads(out)
    assert code == 2
    assert result["status"] == "academies_incomplete"
    assert [r["event"] for r in result["rejected"]] == ["3"]
    assert "item 3" in err and "mediation" in err


def test_a_line_that_is_not_json_is_rejected_and_the_rest_still_counts(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(ACADEMIES[0]) + "\n{not json\n" + json.dumps(ACADEMIES[1]) + "\n")
    code, out, err = run("audit", str(path), "--program", "clrm", "--as-of", "2026-01-01", "-f", "json")
    result = json.loads(out)
    assert code == 2
    assert result["missing_academies"] == ["negotiations"]
    assert result["rejected"][0]["event"] == "2" and "line 2" in err


def test_batch_is_refused_for_the_clrm_workflow(tmp_path: Path) -> None:
    code, _, err = run("audit", str(write(tmp_path, [])), "--program", "clrm", "--as-of", "2026-01-01", "--batch")
    assert code == 2
    assert "--batch" in err
