"""A person's audit against a program: which records count, where each goes, what is still needed, and until when.

The steps, each a pure function: pick the rule version in force, sort each record into counting or unused (with
the reason), allocate exactly (``allocate``), then report; for programs with an apply-by date, find the last
application date on which the same records still complete the program.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from certcredit.engine.allocate import Allocation, Item, Problem, allocate
from certcredit.engine.records import Record, RecordError, record_from_row, record_id
from certcredit.engine.windows import ONE_DAY, last_day_in_window, window_start
from certcredit.rules.compiled import CompiledProgram, Rulebook

# The reasons a readable record does not count: stable wording (docs/audit.md lists them).
AFTER_AS_OF = "after the as-of date"
OUTSIDE_WINDOW = "outside the window"
CAPPED = "capped"
NO_REQUIREMENT = "no eligible requirement"
NO_CREDIT = "no credit after rounding"


def shorter_than(minutes: int) -> str:
    return f"shorter than {minutes} minutes"


def format_does_not_count(fmt: str) -> str:
    return f"format does not count ({fmt})"


def repeat_of(record: str) -> str:
    return f"a repeat of record {record}"


def unknown_activity(activity: str) -> str:
    return f"activity not in this program ({activity})"


#: the record id under which carried-over hours are allocated (engine/nested.py programs with carry_over)
CARRY_RECORD = "carry-over"


@dataclass(slots=True)
class RequirementStatus:
    id: str
    name: str
    required_hours: float
    counted_hours: float
    met: bool
    hours_needed: float


@dataclass(slots=True)
class Placement:
    """Hours of one record counted for one requirement; ``record_hours`` is its full credit (a cap may cut it)."""

    record: str
    requirement: str
    hours: float
    record_hours: float


@dataclass(slots=True)
class Unused:
    record: str
    reason: str


@dataclass(slots=True)
class Rejected:
    """A row that could not be read: ``line`` is where it is in the file (or the person's line in a batch)."""

    record: str
    line: int
    error: str
    unit: str = "line"


@dataclass(frozen=True, slots=True)
class YearStatus:
    """One year of a window with a yearly minimum: ``to`` is its last day, ``from_`` the day before its first."""

    from_: dt.date
    to: dt.date
    required_hours: float
    counted_hours: float
    met: bool


@dataclass(frozen=True, slots=True)
class CarryOver:
    """Hours carried from the cycle that ended on ``from_cycle_ending`` (0 when nothing carries).

    ``status`` says why (engine/carry.py): ``carried``, ``no_excess`` (complete, nothing beyond its total),
    ``previous_incomplete``, ``nothing_given`` (no record
    dated in that cycle), ``no_carry_rule`` (its rules allowed none), ``before_rules`` (no version was in force
    for it), ``first_cycle``; ``previous_complete`` is None where that cycle was not audited. ``counts`` is the
    reading (``earned`` or ``credited``), ``records`` the previous cycle's records whose hours were carried from,
    ``also`` the carried hours that may count for another requirement (Texas: ethics)."""

    from_cycle_ending: dt.date
    hours: float
    into: str
    previous_complete: bool | None
    status: str = "carried"
    rules_version: str | None = None
    counts: str = "earned"
    records: tuple[str, ...] = ()
    also: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class NestedDetails:
    """What an audit of a nested program reports beyond SPEC.md's keys (report.py adds them as extra keys)."""

    max_hours: dict[str, float]
    within: dict[str, str]
    per_year: dict[str, tuple[YearStatus, ...]]
    carry_over: CarryOver | None
    #: requirements with no minimum (a maximum, a category): shown as limits, never as met requirements
    limit_only: frozenset[str] = frozenset()
    #: the program's credit (singular, plural), None: hours
    unit: tuple[str, str] | None = None
    #: record id -> the limits (requirement maxima, caps) that cut it, and each limit as people read it
    capped_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    limit_texts: dict[str, str] = field(default_factory=dict)
    #: the grace period's last day, and the records of it that count for this cycle
    grace_until: dt.date | None = None
    grace_records: tuple[str, ...] = ()
    #: the day a first cycle began (``cycle_start``), when the audit was told one
    first_cycle_start: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Audit:
    program: str
    as_of: dt.date
    rules_version: str
    specialty: str | None
    window_from: dt.date
    window_from_inclusive: bool
    complete: bool
    hours_needed: float
    apply_by: dt.date | None
    requirements: tuple[RequirementStatus, ...]
    allocations: tuple[Placement, ...]
    unused: tuple[Unused, ...]
    rejected: tuple[Rejected, ...]
    method: str
    nested: NestedDetails | None = None


def choose_version(program: CompiledProgram, as_of: dt.date) -> Rulebook:
    """The version in force: the newest whose ``effective_from`` is on or before the program's anchor date.

    The anchor is the as-of date (application date, cycle end) or, with ``version_anchor: window_start``, the
    window's first day, so a whole cycle is judged by the rules in force when it began.
    """
    anchor = as_of
    if program.version_anchor == "window_start":
        anchor = window_start(as_of, program.versions[0].window_months)
    chosen = None
    for version in program.versions:
        if version.effective_from <= anchor:
            chosen = version
    if chosen is None:
        raise ValueError(
            f"no version of program {program.id} is in force on {anchor.isoformat()}; "
            f"the first takes effect on {program.versions[0].effective_from.isoformat()}"
        )
    return chosen


_SPACES = re.compile(r"\s+")


def same_course_key(title: str) -> str:
    """Titles equal ignoring case and runs of spaces name the same course (RULES.md, repeats)."""
    return _SPACES.sub(" ", title).strip().casefold()


@dataclass(slots=True)
class _Sorted:
    items: list[Item]
    counting: list[Record]
    unused: dict[int, str]


def _sort_records(book: Rulebook, records: Sequence[Record], as_of: dt.date, specialty: str | None) -> _Sorted:
    """Split records into items that may count (``key`` = index in ``counting``, input order) and unused ones."""
    start = window_start(as_of, book.window_months)
    inclusive = book.window_start_inclusive
    minimum = book.min_record_minutes
    formats = book.counting_formats
    unused: dict[int, str] = {}
    candidates: list[Record] = []
    for record in records:
        day = record.date
        if day > as_of:
            unused[record.position] = AFTER_AS_OF
        elif day < start or (day == start and not inclusive):
            unused[record.position] = OUTSIDE_WINDOW
        elif record.minutes < minimum:
            unused[record.position] = shorter_than(minimum)
        elif record.format not in formats:
            unused[record.position] = format_does_not_count(record.format)
        else:
            candidates.append(record)
    if book.repeat_formats or (book.nesting is not None and book.nesting.repeat_activities):
        candidates = _drop_repeats(book, candidates, unused)
    items: list[Item] = []
    counting: list[Record] = []
    route = book.route
    nested_route = _nested_route(book) if book.nesting is not None else None
    exact = book.step_minutes == 1 or book.rounding == "none"
    for record in candidates:
        if nested_route is not None and book.nesting is not None:
            activity = record.activity or book.nesting.default_activity
            if activity is not None and book.nesting.activities and activity not in book.nesting.activities:
                unused[record.position] = unknown_activity(activity)
                continue
            options, to_total, caps = nested_route(
                record.category, record.subject_area, record.topic, activity, record.format, specialty
            )
        else:
            options, to_total, caps = route(
                record.category, record.subject_area, record.topic, record.format, specialty
            )
        if not options and not to_total:
            unused[record.position] = NO_REQUIREMENT
            continue
        ticks = record.minutes if exact else book.ticks(record.minutes)
        if ticks <= 0:
            unused[record.position] = NO_CREDIT
            continue
        items.append(Item(len(counting), ticks, options, caps, record.date.toordinal()))
        counting.append(record)
    return _Sorted(items, counting, unused)


_NestedRoute = Callable[
    [str | None, str | None, str | None, str | None, str, str | None],
    tuple[tuple[int, ...], bool, tuple[int, ...]],
]


def _nested_route(book: Rulebook) -> _NestedRoute:
    """For a nested program: a record's options (buckets, and -1 when the total takes it directly), whether it
    counts at all, and its caps; activities are matched as well as categories, areas and topics."""

    def route(
        category: str | None, area: str | None, topic: str | None, activity: str | None, fmt: str, specialty: str | None
    ) -> tuple[tuple[int, ...], bool, tuple[int, ...]]:
        area = book.subject_area_of(category, area)
        options = tuple(
            i
            for i, b in enumerate(book.buckets)
            if b.eligibility.accepts_activity(category, area, topic, activity, fmt, specialty)
        )
        total_only = book.total_only
        if total_only is not None and total_only.accepts_activity(category, area, topic, activity, fmt, specialty):
            options += (-1,)
        return options, bool(options), book.caps_of_format.get(fmt, ())

    return route


def _repeat_key(book: Rulebook, record: Record) -> tuple[str, str] | None:
    """Which course a record gives, when a repeat rule covers it (by its format, or by its activity)."""
    if not record.title:
        return None
    if record.format in book.repeat_formats:
        return (record.format, same_course_key(record.title))
    nesting = book.nesting
    if nesting is not None and record.activity is not None and record.activity in nesting.repeat_activities:
        return ("activity:" + record.activity, same_course_key(record.title))
    return None


def _drop_repeats(book: Rulebook, candidates: list[Record], unused: dict[int, str]) -> list[Record]:
    """Keep the earliest counting record of each course given again (same format and title); mark the others."""
    first_of: dict[tuple[str, str], Record] = {}
    for record in candidates:
        key = _repeat_key(book, record)
        if key is not None:
            first = first_of.get(key)
            if first is None or (record.date, record.position) < (first.date, first.position):
                first_of[key] = record
    kept = []
    for record in candidates:
        key = _repeat_key(book, record)
        if key is not None:
            first = first_of[key]
            if first is not record:
                unused[record.position] = repeat_of(first.id)
                continue
        kept.append(record)
    return kept


def _problem(book: Rulebook) -> Problem:
    """The allocation numbers of a rulebook (built once per rulebook)."""
    found = book.memo.get("problem")
    if not isinstance(found, Problem):
        found = Problem(
            required=tuple(b.required for b in book.buckets),
            cap_limits=tuple(c.limit for c in book.caps),
            total_required=book.total.required if book.total is not None else None,
            splitting=book.splitting,
            overlapping_caps=any(len(caps) > 1 for caps in book.caps_of_format.values()),
        )
        book.memo["problem"] = found
    return found


def _solve(
    program: CompiledProgram,
    records: Sequence[Record],
    as_of: dt.date,
    specialty: str | None,
    goal: int | None = None,
) -> tuple[Rulebook, _Sorted, Allocation]:
    book = choose_version(program, as_of)
    sorted_records = _sort_records(book, records, as_of, specialty)
    if book.nesting is not None:
        from certcredit.engine.nested_audit import solve_nested

        return book, sorted_records, solve_nested(program, book, records, sorted_records, as_of, specialty).allocation
    return book, sorted_records, allocate(_problem(book), sorted_records.items, goal)


def is_complete(program: CompiledProgram, records: Sequence[Record], as_of: dt.date, specialty: str | None) -> bool:
    return _solve(program, records, as_of, specialty, goal=0)[2].needed == 0


def apply_by(
    program: CompiledProgram, records: Sequence[Record], as_of: dt.date, specialty: str | None
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
    records: Sequence[Record],
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
    nested: NestedDetails | None = None
    if book.nesting is not None:
        from certcredit.engine.nested_audit import audit_nested

        found = audit_nested(program, book, records, as_of, specialty, rejected, cycle_start)
        if found.complete and program.apply_by and cycle_start is None:
            return replace(found, apply_by=apply_by(program, records, as_of, specialty))
        return found
    if cycle_start is not None:
        raise ValueError(f"program {program.id} has no first-cycle rule: leave out the cycle start")
    book, sorted_records, allocation = _solve(program, records, as_of, specialty)
    statuses = _statuses(book, allocation)
    hours = book.hours
    total = book.total
    counting = sorted_records.counting
    unused = sorted_records.unused
    total_id = total.id if total is not None else "total"
    bucket_ids = [b.id for b in book.buckets]
    exact = book.step_minutes == 1 or book.rounding == "none"
    placements: list[Placement] = []
    placed = [False] * len(counting)
    for key, bucket, ticks in allocation.parts:  # parts follow ``counting``, which keeps input order
        record = counting[key]
        placed[key] = True
        full = record.minutes if exact else book.ticks(record.minutes)
        placements.append(
            Placement(record.id, bucket_ids[bucket] if bucket >= 0 else total_id, hours(ticks), hours(full))
        )
    if not all(placed):
        for key, was_placed in enumerate(placed):
            if not was_placed:
                unused[counting[key].position] = CAPPED
    if unused:
        id_of = {r.position: r.id for r in records}
        unused_list = tuple(Unused(id_of[pos], unused[pos]) for pos in sorted(unused))
    else:
        unused_list = ()
    complete = allocation.needed == 0
    return Audit(
        program=program.id,
        as_of=as_of,
        rules_version=book.label,
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
        nested=nested,
    )


def _statuses(book: Rulebook, allocation: Allocation) -> list[RequirementStatus]:
    """Each bucket's and the total's required, counted and missing hours (SPEC.md ``requirements``)."""
    hours = book.hours
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


def records_from_items(items: Iterable[Any], line: int, unit: str = "line") -> tuple[list[Record], list[Rejected]]:
    """A batch person's ``records`` list: each readable one a Record, each other a Rejected naming ``line``."""
    records: list[Record] = []
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
