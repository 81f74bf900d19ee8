"""The audit steps that only nested programs need: years of a window, carry-over, first cycles, the grace period,
which limit cut a record, and the nested program's audit object.

Kept apart from ``engine/audit.py`` so the CLM path (and the batch path built on it) stays as it was; the audit
imports this module only when the rule version in force has a ``nesting``.

Carry-over (docs/rules.md, "Carry-over"): the previous cycle is audited under the version in force for *it*, and
that version's ``carry_over`` decides whether anything carries, how much and which hours count as beyond its total
(``earned``: every hour that could count; ``credited``: only hours that counted after every cap and maximum).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from certcredit.engine.allocate import Allocation
from certcredit.engine.audit import (
    AFTER_AS_OF,
    CAPPED,
    CARRY_RECORD,
    OUTSIDE_WINDOW,
    Audit,
    CarryOver,
    NestedDetails,
    Placement,
    Rejected,
    RequirementStatus,
    Unused,
    YearStatus,
    _sort_records,
    _Sorted,
    choose_version,
)
from certcredit.engine.nested import NestedItem, allocate_nested, ancestors
from certcredit.engine.records import Record
from certcredit.engine.windows import add_months, window_start
from certcredit.rules.compiled import CompiledProgram, Rulebook

# What the audit's ``carry_over`` says happened (its ``status`` key; docs/audit.md).
CARRIED = "carried"
PREVIOUS_INCOMPLETE = "previous_incomplete"
NOTHING_GIVEN = "nothing_given"
NO_CARRY_RULE = "no_carry_rule"
BEFORE_RULES = "before_rules"
FIRST_CYCLE = "first_cycle"
NO_EXCESS = "no_excess"


def grace_counted(cycle_end: dt.date) -> str:
    """The reason a record earned in the grace period of the cycle before does not count again."""
    return f"counted for the cycle ending {cycle_end.isoformat()} (earned in its grace period)"


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


@dataclass(slots=True)
class NestedSolution:
    allocation: Allocation
    by_year: list[list[int]]
    years: list[tuple[dt.date, dt.date]]
    carry: CarryOver | None
    items: list[NestedItem] = dataclasses.field(default_factory=list)
    #: the records behind ``items`` (carried hours have none), then the grace records offered
    counting: list[Record] = dataclasses.field(default_factory=list)
    grace_until: dt.date | None = None
    book: Rulebook | None = None


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


def _items(sorted_records: _Sorted, bounds: list[tuple[dt.date, dt.date]]) -> list[NestedItem]:
    records = sorted_records.counting
    order = sorted(range(len(records)), key=lambda i: (records[i].date, records[i].position))
    rank = {index: place for place, index in enumerate(order)}
    return [
        NestedItem(item.key, item.ticks, item.options, record.format, year_of(bounds, record.date), rank[i])
        for i, (item, record) in enumerate(zip(sorted_records.items, records, strict=True))
    ]


def _required_total(book: Rulebook) -> int:
    """What a cycle asks for in all: the total's minimum, else the sum of the top-level minimums."""
    if book.total is not None:
        return book.total.required
    nesting = book.nesting
    assert nesting is not None
    return sum(b.required for b, parent in zip(book.buckets, nesting.parents, strict=True) if parent < 0)


def program_carries(program: CompiledProgram) -> bool:
    """Whether any version of the program lets hours carry (only then does the audit report ``carry_over``)."""
    return any(v.nesting is not None and v.nesting.carry is not None for v in program.versions)


# --- first cycle -----------------------------------------------------------------------------------------------


def first_cycle_book(book: Rulebook, as_of: dt.date, cycle_start: dt.date) -> tuple[Rulebook, dt.date]:
    """The rulebook of a first cycle begun on ``cycle_start`` and its first counting day (inclusive).

    The window runs from ``cycle_start`` (minus the look-back) to the as-of date; a cycle longer than the
    version allows is an error; with ``prorate`` every minimum and maximum is scaled by the share of the usual
    window the first cycle covers (by days), to the nearest credit step."""
    nesting = book.nesting
    rule = nesting.first_cycle if nesting is not None else None
    if nesting is None or rule is None:
        raise ValueError(f"program {book.program} has no first-cycle rule ({book.label}): leave out the cycle start")
    if cycle_start > as_of:
        raise ValueError(f"the cycle start {cycle_start.isoformat()} is after the as-of date {as_of.isoformat()}")
    longest = rule.max_months or book.window_months
    if cycle_start <= add_months(as_of, -longest):
        raise ValueError(
            f"a first cycle of {book.program} is at most {longest} months: "
            f"{cycle_start.isoformat()} to {as_of.isoformat()} is longer"
        )
    first_day = add_months(cycle_start, -rule.look_back_months)
    if not rule.prorate:
        return book, first_day
    usual = (as_of - window_start(as_of, book.window_months)).days
    share = min(1.0, ((as_of - cycle_start).days + 1) / usual)
    step = 1 if book.rounding == "none" else book.step_minutes

    def scaled(ticks: int) -> int:
        return round(ticks * share / step) * step

    buckets = tuple(dataclasses.replace(b, required=scaled(b.required)) for b in book.buckets)
    total = dataclasses.replace(book.total, required=scaled(book.total.required)) if book.total else None
    maxima = tuple(None if m is None else scaled(m) for m in nesting.maxima)
    caps = tuple(dataclasses.replace(c, limit=scaled(c.limit)) for c in book.caps)
    prorated = dataclasses.replace(
        book,
        buckets=buckets,
        total=total,
        caps=caps,
        nesting=dataclasses.replace(nesting, maxima=maxima),
        _eligibility_cache={},
        _route_cache={},
        _hours_cache={},
        memo={},
    )
    return prorated, first_day


def _sort_from(
    book: Rulebook, records: Sequence[Record], as_of: dt.date, specialty: str | None, first_day: dt.date | None
) -> _Sorted:
    """``_sort_records``, with a first cycle's own first day (inclusive) when one is given."""
    if first_day is None:
        return _sort_records(book, records, as_of, specialty)
    inside = [r for r in records if r.date >= first_day]
    sorted_records = _sort_records(dataclasses.replace(book, window_months=1200, memo={}), inside, as_of, specialty)
    for record in records:
        if record.date < first_day:
            sorted_records.unused[record.position] = OUTSIDE_WINDOW
    return sorted_records


# --- grace period ----------------------------------------------------------------------------------------------


def _grace_items(
    book: Rulebook,
    records: Sequence[Record],
    as_of: dt.date,
    specialty: str | None,
    start_key: int,
    year: int,
    start_rank: int,
) -> tuple[list[NestedItem], list[Record], dt.date | None]:
    """Records dated in the grace period after ``as_of``, as items that count only when the cycle needs them."""
    nesting = book.nesting
    if nesting is None or nesting.grace is None:
        return [], [], None
    until = as_of + dt.timedelta(days=nesting.grace.days)
    late = [r for r in records if as_of < r.date <= until]
    if not late:
        return [], [], until
    shifted = [dataclasses.replace(r, date=as_of) for r in late]
    found = _sort_records(book, shifted, as_of, specialty)
    by_position = {r.position: r for r in late}
    items = []
    kept = []
    for offset, (item, record) in enumerate(zip(found.items, found.counting, strict=True)):
        items.append(
            NestedItem(start_key + offset, item.ticks, item.options, record.format, year, start_rank + offset, True)
        )
        kept.append(by_position[record.position])
    return items, kept, until


# --- carry-over ------------------------------------------------------------------------------------------------


def _bucket_index(book: Rulebook, ident: str) -> int:
    """A requirement's index in a version (-1: the total or an id the version lacks)."""
    for index, bucket in enumerate(book.buckets):
        if bucket.id == ident:
            return index
    return -1


def _solve_previous(
    previous_book: Rulebook, records: Sequence[Record], previous_end: dt.date, specialty: str | None
) -> tuple[_Sorted, Allocation, list[NestedItem], list[Record]]:
    """The previous cycle audited under its own rules, without carry-over of its own (grace records included)."""
    previous = _sort_records(previous_book, records, previous_end, specialty)
    if previous_book.nesting is not None:
        bounds = year_bounds(previous_book, previous_end)
        items = _items(previous, bounds)
        grace, late, _ = _grace_items(
            previous_book, records, previous_end, specialty, len(items), len(bounds) - 1, len(items)
        )
        allocation = allocate_nested(previous_book, items + grace, len(bounds)).allocation
        return previous, allocation, items + grace, previous.counting + late
    from certcredit.engine.allocate import allocate
    from certcredit.engine.audit import _problem

    allocation = allocate(_problem(previous_book), previous.items)
    items = [
        NestedItem(i.key, i.ticks, i.options, r.format, 0)
        for i, r in zip(previous.items, previous.counting, strict=True)
    ]
    return previous, allocation, items, previous.counting


def carry_in(
    program: CompiledProgram,
    book: Rulebook,
    records: Sequence[Record],
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
    nesting = book.nesting
    assert nesting is not None
    previous_end = window_start(as_of, book.window_months)
    if not program_carries(program):
        return CarryIn([], None)
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
    previous, allocation, items, counting = _solve_previous(previous_book, records, previous_end, specialty)
    grace_used: dict[int, int] = {}
    for key, _, ticks in allocation.parts:
        if ticks > 0 and key >= len(previous.counting):
            position = counting[key].position
            grace_used[position] = grace_used.get(position, 0) + ticks
    if rule is None:
        return CarryIn([], report(NO_CARRY_RULE, None, previous_book.label), grace_used)
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
    excess = sum(amount) - _required_total(previous_book)
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
        beyond = sum(amount[k] for k in eligible if before in items[k].options) - previous_book.buckets[before].required
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


def carry_items(carry: CarryIn, first_key: int) -> list[NestedItem]:
    """The carried hours as items (keys from ``first_key`` on; no format, no year, ranked after every record)."""
    return [
        NestedItem(first_key + n, ticks, options, "", -1, 1 << 30) for n, (ticks, options) in enumerate(carry.parts)
    ]


# --- solving ---------------------------------------------------------------------------------------------------


def solve_nested(
    program: CompiledProgram,
    book: Rulebook,
    records: Sequence[Record],
    sorted_records: _Sorted,
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
        for item, record in zip(sorted_records.items, sorted_records.counting, strict=True):
            left = item.ticks - carry.grace_used.get(record.position, 0)
            if left <= 0:
                sorted_records.unused[record.position] = grace_counted(previous_end)
            else:
                kept.append((dataclasses.replace(item, ticks=left), record))
        sorted_records.items = [dataclasses.replace(item, key=n) for n, (item, _) in enumerate(kept)]
        sorted_records.counting = [record for _, record in kept]
    bounds = year_bounds(book, as_of)
    items = _items(sorted_records, bounds)
    items += carry_items(carry, len(items))
    counting = list(sorted_records.counting)
    grace, late, until = _grace_items(book, records, as_of, specialty, len(items), len(bounds) - 1, len(items))
    result = allocate_nested(book, items + grace, len(bounds))
    return NestedSolution(
        result.allocation,
        result.by_year,
        bounds,
        carry.info,
        items + grace,
        counting + late,
        until if grace else None,
        book,
    )


# --- the report's details --------------------------------------------------------------------------------------


def _limit_names(book: Rulebook, solution: NestedSolution) -> dict[int, tuple[str, ...]]:
    """Per item key: the limits (a requirement's maximum, a cap) that stopped it counting in full."""
    nesting = book.nesting
    assert nesting is not None
    buckets = len(book.buckets)
    root = buckets
    items = {item.key: item for item in solution.items}
    counted_at: dict[int, int] = {}
    node_of: dict[int, int] = {}
    for key, bucket, ticks in solution.allocation.parts:
        counted_at[key] = counted_at.get(key, 0) + ticks
        node_of[key] = root if bucket < 0 else bucket

    def up(node: int) -> list[int]:
        return [*ancestors(nesting, node), root] if node < root else [root]

    node_total = [0] * (buckets + 1)
    cap_used = [0] * len(book.caps)
    for key, node in node_of.items():
        for above in up(node):
            node_total[above] += counted_at[key]
        for c, cap in enumerate(book.caps):
            scope = root if cap.within is None else cap.within
            if items[key].fmt in cap.formats and scope in up(node):
                cap_used[c] += counted_at[key]

    def binding(node: int, fmt: str) -> list[str]:
        found = [
            book.buckets[n].id
            for n in up(node)
            if n < root and nesting.maxima[n] is not None and node_total[n] >= (nesting.maxima[n] or 0)
        ]
        for c, cap in enumerate(book.caps):
            scope = root if cap.within is None else cap.within
            if fmt in cap.formats and scope in up(node) and cap_used[c] >= cap.limit:
                found.append(cap.id)
        return found

    cut: dict[int, tuple[str, ...]] = {}
    for key, item in items.items():
        if counted_at.get(key, 0) >= item.ticks:
            continue
        if key in node_of:
            names = binding(node_of[key], item.fmt)
        else:
            names = []
            for option in item.options:
                names += [n for n in binding(root if option < 0 else option, item.fmt) if n not in names]
        if names:
            cut[key] = tuple(dict.fromkeys(names))
    return cut


def limit_text(book: Rulebook, ident: str) -> str:
    """A limit as people read it: ``giving_back (at most 25.00 PDUs)``, ``self_study (at most 3.00 hours of
    self_study, recorded)``."""
    nesting = book.nesting
    many = nesting.unit[1] if nesting is not None and nesting.unit else "hours"
    for index, bucket in enumerate(book.buckets):
        if bucket.id == ident and nesting is not None and nesting.maxima[index] is not None:
            return f"{ident} (at most {book.hours(nesting.maxima[index] or 0):.2f} {many})"
    for cap in book.caps:
        if cap.id == ident:
            formats = ", ".join(sorted(cap.formats))
            where = f" toward {book.buckets[cap.within].id}" if cap.within is not None else ""
            return f"{ident} (at most {book.hours(cap.limit):.2f} {many} of {formats}{where})"
    return ident


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
    records: Sequence[Record],
    as_of: dt.date,
    specialty: str | None,
    rejected: Sequence[Rejected],
    cycle_start: dt.date | None = None,
) -> Audit:
    """The audit object of a nested program (``engine.audit.audit`` hands these over)."""
    first_day = None
    if cycle_start is not None:
        book, first_day = first_cycle_book(book, as_of, cycle_start)
    sorted_records = _sort_from(book, records, as_of, specialty, first_day)
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
    cut = _limit_names(book, solution)
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
