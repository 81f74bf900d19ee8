"""Carry-over in nested programs: what carries into a cycle from the one before it, and what the audit says.

The previous cycle is audited under the version in force for *it*, and that version's ``carry_over`` decides
whether anything carries, how much and which hours count as beyond its total (``earned``: every hour that could
count; ``credited``: only hours that counted after every cap and maximum). docs/rules.md, "Carry-over".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from certcredit.engine.allocate import Allocation, allocate
from certcredit.engine.cycle_edges import grace_items
from certcredit.engine.nested import NestedItem, allocate_nested
from certcredit.engine.prepared import prepare
from certcredit.engine.records import EducationRecord
from certcredit.engine.results import CarryOver
from certcredit.engine.sorting import SortedRecords, sort_for_audit
from certcredit.engine.versions import choose_version
from certcredit.engine.windows import add_months, window_start
from certcredit.engine.years import nested_items, required_total, year_bounds
from certcredit.rules.compiled import CompiledProgram, Rulebook

# What the audit's ``carry_over`` says happened (its ``status`` key; docs/audit.md).
CARRIED = "carried"
PREVIOUS_INCOMPLETE = "previous_incomplete"
NOTHING_GIVEN = "nothing_given"
NO_CARRY_RULE = "no_carry_rule"
BEFORE_RULES = "before_rules"
FIRST_CYCLE = "first_cycle"
NO_EXCESS = "no_excess"


@dataclass(slots=True)
class CarryIn:
    """Hours carried into a cycle: ``parts`` are (ticks, bucket options) items; ``info`` what the audit reports;
    ``grace_used`` the ticks of each record (by position) the previous cycle counted in its grace period."""

    parts: list[tuple[int, tuple[int, ...]]]
    info: CarryOver | None
    grace_used: dict[int, int] = dataclasses.field(default_factory=dict)

    @property
    def ticks(self) -> int:
        return sum(t for t, _ in self.parts)


def program_carries(program: CompiledProgram) -> bool:
    """Whether any version of the program lets hours carry (only then does the audit report ``carry_over``)."""
    return any(v.nesting is not None and v.nesting.carry is not None for v in program.versions)


def _bucket_index(book: Rulebook, ident: str) -> int:
    """A requirement's index in a version (-1: the total or an id the version lacks)."""
    for index, bucket in enumerate(book.buckets):
        if bucket.id == ident:
            return index
    return -1


def solve_previous(
    previous_book: Rulebook, records: Sequence[EducationRecord], previous_end: dt.date, specialty: str | None
) -> tuple[SortedRecords, Allocation, list[NestedItem], list[EducationRecord]]:
    """The previous cycle audited under its own rules, without carry-over of its own (grace records included)."""
    previous_rules = prepare(previous_book, specialty)
    previous = sort_for_audit(previous_rules, records, previous_end)
    if previous_book.nesting is not None:
        bounds = year_bounds(previous_book, previous_end)
        items = nested_items(previous, bounds)
        grace, late, _ = grace_items(
            previous_book, records, previous_end, specialty, len(items), len(bounds) - 1, len(items)
        )
        allocation = allocate_nested(previous_book, items + grace, len(bounds)).allocation
        return previous, allocation, items + grace, previous.counting + late
    allocation = allocate(previous_rules.problem, previous.items)
    items = [
        NestedItem(key, ticks, options, record.format, 0)
        for key, (_, record, ticks, _, options, *_) in enumerate(previous.items)
    ]
    return previous, allocation, items, previous.counting


def carry_in(
    program: CompiledProgram,
    book: Rulebook,
    records: Sequence[EducationRecord],
    as_of: dt.date,
    specialty: str | None,
    first_cycle: bool = False,
) -> CarryIn:
    """What carries into the cycle ending ``as_of`` from the one before it, and what the audit says about it.

    The version in force for the previous cycle decides (module docstring): no version then, or one without
    ``carry_over``, carries nothing. When that cycle was complete, the hours beyond its total (earned or
    credited, as its rule says) carry, at most its limit, and with ``from_last_months`` at most those of its final
    months. Of them, each ``also`` part (Texas: up to 3 as ethics) may count for that requirement, as far as the
    previous cycle had hours beyond that requirement's own minimum.
    """
    carries = program_carries(program)
    if not carries and not any(v.nesting is not None and v.nesting.grace for v in program.versions):
        return CarryIn([], None)
    found = _carry_in(program, book, records, as_of, specialty, first_cycle)
    if not carries:  # a program with a grace period but no carry-over: only what the cycle before spent matters
        return CarryIn([], None, found.grace_used)
    return found


def _carry_in(
    program: CompiledProgram,
    book: Rulebook,
    records: Sequence[EducationRecord],
    as_of: dt.date,
    specialty: str | None,
    first_cycle: bool,
) -> CarryIn:
    nesting = book.nesting
    assert nesting is not None
    previous_end = window_start(as_of, book.window_months)
    current_rule = nesting.carry
    into_id = current_rule.into_id if current_rule is not None else (book.total.id if book.total else "total")

    def report(status: str, complete: bool | None, rules: str | None, counts: str = "earned") -> CarryOver:
        return CarryOver(previous_end, 0.0, into_id, complete, status=status, rules_version=rules, counts=counts)

    if first_cycle:
        return CarryIn([], report(FIRST_CYCLE, None, None))
    try:
        previous_book = choose_version(program, previous_end)
    except ValueError:  # no rules were in force then: there was no previous cycle to carry from
        return CarryIn([], report(BEFORE_RULES, None, None))
    previous_nesting = previous_book.nesting
    rule = previous_nesting.carry if previous_nesting is not None else None
    previous, allocation, items, counting = solve_previous(previous_book, records, previous_end, specialty)
    grace_used: dict[int, int] = {}
    for key, _, ticks in allocation.parts:
        if ticks > 0 and key >= len(previous.counting):
            position = counting[key].position
            grace_used[position] = grace_used.get(position, 0) + ticks
    if rule is None:
        return CarryIn([], report(NO_CARRY_RULE, None, previous_book.label), grace_used)
    assert previous_nesting is not None
    if current_rule is None:
        into_id = rule.into_id if _bucket_index(book, rule.into_id) >= 0 else into_id
    into = _bucket_index(book, into_id)
    counts = "credited" if rule.credited else "earned"
    start = window_start(previous_end, previous_book.window_months)
    if not any(start < r.date <= previous_end for r in records):
        return CarryIn([], report(NOTHING_GIVEN, False, previous_book.label, counts=counts), grace_used)
    if allocation.needed > 0:
        return CarryIn([], report(PREVIOUS_INCOMPLETE, False, previous_book.label, counts=counts), grace_used)
    amount = [0] * len(items)
    for key, _, ticks in allocation.parts:
        amount[key] += ticks
    if not rule.credited:  # every hour earned in the cycle itself; a grace record only as far as it was used
        amount[: len(previous.counting)] = [item.ticks for item in items[: len(previous.counting)]]
    dates = [r.date for r in counting]
    eligible = list(range(len(items)))
    if rule.from_last_months is not None:
        since = add_months(previous_end, -rule.from_last_months)
        eligible = [k for k in eligible if dates[k] > since]
    excess = sum(amount) - required_total(previous_book)
    if rule.from_last_months is not None:
        excess = min(excess, sum(amount[k] for k in eligible))
    carried = max(0, min(rule.limit, excess))
    parts: list[tuple[int, tuple[int, ...]]] = []
    also: list[tuple[str, float]] = []
    left = carried
    for ident, most in rule.also:
        before, now = _bucket_index(previous_book, ident), _bucket_index(book, ident)
        if before < 0 or now < 0 or left <= 0:
            continue
        if rule.credited:  # the hours credited *to* that requirement (or within it), not elsewhere
            chain = previous_nesting.parents
            inside = {before} | {b for b in range(len(chain)) if before in _chain(chain, b)}
            chosen = set(eligible)
            there = sum(t for key, node, t in allocation.parts if node in inside and key in chosen)
        else:
            there = sum(amount[k] for k in eligible if before in items[k].options)
        beyond = there - previous_book.buckets[before].required
        part = max(0, min(most, beyond, left))
        if part > 0:
            parts.append((part, (now, into)))
            also.append((ident, book.hours(part)))
            left -= part
    if left > 0:
        parts.append((left, (into,)))
    sources = tuple(
        counting[k].id for k in sorted(eligible, key=lambda k: (dates[k], counting[k].position)) if amount[k]
    )
    info = CarryOver(
        previous_end,
        book.hours(carried),
        into_id,
        True,
        status=CARRIED if carried > 0 else NO_EXCESS,
        rules_version=previous_book.label,
        counts=counts,
        records=sources if carried > 0 else (),
        also=tuple(also),
    )
    return CarryIn(parts, info, grace_used)


def _chain(parents: tuple[int, ...], node: int) -> list[int]:
    """The buckets ``node`` is within, innermost first."""
    found = []
    while parents[node] >= 0:
        node = parents[node]
        found.append(node)
    return found


def carry_items(carry: CarryIn, first_key: int) -> list[NestedItem]:
    """The carried hours as items (keys from ``first_key`` on; no format, no year, ranked after every record)."""
    return [
        NestedItem(first_key + n, ticks, options, "", -1, 1 << 30) for n, (ticks, options) in enumerate(carry.parts)
    ]
