"""The incremental ageing-out outlook against the day-by-day search it replaces, on random people.

``ageing_out`` audits only the days on which the window's records or the rule version change (the change points);
the reference here audits every day of the horizon with the full ``audit``. Both must give the same verdict on the
horizon's last day, the same hours needed then, and the same first day on which a complete person no longer is.
Programs: the shipped CLM application (24 months, inclusive) and two rulebooks made from it with a second version
part-way (a 12-month window with an exclusive start), one anchored on the as-of date, one on the window's start.
"""

from __future__ import annotations

import copy
import datetime as dt
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certcredit.engine.audit import audit, choose_version
from certcredit.engine.outlook import ageing_out, change_points
from certcredit.engine.records import EducationRecord
from certcredit.rules.compiled import CompiledProgram
from certcredit.rules.load import PROGRAMS_DIR, compile_program, load_program, parse_program

SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
D = dt.date
ONE_DAY = dt.timedelta(days=1)
CATS = ["writing", "communication", "self_management", "information_technology", "organizational_development"]
SWITCH = D(2026, 7, 1)


def _two_versions(anchor: str) -> CompiledProgram:
    data = yaml.safe_load((PROGRAMS_DIR / "clm-application.yaml").read_text(encoding="utf-8"))
    later = copy.deepcopy(data["versions"][0])
    later["effective_from"] = SWITCH
    later["window"] = {"kind": "rolling", "months": 12, "start": "exclusive"}
    data["versions"].append(later)
    data["id"] = "two-versions-" + anchor.replace("_", "-")
    data["version_anchor"] = anchor
    return compile_program(parse_program(data, data["id"]))


PROGRAMS = [load_program("clm-application"), _two_versions("as_of"), _two_versions("window_start")]


def day_by_day(
    program: CompiledProgram, records: list[EducationRecord], as_of: dt.date, horizon: int
) -> tuple[object, ...]:
    """The old way, one full audit per day: (complete then, hours needed then, first incomplete day)."""
    mine = [r for r in records if r.date <= as_of]
    until = as_of + dt.timedelta(days=horizon)
    first = None
    if audit(program, records, as_of).complete:
        day = as_of + ONE_DAY
        while day <= until:
            if not audit(program, mine, day).complete:
                first = day
                break
            day += ONE_DAY
    later = audit(program, mine, until)
    return later.complete, later.hours_needed, first


@st.composite
def people(draw: st.DrawFn) -> tuple[CompiledProgram, list[EducationRecord], dt.date, int]:
    program = draw(st.sampled_from(PROGRAMS))
    as_of = draw(st.dates(D(2026, 3, 1), D(2026, 9, 30)))
    count = draw(st.integers(0, 18))
    records = []
    for position in range(1, count + 1):
        # most records bunch where they leave the window soon (12 and 24 months back), so the horizon sees changes
        back = draw(st.one_of(st.integers(330, 420), st.integers(690, 790), st.integers(0, 800)))
        records.append(
            EducationRecord(
                f"r{position}",
                position,
                as_of - dt.timedelta(days=back) + dt.timedelta(days=draw(st.sampled_from([0, 0, 0, 3]))),
                draw(st.sampled_from([30, 60, 90, 120, 120, 240])),
                format=draw(st.sampled_from(["in_person"] * 4 + ["self_study", "recorded", "teaching"])),
                category=draw(st.sampled_from([*CATS, *CATS, None])),
            )
        )
    horizon = draw(st.sampled_from([90, 90, 30, 120]))
    return program, records, as_of, horizon


@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people())
def test_the_incremental_outlook_agrees_with_the_day_by_day_search(
    case: tuple[CompiledProgram, list[EducationRecord], dt.date, int],
) -> None:
    program, records, as_of, horizon = case
    view = ageing_out(program, records, audit(program, records, as_of), horizon)
    assert (view.complete_then, view.hours_needed_then, view.incomplete_from) == day_by_day(
        program, records, as_of, horizon
    )


@settings(max_examples=200 * SCALE, deadline=None)
@given(people())
def test_between_two_change_points_the_audit_does_not_change(
    case: tuple[CompiledProgram, list[EducationRecord], dt.date, int],
) -> None:
    program, records, as_of, horizon = case
    mine = [r for r in records if r.date <= as_of]  # the outlook's records: none is added later
    until = as_of + dt.timedelta(days=horizon)
    points = set(change_points(program, mine, as_of, until))
    day, before = as_of + ONE_DAY, audit(program, mine, as_of)
    while day <= until:
        now = audit(program, mine, day)
        if day not in points:
            assert (now.rules_version, now.complete, now.hours_needed, now.allocations) == (
                before.rules_version,
                before.complete,
                before.hours_needed,
                before.allocations,
            ), day
        day, before = day + ONE_DAY, now


def test_a_new_version_taking_over_within_the_horizon_is_a_change_point() -> None:
    # From 2026-07-01 the window is 12 months: records of 2025-03 leave on the switch, not 24 months later (the
    # search over the days counted records leave, under the as-of date's version, found no such day).
    program = PROGRAMS[1]
    records = [EducationRecord(c[:3], i, D(2025, 3, 1), 120, category=c) for i, c in enumerate(CATS, 1)]
    result = audit(program, records, D(2026, 6, 1))
    assert result.complete and choose_version(program, SWITCH).window_months == 12
    assert change_points(program, records, D(2026, 6, 1), D(2026, 8, 30)) == [SWITCH]
    assert ageing_out(program, records, result).incomplete_from == SWITCH
