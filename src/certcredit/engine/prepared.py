"""A rule version prepared for auditing people under it: built once per rule version and specialty, then only read.

Every audit of a version asks the same questions again and again: where does a kind of record go (its eligible
buckets, its caps, whether it can repeat a course, why it cannot count), what are the version's allocation numbers,
how does a number of ticks read in hours. ``prepare`` answers them all at once, for every kind of record the
vocabulary allows, and keeps the answer (``PreparedRulebook``, immutable) for the next person; the compiled
``Rulebook`` itself stays plain data. The careful path (``engine.audit``), the nested programs and the batch's
fast lane (``engine.bulk``) all read the same prepared rulebook.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any

from certcredit.engine.allocate import AllocationProblem
from certcredit.engine.sorting import (
    NO_REQUIREMENT,
    REFUSED,
    REPEATS,
    Route,
    format_does_not_count,
    shorter_than,
    unknown_activity,
)
from certcredit.rules.compiled import Rulebook
from certcredit.values.vocabulary import CATEGORIES, FORMATS, SUBJECT_AREAS, TOPICS

#: hours are looked up in a table below this many ticks (above it they are worked out: the same rounding)
HOURS_TABLE_TICKS = 1 << 11
#: prepared versions kept (a program has a few versions, a batch a few specialties)
KEEP = 64


@dataclass(frozen=True, slots=True)
class PreparedRulebook:
    """A rule version ready for auditing people with one specialty (``prepare``). Nothing in it changes."""

    book: Rulebook
    specialty: str | None
    #: the allocation numbers (``allocate.allocate``)
    problem: AllocationProblem
    #: the ``rules_version`` an audit reports, e.g. ``clm-recertification@1997-01-01``
    label: str
    #: records count their minutes as they are (no rounding step)
    exact: bool
    #: a record long enough to count may still earn no credit (a rounding step, or no minimum length)
    may_lack_credit: bool
    minimum: int
    short_reason: str
    window_months: int
    inclusive: bool
    #: the version nests requirements (``engine.nested``): its routes are keyed by activity too
    nested: bool
    #: a kind of record -> its route (``sorting.Route``): ``(category, subject area, topic, format)``, with the
    #: record's own activity last for a nested version; every kind the vocabulary allows is in it
    table: dict[tuple[Any, ...], Route]
    #: ticks -> hours, below ``HOURS_TABLE_TICKS``
    hours_table: tuple[float, ...]

    def hours(self, ticks: int) -> float:
        """Ticks as hours rounded to 4 decimals (SPEC.md)."""
        if 0 <= ticks < HOURS_TABLE_TICKS:
            return self.hours_table[ticks]
        return self.book.hours(ticks)

    def ticks(self, minutes: int) -> int:
        """A record's credit in ticks after the version's rounding step."""
        return minutes if self.exact else self.book.ticks(minutes)

    def route_of(self, key: tuple[Any, ...]) -> Route:
        """The route of a kind of record, from the table or, for a kind outside it (an activity the program does
        not declare), worked out the same way."""
        found = self.table.get(key)
        return found if found is not None else _route(self.book, self.specialty, key)


_PREPARED: dict[tuple[int, str | None], PreparedRulebook] = {}
_LOCK = threading.Lock()


def prepare(book: Rulebook, specialty: str | None) -> PreparedRulebook:
    """The prepared form of ``book`` for people with ``specialty`` (already resolved), built on first use."""
    key = (id(book), specialty)
    found = _PREPARED.get(key)
    if found is not None and found.book is book:  # the entry holds the book, so its id is not reused meanwhile
        return found
    found = _build(book, specialty)
    with _LOCK:
        if len(_PREPARED) >= KEEP:
            _PREPARED.clear()
        _PREPARED[key] = found
    return found


def _build(book: Rulebook, specialty: str | None) -> PreparedRulebook:
    nested = book.nesting is not None
    kinds: Any = itertools.product((None, *CATEGORIES), (None, *SUBJECT_AREAS), (None, *TOPICS), FORMATS)
    if book.nesting is not None:
        activities = (None, *book.nesting.activities)
        kinds = ((*kind, activity) for kind in kinds for activity in activities)
    same: dict[tuple[Any, ...], Route] = {}  # kinds that differ only in a subject area their category implies
    table = {}
    for kind in kinds:
        effective = (kind[0], book.subject_area_of(kind[0], kind[1]), *kind[2:])
        found = same.get(effective)
        if found is None:
            found = same[effective] = _route(book, specialty, kind)
        table[kind] = found
    per_hour = book.minutes_per_hour
    exact = book.step_minutes == 1 or book.rounding == "none"
    return PreparedRulebook(
        book=book,
        specialty=specialty,
        problem=AllocationProblem(
            required=tuple(b.required for b in book.buckets),
            cap_limits=tuple(c.limit for c in book.caps),
            total_required=book.total.required if book.total is not None else None,
            splitting=book.splitting,
            overlapping_caps=any(len(caps) > 1 for caps in book.caps_of_format.values()),
        ),
        label=book.label,
        exact=exact,
        may_lack_credit=not exact or book.min_record_minutes <= 0,
        minimum=book.min_record_minutes,
        short_reason=shorter_than(book.min_record_minutes),
        window_months=book.window_months,
        inclusive=book.window_start_inclusive,
        nested=nested,
        table=table,
        hours_table=tuple(round(ticks / per_hour, 4) for ticks in range(HOURS_TABLE_TICKS)),
    )


def _route(book: Rulebook, specialty: str | None, key: tuple[Any, ...]) -> Route:
    """Where a kind of record goes under ``book`` (``sorting.Route``)."""
    category, area, topic, fmt = key[:4]
    if fmt not in book.counting_formats:
        return ((), (), -1, -1), format_does_not_count(fmt), None, None
    caps = book.caps_of_format.get(fmt, ())
    group = fmt if fmt in book.repeat_formats else None
    refused: str | None = None
    nesting = book.nesting
    if nesting is None:
        options, to_total, _ = book.route(category, area, topic, fmt, specialty)
        if not (options or to_total):
            refused = NO_REQUIREMENT
    else:
        own = key[4]
        if group is None and own is not None and own in nesting.repeat_activities:
            group = "activity:" + own
        activity = own or nesting.default_activity
        if activity is not None and nesting.activities and activity not in nesting.activities:
            options, refused = (), unknown_activity(activity)
        else:
            options = _nested_options(book, category, area, topic, activity, fmt, specialty)
            if not options:
                refused = NO_REQUIREMENT
    flag = (REPEATS if group is not None else 0) | (REFUSED if refused is not None else 0)
    only = options[0] if len(options) == 1 else -1
    return (options, caps, caps[0] if caps else -1, only), flag, group, refused


def _nested_options(
    book: Rulebook,
    category: str | None,
    area: str | None,
    topic: str | None,
    activity: str | None,
    fmt: str,
    specialty: str | None,
) -> tuple[int, ...]:
    """A nested program's options for a record: the buckets that take it, and -1 when the total takes it directly
    (activities are matched as well as categories, areas and topics)."""
    area = book.subject_area_of(category, area)
    options = tuple(
        i
        for i, b in enumerate(book.buckets)
        if b.eligibility.accepts_activity(category, area, topic, activity, fmt, specialty)
    )
    total_only = book.total_only
    if total_only is not None and total_only.accepts_activity(category, area, topic, activity, fmt, specialty):
        options += (-1,)
    return options
