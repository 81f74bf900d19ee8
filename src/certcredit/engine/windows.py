"""Calendar windows: month arithmetic with month-end clamping, and the dates a record stays in a window.

RULES.md: a date minus months that lands on a missing day takes the month's last day (2028-02-29 minus 24 months
is 2026-02-28).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools

ONE_DAY = dt.timedelta(days=1)


@functools.lru_cache(maxsize=1 << 16)
def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` (negative goes back), clamped to the last day of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def window_start(as_of: dt.date, months: int) -> dt.date:
    """The window's boundary day: ``as_of`` minus ``months``."""
    return add_months(as_of, -months)


def in_window(day: dt.date, as_of: dt.date, months: int, start_inclusive: bool) -> bool:
    """Whether a record dated ``day`` counts for the window ending on ``as_of``."""
    if day > as_of:
        return False
    start = window_start(as_of, months)
    return day >= start if start_inclusive else day > start


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked again for the same dates by each audit and outlook
def last_day_in_window(day: dt.date, months: int, start_inclusive: bool) -> dt.date:
    """The last as-of date whose window still holds a record dated ``day`` (the window's start only moves forward).

    Clamping makes several as-of dates share one start (2028-02-28 and 2028-02-29 both start on 2026-02-28), so
    we step past ``day + months`` while the start still admits the record: at most a few days.
    """
    candidate = add_months(day, months)
    while in_window(day, candidate + ONE_DAY, months, start_inclusive):
        candidate += ONE_DAY
    while not in_window(day, candidate, months, start_inclusive):
        candidate -= ONE_DAY
    return candidate
