"""The apply-by search (bisection where completeness can only be lost as the days go by, else latest first)
gives the same date as trying every candidate date latest first, the search it replaced; the outlook's first
incomplete day likewise agrees with trying each day in turn."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certcredit.engine.audit import apply_by, audit, is_complete
from certcredit.engine.outlook import ageing_out, change_points
from certcredit.engine.records import EducationRecord
from certcredit.engine.versions import choose_version
from certcredit.engine.windows import ONE_DAY, last_day_in_window
from certcredit.rules.compiled import CompiledProgram
from certcredit.rules.load import load_program

APPLICATION = load_program("clm-application")
SPECIALIST = load_program("clm-application-specialist")
CATEGORIES = ["writing", "communication", "self_management", "information_technology", "organizational_development"]


def latest_first(
    program: CompiledProgram, records: list[EducationRecord], as_of: dt.date, specialty: str | None
) -> dt.date | None:
    """The search as it was: every date where completeness may change, tried from the latest."""
    if not is_complete(program, records, as_of, specialty):
        return None
    book = choose_version(program, as_of)
    mine = [r for r in records if r.date <= as_of]
    candidates = {last_day_in_window(r.date, book.window_months, book.window_start_inclusive) for r in mine}
    candidates |= {v.effective_from - ONE_DAY for v in program.versions}
    for day in sorted((d for d in candidates if d > as_of), reverse=True):
        if is_complete(program, mine, day, specialty):
            return day
    return as_of


def with_second_version(program: CompiledProgram, starts: dt.date, scale: float) -> CompiledProgram:
    """The program with a later version whose buckets need ``scale`` times as much (rounded to whole ticks)."""
    first = program.versions[0]
    buckets = tuple(dataclasses.replace(b, required=max(1, round(b.required * scale))) for b in first.buckets)
    later = dataclasses.replace(first, effective_from=starts, buckets=buckets)
    return dataclasses.replace(program, versions=(first, later))


TITLES = st.sampled_from(["", "", "", "Leading Teams", "leading  teams", "Budgets 101"])
RECORD = st.tuples(
    st.integers(0, 3 * 365),
    st.sampled_from([45, 60, 60, 90, 120, 120, 180, 240, 480]),
    st.sampled_from(["in_person", "in_person", "live_online", "recorded", "self_study", "teaching"]),
    st.sampled_from([None, *CATEGORIES, *CATEGORIES]),
    st.sampled_from([None, None, "HR", "FM", "OM", "LI", "CM"]),
    TITLES,
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[CompiledProgram, list[EducationRecord], dt.date, str | None]:
    as_of = dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 900)))
    specialty = draw(st.sampled_from([None, None, "HR", "FM"]))
    program = SPECIALIST if specialty else APPLICATION
    if draw(st.booleans()):
        program = with_repeats(program)
    if draw(st.booleans()):
        starts = as_of + dt.timedelta(days=draw(st.integers(-30, 800)))
        program = with_second_version(program, starts, draw(st.sampled_from([0.5, 1.0, 2.0])))
    records = [
        EducationRecord(f"r{n}", n, as_of - dt.timedelta(days=back), minutes, fmt, category, area, None, title)
        for n, (back, minutes, fmt, category, area, title) in enumerate(draw(st.lists(RECORD, max_size=40)), 1)
    ]
    # enough in every category that most people are complete and the apply-by date matters
    for k, category in enumerate(CATEGORIES * draw(st.integers(1, 3))):
        back, minutes = draw(st.integers(0, 2 * 365)), draw(st.sampled_from([120, 240, 600]))
        day = as_of - dt.timedelta(days=back)
        records.append(EducationRecord(f"f{k}", len(records) + 1, day, minutes, category=category))
    return program, records, as_of, specialty


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_apply_by_search_finds_the_date_the_latest_first_search_found(
    case: tuple[CompiledProgram, list[EducationRecord], dt.date, str | None],
) -> None:
    program, records, as_of, specialty = case
    assert apply_by(program, records, as_of, specialty) == latest_first(program, records, as_of, specialty)


def first_incomplete(program: CompiledProgram, records: list[EducationRecord], as_of: dt.date, specialty: str | None):
    """The outlook's first day on which a complete person is no longer, as it was found: each day in turn."""
    mine = [r for r in records if r.date <= as_of]
    for day in change_points(program, mine, as_of, as_of + dt.timedelta(days=90)):
        if not is_complete(program, mine, day, specialty):
            return day
    return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_outlook_finds_the_first_incomplete_day_that_trying_each_day_found(
    case: tuple[CompiledProgram, list[EducationRecord], dt.date, str | None],
) -> None:
    program, records, as_of, specialty = case
    result = audit(program, records, as_of, specialty)
    expected = first_incomplete(program, records, as_of, specialty) if result.complete else None
    assert ageing_out(program, records, result).incomplete_from == expected


def with_repeats(program: CompiledProgram) -> CompiledProgram:
    """The program with in-person courses counted once (a repeat is unused while the first is in the window)."""
    versions = tuple(dataclasses.replace(v, repeat_formats=frozenset({"in_person"})) for v in program.versions)
    return dataclasses.replace(program, versions=versions)


def test_a_repeat_that_counts_once_its_first_leaves_the_window_is_found_by_trying_the_latest_date_first() -> None:
    # complete on the application date; incomplete once "w" leaves the window (writing: 1 h from t1, its repeat
    # t2 unused); complete again once t1 leaves too and t2 counts: a bisection would stop at the first loss
    program, day = with_repeats(APPLICATION), dt.date
    records = [EducationRecord(c[:3], i, day(2025, 5, 1), 600, category=c) for i, c in enumerate(CATEGORIES[1:], 1)]
    records += [
        EducationRecord("w", 9, day(2023, 7, 15), 600, category="writing"),
        EducationRecord("t1", 10, day(2023, 9, 1), 60, "in_person", "writing", title="Leading Teams"),
        EducationRecord("t2", 11, day(2024, 1, 1), 600, "in_person", "writing", title="leading  teams"),
    ]
    as_of = day(2025, 6, 1)
    assert not is_complete(program, records, day(2025, 8, 1), None)
    assert apply_by(program, records, as_of, None) == latest_first(program, records, as_of, None) == day(2026, 1, 1)
