"""A person's audit against a program: which records count, where each goes, what is still needed, and until when.

The steps, each a pure function: pick the rule version in force (``engine.versions``), prepare it for the
person's specialty (``engine.prepared``), sort each record into counting or unused with the reason
(``engine.sorting``), allocate exactly (``engine.allocate``, or ``engine.nested`` for nested programs), then
report (``engine.results``); for programs with an apply-by date, find the last application date on which the same
records still complete the program. The batch's fast lane (``engine.bulk``) runs the same steps and only writes
its output differently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from certcredit.engine.allocate import Allocation, allocate
from certcredit.engine.prepared import PreparedRulebook, prepare
from certcredit.engine.records import EducationRecord, RecordError, record_from_row, record_id
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
from certcredit.engine.sorting import (
    AFTER_AS_OF,
    CAPPED,
    NO_CREDIT,
    NO_REQUIREMENT,
    OUTSIDE_WINDOW,
    format_does_not_count,
    repeat_of,
    same_course_key,
    shorter_than,
    sort_for_audit,
    unknown_activity,
)
from certcredit.engine.versions import choose_version
from certcredit.engine.windows import ONE_DAY, last_day_in_window, window_start
from certcredit.rules.compiled import CompiledProgram

# What callers know this module by (the pieces live in the modules named above).
__all__ = [
    "AFTER_AS_OF",
    "CAPPED",
    "CARRY_RECORD",
    "NO_CREDIT",
    "NO_REQUIREMENT",
    "OUTSIDE_WINDOW",
    "Audit",
    "CarryOver",
    "NestedDetails",
    "Placement",
    "Rejected",
    "RequirementStatus",
    "Unused",
    "YearStatus",
    "apply_by",
    "audit",
    "choose_version",
    "format_does_not_count",
    "is_complete",
    "records_from_items",
    "repeat_of",
    "same_course_key",
    "shorter_than",
    "sort_for_audit",
    "unknown_activity",
]


def _solve(
    program: CompiledProgram,
    records: Sequence[EducationRecord],
    as_of: dt.date,
    specialty: str | None,
    goal: int | None = None,
) -> Allocation:
    book = choose_version(program, as_of)
    prepared = prepare(book, specialty)
    sorted_records = sort_for_audit(prepared, records, as_of)
    if book.nesting is not None:
        from certcredit.engine.nested_audit import solve_nested

        return solve_nested(program, book, records, sorted_records, as_of, specialty).allocation
    return allocate(prepared.problem, sorted_records.items, goal)


def is_complete(
    program: CompiledProgram, records: Sequence[EducationRecord], as_of: dt.date, specialty: str | None
) -> bool:
    return _solve(program, records, as_of, specialty, goal=0).needed == 0


def apply_by(
    program: CompiledProgram, records: Sequence[EducationRecord], as_of: dt.date, specialty: str | None
) -> dt.date | None:
    """The last application date on or after ``as_of`` on which the records dated up to ``as_of`` complete it.

    Completeness changes only where a record leaves the window (the day after its last day in it) or where a
    new rule version takes effect, so only those dates are tried, latest first.
    """
    if not is_complete(program, records, as_of, specialty):
        return None
    book = choose_version(program, as_of)
    mine = [r for r in records if r.date <= as_of]
    inclusive = book.window_start_inclusive
    candidates = {last_day_in_window(r.date, book.window_months, inclusive) for r in mine}
    candidates |= {v.effective_from - ONE_DAY for v in program.versions}
    ordered = sorted(d for d in candidates if d > as_of)
    for day in reversed(ordered):
        if is_complete(program, mine, day, specialty):
            return day
    return as_of


def audit(
    program: CompiledProgram,
    records: Sequence[EducationRecord],
    as_of: dt.date,
    specialty: str | None = None,
    rejected: Sequence[Rejected] = (),
    cycle_start: dt.date | None = None,
) -> Audit:
    """The audit object of SPEC.md for one person (``specialty`` is resolved through the rulebook's aliases).

    ``cycle_start``: the day the person's first cycle began, for programs whose rules say how a first cycle differs
    (engine/cycle_edges.py); an error for any other."""
    book = choose_version(program, as_of)
    specialty = book.resolve_specialty(specialty)
    if book.nesting is not None:
        from certcredit.engine.nested_audit import audit_nested

        found = audit_nested(program, book, records, as_of, specialty, rejected, cycle_start)
        if found.complete and program.apply_by and cycle_start is None:
            return replace(found, apply_by=apply_by(program, records, as_of, specialty))
        return found
    if cycle_start is not None:
        raise ValueError(f"program {program.id} has no first-cycle rule: leave out the cycle start")
    prepared = prepare(book, specialty)
    sorted_records = sort_for_audit(prepared, records, as_of)
    allocation = allocate(prepared.problem, sorted_records.items)
    statuses = _statuses(prepared, allocation)
    hours = prepared.hours
    total = book.total
    items = sorted_records.items
    unused = sorted_records.unused
    total_id = total.id if total is not None else "total"
    bucket_ids = [b.id for b in book.buckets]
    placements: list[Placement] = []
    placed = [False] * len(items)
    for key, bucket, ticks in allocation.parts:  # parts follow ``items``, which keep input order
        _, record, full, *_ = items[key]
        placed[key] = True
        placements.append(
            Placement(record.id, bucket_ids[bucket] if bucket >= 0 else total_id, hours(ticks), hours(full))
        )
    if not all(placed):
        for key, was_placed in enumerate(placed):
            if not was_placed:
                unused[items[key][0]] = CAPPED
    if unused:
        id_of = {r.position: r.id for r in records}
        unused_list = tuple(Unused(id_of[pos], unused[pos]) for pos in sorted(unused))
    else:
        unused_list = ()
    complete = allocation.needed == 0
    return Audit(
        program=program.id,
        as_of=as_of,
        rules_version=prepared.label,
        specialty=specialty,
        window_from=window_start(as_of, book.window_months),
        window_from_inclusive=book.window_start_inclusive,
        complete=complete,
        hours_needed=hours(allocation.needed),
        apply_by=apply_by(program, records, as_of, specialty) if complete and program.apply_by else None,
        requirements=tuple(statuses),
        allocations=tuple(placements),
        unused=unused_list,
        rejected=tuple(rejected),
        method=allocation.method,
    )


def _statuses(prepared: PreparedRulebook, allocation: Allocation) -> list[RequirementStatus]:
    """Each bucket's and the total's required, counted and missing hours (SPEC.md ``requirements``)."""
    book = prepared.book
    hours = prepared.hours
    counted = allocation.counted
    statuses = [
        RequirementStatus(
            b.id,
            b.name,
            hours(b.required),
            hours(counted[i]),
            counted[i] >= b.required,
            hours(b.required - counted[i] if counted[i] < b.required else 0),
        )
        for i, b in enumerate(book.buckets)
    ]
    total = book.total
    if total is not None:
        statuses.append(
            RequirementStatus(
                total.id,
                total.name,
                hours(total.required),
                hours(allocation.total_counted),
                allocation.total_counted >= total.required,
                hours(allocation.total_shortfall),
            )
        )
    return statuses


def records_from_items(
    items: Iterable[Any], line: int, unit: str = "line"
) -> tuple[list[EducationRecord], list[Rejected]]:
    """A batch person's ``records`` list: each readable one an EducationRecord, each other a Rejected (``line``)."""
    records: list[EducationRecord] = []
    rejected: list[Rejected] = []
    for position, data in enumerate(items, start=1):
        if not isinstance(data, Mapping):
            rejected.append(Rejected(str(position), line, "a record must be a JSON object", unit))
            continue
        try:
            records.append(record_from_row(data, position))
        except RecordError as error:
            rejected.append(Rejected(record_id(data, position), line, str(error), unit))
    return records, rejected
