"""What an audit finds (SPEC.md's audit object as values): requirement lines, placements, unused and rejected
records, and the details of nested programs. ``engine.report`` turns an ``Audit`` into JSON or a table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
