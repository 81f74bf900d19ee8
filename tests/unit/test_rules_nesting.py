"""The schema's extensions beyond CLM: yearly minimums (hand-computed), and validation that names file, path and
problem for nesting, activities, per-year and carry-over mistakes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from certcredit.engine.audit import audit
from certcredit.engine.records import EducationRecord
from certcredit.engine.report import audit_json, render_table
from certcredit.rules.load import RulebookError, load_program_file, validate_file

D = dt.date
H = 60

# A two-year program in the manner of an accountancy board: 80 hours with 20 in each year, and 40 technical hours
# with 12 in each year (the technical hours are part of the 80).
YEARLY = """\
id: yearly-demo
name: Yearly minimums
versions:
  - effective_from: 2000-01-01
    window: {kind: cycle, months: 24, start: exclusive}
    counting_formats: [in_person, self_study]
    activities: {technical: Technical, other: Non-technical}
    requirements:
      - {id: technical, name: Technical, min_hours: 40, per_year: 12, eligible: {activities: [technical]}}
    total: {min_hours: 80, per_year: 20, eligible: {activities: [other]}}
"""


def write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(RulebookError) as caught:
        validate_file(path)
    return caught.value.problems


def test_yearly_minimums_need_hours_dated_in_the_short_year(tmp_path: Path) -> None:
    # All 80 hours (technical) in the second year: the total and technical minimums are met, but the first year
    # has 0 of 20 in all and 0 of 12 technical. New hours dated in the first year: 12 technical (which also count
    # toward that year's 20) and 8 more: 20 needed.
    program = load_program_file(write(tmp_path, YEARLY))
    records = [EducationRecord("r1", 1, D(2025, 3, 1), 80 * H, activity="technical")]
    result = audit(program, records, D(2025, 12, 31))
    assert not result.complete and result.hours_needed == 20
    technical = next(s for s in result.requirements if s.id == "technical")
    assert technical.counted_hours == 80 and not technical.met
    lines = audit_json(result)["requirements"][0]["per_year"]
    assert [(y["from"], y["to"], y["counted_hours"], y["met"]) for y in lines] == [
        ("2023-12-31", "2024-12-31", 0.0, False),
        ("2024-12-31", "2025-12-31", 80.0, True),
    ]
    assert "✗ year to 2024-12-31: 0.00 of 12.00 h" in render_table(result)


def test_yearly_minimums_met_in_both_years_complete_the_program(tmp_path: Path) -> None:
    # Year 1 (2024): 12 technical + 8 other = 20; year 2 (2025): 28 technical + 32 other = 60; 80 in all.
    program = load_program_file(write(tmp_path, YEARLY))
    records = [
        EducationRecord("a", 1, D(2024, 12, 31), 12 * H, activity="technical"),  # a year's last day belongs to it
        EducationRecord("b", 2, D(2024, 2, 1), 8 * H, activity="other"),
        EducationRecord("c", 3, D(2025, 1, 1), 28 * H, activity="technical"),
        EducationRecord("d", 4, D(2025, 6, 1), 32 * H, activity="other"),
    ]
    result = audit(program, records, D(2025, 12, 31))
    assert result.complete and result.hours_needed == 0


def test_a_within_that_names_no_requirement_is_refused_with_its_path(tmp_path: Path) -> None:
    text = YEARLY.replace("per_year: 12, eligible", "per_year: 12, within: nowhere, eligible")
    path = write(tmp_path, text)
    (problem,) = problems(path)
    assert problem.startswith(f"{path}: versions[0]: ") and "requirements[0].within: unknown requirement" in problem


def test_a_requirement_cannot_end_up_within_itself(tmp_path: Path) -> None:
    text = YEARLY.replace(
        "      - {id: technical",
        "      - {id: a, name: A, min_hours: 1, within: b, eligible: {activities: [other]}}\n"
        "      - {id: b, name: B, min_hours: 1, within: a, eligible: {activities: [other]}}\n"
        "      - {id: technical",
    )
    (problem,) = problems(write(tmp_path, text))
    assert "ends up within itself" in problem


def test_an_activity_must_be_declared(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path, YEARLY.replace("activities: [other]", "activities: [others]")))
    assert "total.eligible.activities: activity 'others' is not declared in activities" in problem


def test_per_year_needs_a_window_of_whole_years(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path, YEARLY.replace("months: 24", "months: 18")))
    assert "per_year (technical, total) needs a window of whole years, not 18" in problem


def test_carry_over_needs_a_cycle_and_a_known_target(tmp_path: Path) -> None:
    rolling = YEARLY.replace("kind: cycle, months: 24, start: exclusive", "kind: rolling, months: 24, start: inclusive")
    rolling = rolling.replace("per_year: 12, ", "").replace("per_year: 20, ", "")
    (problem,) = problems(write(tmp_path, rolling + "    carry_over: {max_hours: 5, into: total}\n"))
    assert "carry_over: needs a cycle window" in problem
    (problem,) = problems(write(tmp_path, YEARLY + "    carry_over: {max_hours: 5, into: ethics}\n"))
    assert "carry_over.into: unknown requirement 'ethics'" in problem


def test_a_maximum_below_the_minimum_is_refused_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, YEARLY.replace("min_hours: 40, per_year: 12,", "min_hours: 40, max_hours: 30,"))
    (problem,) = problems(path)
    assert problem.startswith(f"{path}: versions[0].requirements[0]: max_hours 30.0 is below min_hours 40")


def test_a_group_with_nothing_within_it_is_refused(tmp_path: Path) -> None:
    text = YEARLY.replace(
        "      - {id: technical", "      - {id: empty, name: Empty, min_hours: 2}\n      - {id: technical"
    )
    (problem,) = problems(write(tmp_path, text))
    assert "empty has no eligible selector and nothing within it" in problem


def test_a_cap_within_an_unknown_requirement_is_refused(tmp_path: Path) -> None:
    text = YEARLY + "    caps:\n      - {id: ss, formats: [self_study], max_hours: 1, within: ghost}\n"
    (problem,) = problems(write(tmp_path, text))
    assert "caps[0].within: unknown requirement 'ghost'" in problem


def test_carry_over_first_cycle_grace_and_unit_are_checked(tmp_path: Path) -> None:
    flat = YEARLY.replace("per_year: 12, ", "").replace("per_year: 20, ", "")
    (problem,) = problems(write(tmp_path, flat + "    carry_over: {max_hours: 5, into: total, counts: kept}\n"))
    assert "carry_over.counts: Input should be 'earned' or 'credited'" in problem
    also = "    carry_over: {max_hours: 5, into: total, also: [{requirement: ethics, max_hours: 1}]}\n"
    (problem,) = problems(write(tmp_path, flat + also))
    assert "carry_over.also[0].requirement: unknown requirement 'ethics'" in problem
    too_much = "    carry_over: {max_hours: 5, into: total, also: [{requirement: technical, max_hours: 6}]}\n"
    (problem,) = problems(write(tmp_path, flat + too_much))
    assert "carry_over.also[0].max_hours: above the carry-over's 5" in problem
    (problem,) = problems(write(tmp_path, YEARLY + "    first_cycle: {max_months: 30}\n"))
    assert "first_cycle cannot be combined with per_year (technical, total)" in problem
    rolling = flat.replace("kind: cycle, months: 24, start: exclusive", "kind: rolling, months: 24, start: inclusive")
    (problem,) = problems(write(tmp_path, rolling + "    grace: {days: 60}\n"))
    assert "first_cycle and grace need a cycle window" in problem
    (problem,) = problems(write(tmp_path, flat.replace("versions:", "unit: {one: PDU, many: ''}\nversions:")))
    assert "unit.many: String should have at least 1 character" in problem
