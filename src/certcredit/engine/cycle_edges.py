"""A cycle's edges in nested programs: a person's first cycle (begun on a given day: a longer window with a
look-back, prorated requirements) and the grace period after a cycle's end (docs/rules.md, "First cycles",
"Grace period")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from certcredit.engine.nested import NestedItem
from certcredit.engine.prepared import prepare
from certcredit.engine.records import EducationRecord
from certcredit.engine.sorting import SortedRecords, sort_for_audit, sort_records
from certcredit.engine.windows import add_months, window_start
from certcredit.rules.compiled import Rulebook


def grace_counted(cycle_end: dt.date) -> str:
    """The reason a record earned in the grace period of the cycle before does not count again."""
    return f"counted for the cycle ending {cycle_end.isoformat()} (earned in its grace period)"


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
    )
    return prorated, first_day


def sort_from(
    book: Rulebook, records: Sequence[EducationRecord], as_of: dt.date, specialty: str | None, first_day: dt.date | None
) -> SortedRecords:
    """``sorting.sort_for_audit``, with a first cycle's own first day (inclusive) when one is given."""
    if first_day is None:
        return sort_for_audit(prepare(book, specialty), records, as_of)
    return sort_records(prepare(book, specialty), records, as_of, [r.position for r in records], first_day=first_day)


def grace_items(
    book: Rulebook,
    records: Sequence[EducationRecord],
    as_of: dt.date,
    specialty: str | None,
    start_key: int,
    year: int,
    start_rank: int,
) -> tuple[list[NestedItem], list[EducationRecord], dt.date | None]:
    """Records dated in the grace period after ``as_of``, as items that count only when the cycle needs them."""
    nesting = book.nesting
    if nesting is None or nesting.grace is None:
        return [], [], None
    until = as_of + dt.timedelta(days=nesting.grace.days)
    late = [r for r in records if as_of < r.date <= until]
    if not late:
        return [], [], until
    shifted = [dataclasses.replace(r, date=as_of) for r in late]
    found = sort_for_audit(prepare(book, specialty), shifted, as_of)
    by_position = {r.position: r for r in late}
    items = []
    kept = []
    for offset, (_, record, ticks, _, options, *_) in enumerate(found.items):
        items.append(NestedItem(start_key + offset, ticks, options, record.format, year, start_rank + offset, True))
        kept.append(by_position[record.position])
    return items, kept, until
