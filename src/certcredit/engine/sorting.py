"""Sorting a person's records: which may count (the allocation's items) and which do not, with the reason.

Written once for every audit: the careful path (``engine.audit``, records read by ``engine.records``), the nested
programs (``engine.nested_audit``), the planner and the batch's fast lane (``engine.bulk``, records decoded
straight from JSON) all call ``sort_records``. The steps, in order (RULES.md; docs/audit.md lists the reasons):

1. after the as-of date, outside the window, shorter than the minimum, a format that does not count;
2. repeats: of the counting records that give the same course again (same format, or same repeated activity, and
   the same title ignoring case and runs of spaces), only the earliest is kept, eligible or not;
3. an activity the program does not know, no eligible requirement, no credit after rounding.

A record is anything with the attributes ``date``, ``minutes``, ``format``, ``category``, ``subject_area``,
``topic`` and ``title`` (and ``activity`` for nested programs).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from certcredit.engine.allocate import Item
from certcredit.engine.windows import window_start

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


_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 16)
def same_course_key(title: str) -> str:
    """Titles equal ignoring case and runs of spaces name the same course (RULES.md, repeats)."""
    return _SPACES.sub(" ", title).strip().casefold()


@functools.lru_cache(maxsize=4096)
def first_counting_day(as_of: dt.date, window_months: int, inclusive: bool) -> dt.date:
    """The first day a record dated on or before ``as_of`` counts: the window's start, or the day after it."""
    start = window_start(as_of, window_months)
    return start if inclusive else start + dt.timedelta(days=1)


#: A kind of record's route, as ``engine.prepared`` works it out once per rulebook and specialty:
#: ``(options, caps, first cap or -1, only option or -1)``, which ends each of its items (``allocate.Item``);
#: a flag: 0 for a plain kind, the reason when its format does not count, else ``REPEATS`` and/or ``REFUSED``;
#: the group its repeats are judged in (its format, or ``activity:<activity>``), or None;
#: and the reason it does not count after repeats (``REFUSED``: unknown activity, no eligible requirement).
Route = tuple[tuple[tuple[int, ...], tuple[int, ...], int, int], int | str, str | None, str | None]
REPEATS = 1
REFUSED = 2


class Routes(Protocol):
    """What ``sort_records`` asks of a prepared rulebook (``engine.prepared.PreparedRulebook``)."""

    @property
    def table(self) -> Mapping[tuple[Any, ...], Route]: ...
    @property
    def nested(self) -> bool: ...
    @property
    def may_lack_credit(self) -> bool: ...
    @property
    def minimum(self) -> int: ...
    @property
    def short_reason(self) -> str: ...
    @property
    def window_months(self) -> int: ...
    @property
    def inclusive(self) -> bool: ...
    def route_of(self, key: tuple[Any, ...]) -> Route: ...
    def ticks(self, minutes: int) -> int: ...


@dataclass(slots=True)
class SortedRecords:
    """The records that may count, as allocation items in input order, and the others' reasons by position."""

    items: list[Item]
    unused: dict[int, str]

    @property
    def counting(self) -> list[Any]:
        """The records of ``items``, in the same order."""
        return [item[1] for item in self.items]


def record_id(record: Any, _position: int) -> str:
    """A read record's id (``engine.records.Record.id``)."""
    return str(record.id)


def sort_records(
    routes: Routes,
    records: Iterable[Any],
    as_of: dt.date,
    positions: Sequence[int] | None = None,
    name_of: Callable[[Any, int], str] = record_id,
    first_day: dt.date | None = None,
) -> SortedRecords:
    """Split ``records`` into items that may count and unused ones (the module docstring's steps).

    ``positions`` are the records' 1-based places in the person's list (default: 1, 2, ...); ``name_of`` gives a
    record's id from it and its position (a repeat names the record it repeats); ``first_day`` is
    ``first_counting_day`` of the as-of date, when the caller has it at hand.
    """
    if first_day is None:
        first_day = first_counting_day(as_of, routes.window_months, routes.inclusive)
    table = routes.table
    minimum = routes.minimum
    may_lack_credit = routes.may_lack_credit
    nested = routes.nested
    short_reason = routes.short_reason
    unused: dict[int, str] = {}
    items: list[Item] = []
    repeats: list[tuple[int, str]] = []
    afterwards: dict[int, str] = {}
    numbered = enumerate(records, 1) if positions is None else zip(positions, records, strict=True)
    for position, record in numbered:
        day = record.date
        if day > as_of:
            unused[position] = AFTER_AS_OF
            continue
        if day < first_day:
            unused[position] = OUTSIDE_WINDOW
            continue
        minutes = record.minutes
        if minutes < minimum:
            unused[position] = short_reason
            continue
        if nested:
            key: tuple[Any, ...] = (record.category, record.subject_area, record.topic, record.format, record.activity)
        else:
            key = (record.category, record.subject_area, record.topic, record.format)
        route = table.get(key)
        if route is None:
            route = routes.route_of(key)
        flag = route[1]
        if flag:
            if flag.__class__ is str:  # a format that does not count
                unused[position] = flag
                continue
            if flag & REPEATS and record.title:  # type: ignore[operator]
                repeats.append((len(items), route[2]))  # type: ignore[arg-type]
            if flag & REFUSED:  # type: ignore[operator]
                afterwards[len(items)] = route[3]  # type: ignore[assignment]
        if may_lack_credit:
            ticks = routes.ticks(minutes)
            if ticks <= 0 and len(items) not in afterwards:
                afterwards[len(items)] = NO_CREDIT
            items.append((position, record, ticks, day) + route[0])
        else:
            items.append((position, record, minutes, day) + route[0])
    dropped = drop_repeats(items, repeats, unused, name_of) if repeats else ()
    if dropped or afterwards:
        kept: list[Item] = []
        for index, item in enumerate(items):
            if index in dropped:
                continue
            reason = afterwards.get(index)
            if reason is not None:
                unused[item[0]] = reason
                continue
            kept.append(item)
        items = kept
    return SortedRecords(items, unused)


def sort_for_audit(routes: Routes, records: Sequence[Any], as_of: dt.date) -> SortedRecords:
    """``sort_records`` for read records (``engine.records.Record``: each knows its position in the person's list)."""
    return sort_records(routes, records, as_of, [r.position for r in records])


def drop_repeats(
    items: list[Item], repeats: list[tuple[int, str]], unused: dict[int, str], name_of: Callable[[Any, int], str]
) -> set[int]:
    """Of the items that give a course again, keep the earliest (by date, then position); mark the others unused.

    ``repeats`` holds the index of each item that may repeat a course, with its group (its format, or its
    activity); the indices of the dropped items are returned.
    """
    first_of: dict[tuple[str, str], tuple[dt.date, int, int]] = {}
    keys: list[tuple[str, str] | None] = []
    for index, group in repeats:
        position, record, _, day = items[index][:4]
        course = same_course_key(record.title)
        if not course:
            keys.append(None)
            continue
        key = (group, course)
        keys.append(key)
        first = first_of.get(key)
        if first is None or (day, position) < first[:2]:
            first_of[key] = (day, position, index)
    if len(first_of) == len(repeats):  # every course once: nothing to drop
        return set()
    dropped: set[int] = set()
    for (index, _), course_key in zip(repeats, keys, strict=True):
        if course_key is not None:
            first = first_of[course_key]
            if first[2] != index:
                kept = items[first[2]]
                unused[items[index][0]] = repeat_of(name_of(kept[1], kept[0]))
                dropped.add(index)
    return dropped
