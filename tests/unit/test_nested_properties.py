"""The nested engine agrees with a brute-force reference (tests/unit/nested_reference.py) on random small people
of the three peer programs: ``complete`` and ``hours_needed`` always, and what it counts never breaks a maximum."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certcredit.engine.audit import audit
from certcredit.engine.records import EducationRecord
from certcredit.rules.load import load_program
from tests.unit.nested_reference import (
    PMI_HOME,
    PMI_TREE,
    SHRM_HOME,
    SHRM_TREE,
    Small,
    needed_texas,
    needed_tree,
)

PMI = load_program("pmi-pmp-renewal")
SHRM = load_program("shrm-recertification")
TX = load_program("tx-mcle")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def records_of(people: list[Small], day: dt.date) -> list[EducationRecord]:
    return [
        EducationRecord(
            f"r{i}", i, day, r.hours * 60, "self_study" if r.self_study else "in_person", activity=r.activity
        )
        for i, r in enumerate(people, start=1)
    ]


def smalls(
    activities: list[str], hours: st.SearchStrategy[int], size: int, self_study: bool = False
) -> st.SearchStrategy[list[Small]]:
    return st.lists(
        st.builds(Small, hours, st.sampled_from(activities), st.booleans() if self_study else st.just(False)),
        max_size=size,
    )


@SETTINGS
@given(smalls(list(PMI_HOME), st.integers(1, 30), 10))
def test_pmi_engine_agrees_with_brute_force(people: list[Small]) -> None:
    result = audit(PMI, records_of(people, dt.date(2025, 1, 15)), dt.date(2026, 6, 30))
    expected = needed_tree(PMI_TREE, PMI_HOME, people)
    assert result.hours_needed == expected and result.complete == (expected == 0)
    counted = {s.id: s.counted_hours for s in result.requirements}
    assert counted["giving_back"] <= 25 and counted["work_as_practitioner"] <= 8


@SETTINGS
@given(smalls(list(SHRM_HOME), st.integers(1, 40), 10))
def test_shrm_engine_agrees_with_brute_force(people: list[Small]) -> None:
    result = audit(SHRM, records_of(people, dt.date(2024, 1, 15)), dt.date(2025, 12, 31))
    expected = needed_tree(SHRM_TREE, SHRM_HOME, people)
    assert result.hours_needed == expected and result.complete == (expected == 0)
    counted = {s.id: s.counted_hours for s in result.requirements}
    assert counted["profession"] <= 30 and counted["presentation"] <= 20 and counted["blog_post"] <= 6


@SETTINGS
@given(smalls(["general", "ethics"], st.integers(1, 5), 5, self_study=True))
def test_texas_engine_agrees_with_brute_force(people: list[Small]) -> None:
    result = audit(TX, records_of(people, dt.date(2025, 9, 1)), dt.date(2026, 5, 31))
    expected = needed_texas(people)
    assert result.hours_needed == expected and result.complete == (expected == 0)
    self_study_ids = _self_study_ids(people)
    assert sum(a.hours for a in result.allocations if a.record in self_study_ids) <= 3


def _self_study_ids(people: list[Small]) -> set[str]:
    return {f"r{i}" for i, r in enumerate(people, start=1) if r.self_study}


AREAS = ("HR", "FM", "OM", "LI", "CM")
FORMATS = ("in_person", "live_online", "recorded", "self_study", "teaching")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(AREAS),
            st.sampled_from([None, "business_ethics", "substance_abuse"]),
            st.sampled_from(FORMATS),
            st.sampled_from([60, 90, 120, 180, 240, 300]),
        ),
        max_size=14,
    )
)
def test_the_nested_integer_program_agrees_with_the_fast_clm_allocator(
    rows: list[tuple[str, str | None, str, int]],
) -> None:
    # The same CLM recertification problem through both allocators: the tree view (every bucket at the top, the
    # total at the root) must give the fast allocator's hours needed.
    from certcredit.engine.allocate import allocate
    from certcredit.engine.audit import choose_version, sort_for_audit
    from certcredit.engine.nested import NestedItem, allocate_nested
    from certcredit.engine.prepared import prepare

    program = load_program("clm-recertification")
    end = dt.date(2026, 6, 30)
    records = [
        EducationRecord(
            f"r{i}", i, dt.date(2025, 1, 1) + dt.timedelta(days=i), m, f, subject_area=a, topic=t, title=f"t{i}"
        )
        for i, (a, t, f, m) in enumerate(rows, start=1)
    ]
    book = choose_version(program, end)
    prepared = prepare(book, None)
    sorted_records = sort_for_audit(prepared, records, end)
    fast = allocate(prepared.problem, sorted_records.items)
    nested_items = [
        NestedItem(key, ticks, options or (-1,), record.format, 0)
        for key, (_, record, ticks, _, options, *_) in enumerate(sorted_records.items)
    ]
    tree = allocate_nested(book, nested_items, 1).allocation
    assert tree.needed == fast.needed
