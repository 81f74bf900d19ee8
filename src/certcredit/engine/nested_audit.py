"""The audit of a nested program (PMI, SHRM, a bar's CLE): its allocation with carried hours and grace-period
records, its requirement lines and details, and the audit object (``engine.audit.audit`` hands these over).

Kept apart from ``engine/audit.py`` so the CLM path (and the batch path built on it) stays as it was; the audit
imports this module only when the rule version in force has a ``nesting``. Carry-over lives in
``engine/carry.py``, first cycles and grace periods in ``engine/cycle_edges.py``, the names of limits in
``engine/limits.py``, a window's years in ``engine/years.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from certcredit.engine.allocate import Allocation
from certcredit.engine.carry import carry_in, carry_items
from certcredit.engine.cycle_edges import first_cycle_book, grace_counted, grace_items, sort_from
from certcredit.engine.limits import limit_names, limit_text
from certcredit.engine.nested import NestedItem, allocate_nested
from certcredit.engine.records import EducationRecord
from certcredit.engine.results import (
    CARRY_RECORD,
    Audit,
    CarryOver,
    NestedDetails,
    Placement,
    Rejected,
    RequirementStatus,
    Unused,
    YearStatus,
)
from certcredit.engine.sorting import AFTER_AS_OF, CAPPED, SortedRecords
from certcredit.engine.windows import window_start
from certcredit.engine.years import nested_items, year_bounds
from certcredit.rules.compiled import CompiledProgram, Rulebook


@dataclass(slots=True)
class NestedSolution:
    allocation: Allocation
    by_year: list[list[int]]
    years: list[tuple[dt.date, dt.date]]
    carry: CarryOver | None
    items: list[NestedItem] = dataclasses.field(default_factory=list)
    #: the records behind ``items`` (carried hours have none), then the grace records offered
    counting: list[EducationRecord] = dataclasses.field(default_factory=list)
    grace_until: dt.date | None = None


def solve_nested(
    program: CompiledProgram,
    book: Rulebook,
    records: Sequence[EducationRecord],
    sorted_records: SortedRecords,
    as_of: dt.date,
    specialty: str | None,
    first_cycle: bool = False,
) -> NestedSolution:
    """The exact allocation of a nested program: the window's records, then any carried-over hours (their keys
    follow the last counting record; the audit names them ``carry-over``), then any records of the grace period
    (which count only where the cycle needs them). Records the previous cycle counted in its grace period are
    taken out first (``sorted_records.unused`` says why)."""
    nesting = book.nesting
    assert nesting is not None
    carry = carry_in(program, book, records, as_of, specialty, first_cycle)
    if carry.grace_used:  # what the cycle before counted of a record in its grace period is spent
        previous_end = window_start(as_of, book.window_months)
        kept = []
        for item in sorted_records.items:
            record = item[1]
            left = item[2] - carry.grace_used.get(record.position, 0)
            if left <= 0:
                sorted_records.unused[record.position] = grace_counted(previous_end)
            else:
                kept.append((*item[:2], left, *item[3:]))
        sorted_records.items = kept
    bounds = year_bounds(book, as_of)
    items = nested_items(sorted_records, bounds)
    items += carry_items(carry, len(items))
    counting = list(sorted_records.counting)
    grace, late, until = grace_items(book, records, as_of, specialty, len(items), len(bounds) - 1, len(items))
    result = allocate_nested(book, items + grace, len(bounds))
    return NestedSolution(
        result.allocation,
        result.by_year,
        bounds,
        carry.info,
        items + grace,
        counting + late,
        until,
    )


def nested_statuses(book: Rulebook, solution: NestedSolution) -> tuple[list[RequirementStatus], NestedDetails]:
    """SPEC.md's requirement lines for a nested program (a node counts everything within it), and the details:
    maxima, what is within what, the yearly lines and the carry-over."""
    nesting = book.nesting
    assert nesting is not None
    hours = book.hours
    allocation = solution.allocation
    total = book.total
    total_id = total.id if total is not None else "total"
    per_year: dict[str, tuple[YearStatus, ...]] = {}

    def years_of(node: int, wanted: int | None) -> bool:
        """Record a node's yearly lines; True when every year is met."""
        if not wanted:
            return True
        lines = tuple(
            YearStatus(start, end, hours(wanted), hours(solution.by_year[node][k]), solution.by_year[node][k] >= wanted)
            for k, (start, end) in enumerate(solution.years)
        )
        ident = book.buckets[node].id if node < len(book.buckets) else total_id
        per_year[ident] = lines
        return all(line.met for line in lines)

    statuses = []

    def status(ident: str, name: str, required: int, have: int, yearly_met: bool) -> RequirementStatus:
        """A requirement is met when its hours are and, where it has one, every year's minimum is."""
        met = have >= required and yearly_met
        return RequirementStatus(ident, name, hours(required), hours(have), met, hours(max(0, required - have)))

    for i, b in enumerate(book.buckets):
        met_yearly = years_of(i, nesting.per_year[i])
        statuses.append(status(b.id, b.name, b.required, allocation.counted[i], met_yearly))
    if total is not None:
        met_yearly = years_of(len(book.buckets), nesting.total_per_year)
        statuses.append(status(total.id, total.name, total.required, allocation.total_counted, met_yearly))
    maxima = {b.id: hours(m) for b, m in zip(book.buckets, nesting.maxima, strict=True) if m is not None}
    within = {
        b.id: (book.buckets[p].id if p >= 0 else total_id)
        for b, p in zip(book.buckets, nesting.parents, strict=True)
        if p >= 0
    }
    limits = frozenset(b.id for b, y in zip(book.buckets, nesting.per_year, strict=True) if b.required <= 0 and not y)
    return statuses, NestedDetails(maxima, within, per_year, solution.carry, limit_only=limits, unit=nesting.unit)


def audit_nested(
    program: CompiledProgram,
    book: Rulebook,
    records: Sequence[EducationRecord],
    as_of: dt.date,
    specialty: str | None,
    rejected: Sequence[Rejected],
    cycle_start: dt.date | None = None,
) -> Audit:
    """The audit object of a nested program (``engine.audit.audit`` hands these over)."""
    first_day = None
    if cycle_start is not None:
        book, first_day = first_cycle_book(book, as_of, cycle_start)
    sorted_records = sort_from(book, records, as_of, specialty, first_day)
    solution = solve_nested(program, book, records, sorted_records, as_of, specialty, first_cycle=first_day is not None)
    statuses, nested = nested_statuses(book, solution)
    allocation = solution.allocation
    hours = book.hours
    total_id = book.total.id if book.total is not None else "total"
    bucket_ids = [b.id for b in book.buckets]
    exact = book.step_minutes == 1 or book.rounding == "none"
    regular = len(sorted_records.counting)
    carried = len(solution.items) - (len(solution.counting) - regular)  # keys from here on are grace records
    items = {item.key: item for item in solution.items}
    cut = limit_names(book, solution.items, solution.allocation)
    placements: list[Placement] = []
    placed: set[int] = set()
    grace_used: list[str] = []
    capped_by: dict[str, tuple[str, ...]] = {}
    unused = sorted_records.unused
    for key, bucket, ticks in allocation.parts:
        where = bucket_ids[bucket] if bucket >= 0 else total_id
        if regular <= key < carried:
            placements.append(Placement(CARRY_RECORD, where, hours(ticks), hours(ticks)))
            continue
        record = solution.counting[key if key < regular else key - (carried - regular)]
        placed.add(key)
        full = items[key].ticks if not exact else record.minutes
        placements.append(Placement(record.id, where, hours(ticks), hours(full)))
        if key >= carried:
            grace_used.append(record.id)
            unused.pop(record.position, None)
        if key in cut:
            capped_by[record.id] = cut[key]
    for key in range(regular):
        if key not in placed:
            record = solution.counting[key]
            unused[record.position] = CAPPED
            if key in cut:
                capped_by[record.id] = cut[key]
    for key in range(carried, len(solution.items)):
        if key not in placed:
            unused[solution.counting[key - (carried - regular)].position] = AFTER_AS_OF
    id_of = {r.position: r.id for r in records}
    unused_list = tuple(Unused(id_of[pos], unused[pos]) for pos in sorted(unused))
    nested = dataclasses.replace(
        nested,
        capped_by=capped_by,
        limit_texts={name: limit_text(book, name) for names in capped_by.values() for name in names},
        grace_until=solution.grace_until,
        grace_records=tuple(grace_used),
        first_cycle_start=cycle_start,
    )
    window_from = window_start(as_of, book.window_months) if first_day is None else first_day
    return Audit(
        program=program.id,
        as_of=as_of,
        rules_version=book.label,
        specialty=specialty,
        window_from=window_from,
        window_from_inclusive=book.window_start_inclusive if first_day is None else True,
        complete=allocation.needed == 0,
        hours_needed=hours(allocation.needed),
        apply_by=None,
        requirements=tuple(statuses),
        allocations=tuple(placements),
        unused=unused_list,
        rejected=tuple(rejected),
        method=allocation.method,
        nested=nested,
    )
