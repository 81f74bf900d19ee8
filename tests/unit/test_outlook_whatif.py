"""Hand-computed cases for ageing-out, cycle deadlines and what-if, in the engine and through the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from certcredit.cli import _register, app
from certcredit.engine.audit import audit
from certcredit.engine.outlook import ageing_out, deadline, outlook
from certcredit.engine.records import EducationRecord
from certcredit.engine.whatif import what_if
from certcredit.rules.load import load_program

D = dt.date
APPLICATION = load_program("clm-application")
RECERT = load_program("clm-recertification")
PMI = load_program("pmi-pmp-renewal")
_register()
CATS = ("writing", "communication", "self_management", "information_technology", "organizational_development")


def application_records(first: dt.date) -> list[EducationRecord]:
    """Two hours in each category; the writing record dated ``first``, the others in 2025."""
    records = [EducationRecord("w", 1, first, 120, category="writing")]
    for position, category in enumerate(CATS[1:], start=2):
        records.append(EducationRecord(category[:3], position, D(2025, position, 1), 120, category=category))
    return records


def test_a_record_leaving_within_90_days_is_listed_with_the_day_completeness_ends() -> None:
    # The 24-month window is inclusive: a record of 2024-07-10 still counts for an application on 2026-07-10 and
    # is gone on 2026-07-11, within 90 days of 2026-06-01 (to 2026-08-30); writing is then 2 hours short.
    records = application_records(D(2024, 7, 10))
    result = audit(APPLICATION, records, D(2026, 6, 1))
    view = ageing_out(APPLICATION, records, result)
    assert view.until == D(2026, 8, 30)
    assert [(r.record, r.last_day, r.hours) for r in view.leaving] == [("w", D(2026, 7, 10), 2.0)]
    assert not view.complete_then and view.hours_needed_then == 2.0
    assert view.incomplete_from == D(2026, 7, 11) == result.apply_by + dt.timedelta(days=1)  # type: ignore[operator]


def test_a_record_leaving_after_the_horizon_is_not_listed() -> None:
    # Dated 2024-09-01: it counts until 2026-09-01, after 2026-08-30.
    records = application_records(D(2024, 9, 1))
    view = ageing_out(APPLICATION, records, audit(APPLICATION, records, D(2026, 6, 1)))
    assert view.leaving == () and view.complete_then and view.incomplete_from is None


def test_a_cycle_deadline_gives_days_left_and_hours_a_month_against_the_pace() -> None:
    # Cycle ending 2026-06-30 (from 2023-07-01). Today 2026-01-15: 166 days left = 5.45 months (365.25/12 days).
    # Counted to date 24 hours in all over 928 days (30.49 months): pace 0.79 h a month. 36 - 24 = 12 needed:
    # 12 / 5.4538 = 2.20 h a month, so behind pace (0.79 * 5.45 = 4.3 < 12).
    records = [
        EducationRecord(f"r{i}", i, D(2024, 1, i), 240, subject_area=a)
        for i, a in enumerate(["HR", "FM", "OM", "LI", "CM", "HR"], 1)
    ]
    result = audit(RECERT, records, D(2026, 6, 30))
    view = deadline(records, result, D(2026, 1, 15))
    assert view.days_left == 166 and view.months_left == 5.45
    assert result.hours_needed == 12 and view.hours_needed_per_month == 2.2
    assert view.counted_so_far == 24 and view.pace_hours_per_month == 0.79 and not view.on_pace


def test_records_dated_after_today_do_not_count_toward_the_pace() -> None:
    records = [
        EducationRecord("a", 1, D(2024, 1, 1), 600, subject_area="HR"),
        EducationRecord("b", 2, D(2026, 3, 1), 600, subject_area="FM"),
    ]
    result = audit(RECERT, records, D(2026, 6, 30))
    view = deadline(records, result, D(2026, 1, 15))
    assert view.counted_so_far == 10


def test_the_outlook_picks_ageing_out_for_rolling_and_the_deadline_for_cycles() -> None:
    records = application_records(D(2024, 7, 10))
    rolling = outlook(APPLICATION, records, audit(APPLICATION, records, D(2026, 6, 1)), D(2026, 6, 1))
    assert rolling.ageing_out is not None and rolling.deadline is None
    cycle = outlook(RECERT, [], audit(RECERT, [], D(2026, 6, 30)), D(2026, 7, 1))
    assert (
        cycle.deadline is not None and cycle.deadline.days_left == 0 and cycle.deadline.hours_needed_per_month is None
    )


def test_what_if_shows_where_each_planned_session_counts_and_the_new_verdict() -> None:
    # PMI: Education 10/10/10 and Giving Back 25: 55, Education 5 short. Planned: 5 Business Acumen (counts 5 and
    # completes it) and a Giving Back session (the group is full: capped, counts nowhere).
    records = [
        EducationRecord("w", 1, D(2024, 1, 1), 600, activity="ways_of_working"),
        EducationRecord("p", 2, D(2024, 1, 2), 600, activity="power_skills"),
        EducationRecord("b", 3, D(2024, 1, 3), 600, activity="business_acumen"),
        EducationRecord("g", 4, D(2024, 1, 4), 1500, activity="giving_back"),
    ]
    today = audit(PMI, records, D(2026, 6, 30))
    planned = [
        EducationRecord("b", 1, D(2026, 3, 1), 300, activity="business_acumen"),
        EducationRecord("x", 2, D(2026, 3, 2), 120, activity="giving_back"),
    ]
    view = what_if(PMI, today, records, planned)
    assert today.hours_needed == 5 and view.result.complete and view.hours_gained == 5
    uses = {u.record: (u.counts_for, u.reason) for u in view.planned}
    assert uses["planned-b"] == ((("business_acumen", 5.0),), None)  # its id repeated a record's: prefixed
    assert uses["x"] == ((), "capped")


def write_json(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def test_audit_with_planned_sessions_keeps_spec_keys_and_adds_outlook_and_what_if(tmp_path: Path) -> None:
    mine = write_json(
        tmp_path / "mine.json", [{"id": "a", "date": "2025-01-10", "minutes": 120, "category": "writing"}]
    )
    plan = tmp_path / "plan.csv"
    plan.write_text("id,date,minutes,category\np1,2026-02-01,120,communication\np2,2026-02-02,30,writing\n")
    runner = CliRunner()
    args = ["audit", str(mine), "-p", "clm-application", "--as-of", "2026-03-01", "--with", str(plan)]
    out = runner.invoke(app, [*args, "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["hours_needed"] == 8.0 and data["complete"] is False  # today: four categories of 2 hours missing
    assert list(data)[:10] == [
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
    what = data["what_if"]
    assert what["hours_needed"] == 6.0 and what["hours_gained"] == 2.0 and not what["complete"]
    assert what["planned"][0]["counts_for"] == [{"requirement": "communication", "hours": 2.0}]
    assert what["planned"][1]["reason"] == "shorter than 60 minutes"
    assert data["outlook"]["ageing_out"]["leaving"] == []
    table = runner.invoke(app, [*args, "--today", "2026-01-01"])
    assert "p1 (2026-02-01): communication 2.00 h" in table.stdout
    assert "today: 8.00 h needed; with the plan: NOT COMPLETE: 6.00 h needed" in table.stdout
    assert "ageing out (to 2026-05-30):" in table.stdout


def test_with_is_refused_in_batch(tmp_path: Path) -> None:
    people = tmp_path / "people.jsonl"
    people.write_text('{"person": "a", "records": []}\n')
    out = CliRunner().invoke(app, ["audit", str(people), "--batch", "-p", "clm-recertification", "--with", str(people)])
    assert out.exit_code == 2 and "--with is for one person's audit" in out.output
