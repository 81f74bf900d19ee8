"""The audit steps that only nested programs need: years of a window, carry-over, and their report details.

Kept apart from ``engine/audit.py`` so the CLM path (and the batch path built on it) stays as it was; the audit
imports this module only when the rule version in force has a ``nesting``. It builds on the same steps as the
audit (``engine.versions``, ``engine.prepared``, ``engine.sorting``) and never imports the audit itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from certcredit.engine.allocate import Allocation, allocate
from certcredit.engine.nested import NestedItem, allocate_nested
from certcredit.engine.prepared import prepare
from certcredit.engine.records import Record
from certcredit.engine.results import CarryOver, NestedDetails, RequirementStatus, YearStatus
from certcredit.engine.sorting import SortedRecords, sort_for_audit
from certcredit.engine.versions import choose_version
from certcredit.engine.windows import add_months, window_start
from certcredit.rules.compiled import CompiledProgram, Rulebook


@dataclass(slots=True)
class NestedSolution:
    allocation: Allocation
    by_year: list[list[int]]
    years: list[tuple[dt.date, dt.date]]
    carry: CarryOver | None


def year_bounds(book: Rulebook, as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The window's years, oldest first, as (day before the first, last day); one span when no yearly minimum."""
    nesting = book.nesting
    yearly = nesting is not None and (any(nesting.per_year) or nesting.total_per_year)
    if not yearly:
        return [(window_start(as_of, book.window_months), as_of)]
    count = book.window_months // 12
    return [(add_months(as_of, -12 * (k + 1)), add_months(as_of, -12 * k)) for k in range(count - 1, -1, -1)]


def year_of(bounds: list[tuple[dt.date, dt.date]], day: dt.date) -> int:
    """The year a counting record falls in (a year runs from the day after its start to its end, inclusive)."""
    for index, (start, end) in enumerate(bounds):
        if start < day <= end:
            return index
    return 0  # the window's own first day, when its start is inclusive


def _items(sorted_records: SortedRecords, bounds: list[tuple[dt.date, dt.date]]) -> list[NestedItem]:
    return [
        NestedItem(key, ticks, options, record.format, year_of(bounds, record.date))
        for key, (_, record, ticks, _, options, *_) in enumerate(sorted_records.items)
    ]


def _required_total(book: Rulebook) -> int:
    """What a cycle asks for in all: the total's minimum, else the sum of the top-level minimums."""
    if book.total is not None:
        return book.total.required
    nesting = book.nesting
    assert nesting is not None
    return sum(b.required for b, parent in zip(book.buckets, nesting.parents, strict=True) if parent < 0)


def carry_in(
    program: CompiledProgram, book: Rulebook, records: Sequence[Record], as_of: dt.date, specialty: str | None
) -> tuple[int, CarryOver | None]:
    """Ticks carried into the cycle ending ``as_of`` from the one before it (RULES of the version's carry_over).

    The previous cycle is audited under its own rules, without carry of its own. When it was complete, the hours
    earned in it beyond what it asked for in all carry (all hours that could count, capped or not: SHRM's
    example carries Profession hours beyond that category's maximum), at most the limit, and with
    ``from_last_months`` at most what was earned in those final months.
    """
    nesting = book.nesting
    assert nesting is not None
    rule = nesting.carry
    if rule is None:
        return 0, None
    into = book.buckets[rule.into].id if rule.into >= 0 else (book.total.id if book.total else "total")
    previous_end = window_start(as_of, book.window_months)
    try:
        previous_book = choose_version(program, previous_end)
    except ValueError:  # no rules were in force then: there was no previous cycle to carry from
        return 0, None
    previous_rules = prepare(previous_book, specialty)
    previous = sort_for_audit(previous_rules, records, previous_end)
    if previous_book.nesting is not None:
        bounds = year_bounds(previous_book, previous_end)
        needed = allocate_nested(previous_book, _items(previous, bounds), len(bounds)).allocation.needed
    else:
        needed = allocate(previous_rules.problem, previous.items).needed
    if needed > 0:
        return 0, CarryOver(previous_end, 0.0, into, False)
    earned = sum(item[2] for item in previous.items)
    excess = earned - _required_total(previous_book)
    if rule.from_last_months is not None:
        since = add_months(previous_end, -rule.from_last_months)
        late = sum(item[2] for item in previous.items if item[1].date > since)
        excess = min(excess, late)
    carried = max(0, min(rule.limit, excess))
    return carried, CarryOver(previous_end, book.hours(carried), into, True)


def solve_nested(
    program: CompiledProgram,
    book: Rulebook,
    records: Sequence[Record],
    sorted_records: SortedRecords,
    as_of: dt.date,
    specialty: str | None,
) -> NestedSolution:
    """The exact allocation of a nested program, with any carried-over hours as one more item (its key is one
    past the last counting record; the audit names it ``carry-over``)."""
    nesting = book.nesting
    assert nesting is not None
    bounds = year_bounds(book, as_of)
    items = _items(sorted_records, bounds)
    carried, carry = carry_in(program, book, records, as_of, specialty)
    if carried > 0 and nesting.carry is not None:
        items.append(NestedItem(len(sorted_records.items), carried, (nesting.carry.into,), "", -1))
    result = allocate_nested(book, items, len(bounds))
    return NestedSolution(result.allocation, result.by_year, bounds, carry)


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
    return statuses, NestedDetails(maxima, within, per_year, solution.carry)
