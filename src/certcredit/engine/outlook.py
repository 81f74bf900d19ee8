"""Looking ahead from an audit: records about to age out of a rolling window, and the pace a cycle asks for.

Pure: values in, values out. Two views, by window kind:

* **Rolling window** (the CLM application): a record leaves the window the day after the last as-of date whose
  window still holds it. The records that leave within ``HORIZON_DAYS`` of the as-of date are listed, with what
  the audit would say on the horizon's last day (with the same records, none added) and, when the person is
  complete today, the first day on which they no longer would be.

  The audit of a day depends on that day only through the records its window holds and the rule version in
  force, so both can change only on a *change point*: the day after a record's last day in the window, or the
  day a new version takes over. The first incomplete day is found by auditing those days in order (a few dozen
  at most), never each day of the horizon; the tests check this against the day-by-day search. The look-ahead
  audits leave out ``apply_by`` (it is not shown for them, and it searches its own change points).
* **Cycle** (recertification: the as-of date is the cycle's end): the days left from ``today`` to the cycle's end,
  the hours still needed per month to finish in time, and the pace so far (hours counted from records dated up
  to today, per month since the cycle began). A month is 365.25 / 12 days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from certcredit.engine.audit import Audit, audit, choose_version, is_complete
from certcredit.engine.records import EducationRecord
from certcredit.engine.windows import ONE_DAY, last_day_in_window
from certcredit.rules.compiled import CompiledProgram

HORIZON_DAYS = 90
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True, slots=True)
class Leaving:
    """A counting record that leaves the window: ``last_day`` is the last as-of date that still holds it."""

    record: str
    date: dt.date
    last_day: dt.date
    hours: float


@dataclass(frozen=True, slots=True)
class AgeingOut:
    until: dt.date
    leaving: tuple[Leaving, ...]
    complete_then: bool
    hours_needed_then: float
    #: when complete on the as-of date: the first day within the horizon on which it no longer is (else None)
    incomplete_from: dt.date | None


@dataclass(frozen=True, slots=True)
class Deadline:
    today: dt.date
    cycle_end: dt.date
    days_left: int
    months_left: float
    hours_needed: float
    #: hours still needed per month until the cycle's end (None when the cycle has ended or nothing is needed)
    hours_needed_per_month: float | None
    counted_so_far: float
    pace_hours_per_month: float | None
    #: at the pace so far, the missing hours are earned by the cycle's end
    on_pace: bool


@dataclass(frozen=True, slots=True)
class Outlook:
    ageing_out: AgeingOut | None
    deadline: Deadline | None


def _counted_in_all(result: Audit) -> float:
    """Hours counted in all: the total's line when there is one, else every allocation."""
    for status in result.requirements:
        if status.id == "total":
            return status.counted_hours
    return round(sum(p.hours for p in result.allocations), 4)


def ageing_out(
    program: CompiledProgram,
    records: Sequence[EducationRecord],
    result: Audit,
    horizon_days: int = HORIZON_DAYS,
) -> AgeingOut:
    """What the next ``horizon_days`` of a rolling window take away (module docstring)."""
    as_of = result.as_of
    book = choose_version(program, as_of)
    until = as_of + dt.timedelta(days=horizon_days)
    mine = [r for r in records if r.date <= as_of]
    counted: dict[str, float] = {}
    for placement in result.allocations:
        counted[placement.record] = counted.get(placement.record, 0.0) + placement.hours
    leaving = []
    for record in mine:
        if record.id not in counted:
            continue
        last = last_day_in_window(record.date, book.window_months, book.window_start_inclusive)
        if as_of <= last < until:
            leaving.append(Leaving(record.id, record.date, last, round(counted[record.id], 4)))
    leaving.sort(key=lambda item: (item.last_day, item.record))
    later = audit(_without_apply_by(program), mine, until, result.specialty)
    incomplete_from = None
    if result.complete:
        for day in change_points(program, mine, as_of, until):
            if not is_complete(program, mine, day, result.specialty):
                incomplete_from = day
                break
    return AgeingOut(until, tuple(leaving), later.complete, later.hours_needed, incomplete_from)


def change_points(
    program: CompiledProgram, records: Sequence[EducationRecord], after: dt.date, until: dt.date
) -> list[dt.date]:
    """The days in ``(after, until]`` on which the audit of ``records`` may change, in order (module docstring).

    A day is one when the rule version in force differs from the day before's, or when a record that the day
    before's window held (under the version in force that day before) is no longer held. Days between two change
    points see the same records under the same version, hence the same audit.
    """
    if until <= after:
        return []
    days: set[dt.date] = set()
    for version in program.versions:
        # the first day whose anchor reaches the version (``choose_version``): its effective date, or, anchored on
        # the window's start, the day after the last one whose window still starts before it
        first = version.effective_from
        if program.version_anchor == "window_start":
            first = last_day_in_window(first - ONE_DAY, program.versions[0].window_months, True) + ONE_DAY
        if after < first <= until:
            days.add(first)
    segments = sorted({after, *days})
    for start, end in zip(segments, [*segments[1:], until], strict=True):
        # within [start, end] one version is in force (the one of ``start``): records leave its window once each
        book = choose_version(program, start)
        for record in records:
            if record.date > start:
                continue
            leaves = last_day_in_window(record.date, book.window_months, book.window_start_inclusive) + ONE_DAY
            if start < leaves <= end:
                days.add(leaves)
    return sorted(days)


def _without_apply_by(program: CompiledProgram) -> CompiledProgram:
    """The program as audited for a look-ahead day: the same rules, without the apply-by search."""
    return dataclasses.replace(program, apply_by=False) if program.apply_by else program


def deadline(records: Sequence[EducationRecord], result: Audit, today: dt.date) -> Deadline:
    """Days left in the cycle ending on the audit's as-of date, and the monthly pace needed and achieved."""
    cycle_end = result.as_of
    days_left = max(0, (cycle_end - today).days)
    months_left = round(days_left / DAYS_PER_MONTH, 2)
    per_month = None
    if days_left > 0 and result.hours_needed > 0:
        per_month = round(result.hours_needed / (days_left / DAYS_PER_MONTH), 2)
    start = result.window_from
    elapsed_days = (min(today, cycle_end) - start).days
    so_far = round(sum(p.hours for p in result.allocations if _dated_by(records, p.record, today)), 4)
    pace = round(so_far / (elapsed_days / DAYS_PER_MONTH), 2) if elapsed_days > 0 else None
    if result.hours_needed <= 0:
        on_pace = True
    elif days_left == 0 or pace is None:
        on_pace = False
    else:
        on_pace = pace * (days_left / DAYS_PER_MONTH) >= result.hours_needed
    return Deadline(today, cycle_end, days_left, months_left, result.hours_needed, per_month, so_far, pace, on_pace)


def _dated_by(records: Sequence[EducationRecord], record_id: str, today: dt.date) -> bool:
    """Whether the record of that id is dated on or before ``today`` (carried-over hours count as earned)."""
    for record in records:
        if record.id == record_id:
            return record.date <= today
    return True


def outlook(program: CompiledProgram, records: Sequence[EducationRecord], result: Audit, today: dt.date) -> Outlook:
    """The view that fits the program's window: ageing-out for a rolling one, the deadline for a cycle."""
    book = choose_version(program, result.as_of)
    if book.window_kind == "rolling":
        return Outlook(ageing_out(program, records, result), None)
    return Outlook(None, deadline(records, result, today))
