"""The years of a nested program's window, its records as solver items, and what a cycle asks for in all."""

from __future__ import annotations

import datetime as dt

from certcredit.engine.nested import NestedItem
from certcredit.engine.sorting import SortedRecords
from certcredit.engine.windows import add_months, window_start
from certcredit.rules.compiled import Rulebook


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


def nested_items(sorted_records: SortedRecords, bounds: list[tuple[dt.date, dt.date]]) -> list[NestedItem]:
    records = sorted_records.counting
    order = sorted(range(len(records)), key=lambda i: (records[i].date, records[i].position))
    rank = {index: place for place, index in enumerate(order)}
    return [
        NestedItem(key, ticks, options, record.format, year_of(bounds, record.date), rank[key])
        for key, (_, record, ticks, _, options, *_) in enumerate(sorted_records.items)
    ]


def required_total(book: Rulebook) -> int:
    """What a cycle asks for in all: the total's minimum, else the sum of the top-level minimums."""
    if book.total is not None:
        return book.total.required
    nesting = book.nesting
    assert nesting is not None
    return sum(b.required for b, parent in zip(book.buckets, nesting.parents, strict=True) if parent < 0)
