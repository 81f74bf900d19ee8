"""What an audit finds (SPEC.md's audit object as values): requirement lines, placements, unused and rejected
records, and the details of nested programs. ``engine.report`` turns an ``Audit`` into JSON or a table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    """Hours carried from the cycle that ended on ``from_cycle_ending`` (0 when it was not complete)."""

    from_cycle_ending: dt.date
    hours: float
    into: str
    previous_complete: bool


@dataclass(frozen=True, slots=True)
class NestedDetails:
    """What an audit of a nested program reports beyond SPEC.md's keys (report.py adds them as extra keys)."""

    max_hours: dict[str, float]
    within: dict[str, str]
    per_year: dict[str, tuple[YearStatus, ...]]
    carry_over: CarryOver | None


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
