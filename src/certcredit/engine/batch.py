"""The bulk path: one person's audit straight from parsed JSON to SPEC.md's object, without intermediate objects.

``audit_json(audit(...))`` is the reference path; this one gives the same object (a property test holds them
equal) for the common case: well-formed records and a program without an apply-by date or a rounding step. Any
other person takes the reference path, so the short path never has to be right about the unusual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from certcredit.engine.allocate import Allocation, Item, allocate
from certcredit.engine.audit import (
    AFTER_AS_OF,
    CAPPED,
    NO_REQUIREMENT,
    OUTSIDE_WINDOW,
    _problem,
    audit,
    choose_version,
    format_does_not_count,
    records_from_items,
    repeat_of,
    same_course_key,
    shorter_than,
)
from certcredit.engine.report import audit_json
from certcredit.engine.windows import window_start
from certcredit.rules.compiled import CompiledProgram, Rulebook
from certcredit.values.vocabulary import CATEGORIES, DEFAULT_FORMAT, FORMATS, SUBJECT_AREAS, TOPICS

_CATEGORIES = frozenset(CATEGORIES)
_AREAS = frozenset(SUBJECT_AREAS)
_TOPICS = frozenset(TOPICS)
_FORMATS = frozenset(FORMATS)
_fromisoformat = dt.date.fromisoformat
#: marks a candidate that no requirement accepts (decided after repeats, as in the reference path)
_NOWHERE: tuple[int, ...] = (-1,)


def audit_person(
    program: CompiledProgram, raw: Sequence[Any], as_of: dt.date, specialty: str | None, line: int
) -> tuple[dict[str, Any], int, str]:
    """SPEC.md's audit object for one batch person, the rejected records (as in its ``rejected``), the method."""
    found = _short_path(program, raw, as_of, specialty)
    if found is not None:
        return found
    records, rejected = records_from_items(raw, line)
    result = audit(program, records, as_of, specialty, rejected)
    return audit_json(result), len(rejected), result.method


def _short_path(
    program: CompiledProgram, raw: Sequence[Any], as_of: dt.date, specialty: str | None
) -> tuple[dict[str, Any], int, str] | None:
    book = choose_version(program, as_of)
    if program.apply_by or book.nesting is not None or not (book.step_minutes == 1 or book.rounding == "none"):
        return None
    specialty = book.resolve_specialty(specialty)
    start = window_start(as_of, book.window_months)
    inclusive = book.window_start_inclusive
    minimum = book.min_record_minutes
    counting_formats = book.counting_formats
    repeat_formats = book.repeat_formats
    known = _known_records(book, specialty)
    if len(known) > _KNOWN_LIMIT:
        known.clear()
    unused: dict[int, str] = {}
    ids: list[str] = []
    # counting candidates: position, id, date, minutes, format, title, options, caps
    candidates: list[tuple[int, str, dt.date, int, str, str, tuple[int, ...], tuple[int, ...]]] = []
    repeats_seen = nowhere = False
    for position, data in enumerate(raw, start=1):
        if type(data) is not dict:
            return None
        get = data.get
        minutes = get("minutes")
        if type(minutes) is not int:
            return None
        fmt = get("format", DEFAULT_FORMAT)
        key = (get("date"), minutes, fmt, get("category"), get("subject_area"), get("topic"))
        try:
            seen = known[key]
        except KeyError:
            seen = known[key] = _read_record(book, specialty, key)
        except TypeError:  # an unhashable value: the careful path will name it
            return None
        if seen is None:
            return None
        day, options, caps = seen
        nowhere = nowhere or options is _NOWHERE
        ident = get("id")
        rid = str(position) if ident is None or ident == "" else str(ident)
        ids.append(rid)
        if day > as_of:
            unused[position] = AFTER_AS_OF
        elif day < start or (day == start and not inclusive):
            unused[position] = OUTSIDE_WINDOW
        elif minutes < minimum:
            unused[position] = shorter_than(minimum)
        elif fmt not in counting_formats:
            unused[position] = format_does_not_count(fmt)
        else:
            if minutes <= 0:
                return None
            title = ""
            if fmt in repeat_formats:
                given = get("title")
                if type(given) is not str:
                    return None
                title = given
                repeats_seen = True
            candidates.append((position, rid, day, minutes, fmt, title, options, caps))
    if repeats_seen:  # the earliest counting record of a course is kept, eligible or not (RULES.md)
        candidates = _drop_repeats(candidates, repeat_formats, unused)
    if nowhere:
        for c in candidates:
            if c[6] is _NOWHERE:
                unused[c[0]] = NO_REQUIREMENT
        candidates = [c for c in candidates if c[6] is not _NOWHERE]
    items = [Item(key, c[3], c[6], c[7], c[2].toordinal()) for key, c in enumerate(candidates)]
    allocation = allocate(_problem(book), items)
    return _object(program.id, book, as_of, specialty, start, allocation, candidates, ids, unused), 0, allocation.method


_KNOWN_LIMIT = 500_000
_KnownRecord = tuple[dt.date, tuple[int, ...], tuple[int, ...]]


def _known_records(book: Rulebook, specialty: str | None) -> dict[tuple[Any, ...], _KnownRecord | None]:
    """Per rulebook and specialty: what a record's (date, minutes, format, category, area, topic) means.

    Members of one association attend the same sessions, so a batch meets the same record many times; reading it
    once (validation, date, eligible buckets, caps) and remembering the answer halves the per-record work.
    """
    name = f"batch-known:{specialty}"
    found = book.memo.get(name)
    if not isinstance(found, dict):
        found = book.memo[name] = {}
    return found


def _read_record(book: Rulebook, specialty: str | None, key: tuple[Any, ...]) -> _KnownRecord | None:
    """The meaning of a record's key fields, or None when the short path cannot take it (the careful path will)."""
    day_text, minutes, fmt, category, area, topic = key
    if not (
        minutes >= 0
        and type(day_text) is str
        and len(day_text) == 10
        and type(fmt) is str
        and fmt in _FORMATS
        and (category is None or (type(category) is str and category in _CATEGORIES))
        and (area is None or (type(area) is str and area in _AREAS))
        and (topic is None or (type(topic) is str and topic in _TOPICS))
    ):
        return None
    try:
        day = _fromisoformat(day_text)
    except ValueError:
        return None
    options, to_total, caps = book.route(category, area, topic, fmt, specialty)
    return day, options if (options or to_total) else _NOWHERE, caps


def _drop_repeats(
    candidates: list[tuple[int, str, dt.date, int, str, str, tuple[int, ...], tuple[int, ...]]],
    repeat_formats: frozenset[str],
    unused: dict[int, str],
) -> list[tuple[int, str, dt.date, int, str, str, tuple[int, ...], tuple[int, ...]]]:
    first_of: dict[tuple[str, str], tuple[dt.date, int, str]] = {}
    for position, rid, day, _, fmt, title, _, _ in candidates:
        if fmt in repeat_formats and title.strip():
            key = (fmt, same_course_key(title))
            first = first_of.get(key)
            if first is None or (day, position) < first[:2]:
                first_of[key] = (day, position, rid)
    kept = []
    for candidate in candidates:
        position, _, _, _, fmt, title, _, _ = candidate
        if fmt in repeat_formats and title.strip():
            first = first_of[(fmt, same_course_key(title))]
            if first[1] != position:
                unused[position] = repeat_of(first[2])
                continue
        kept.append(candidate)
    return kept


def _object(
    program_id: str,
    book: Rulebook,
    as_of: dt.date,
    specialty: str | None,
    start: dt.date,
    allocation: Allocation,
    candidates: list[tuple[int, str, dt.date, int, str, str, tuple[int, ...], tuple[int, ...]]],
    ids: list[str],
    unused: dict[int, str],
) -> dict[str, Any]:
    cache = book._hours_cache
    per_hour = book.minutes_per_hour

    def hours(ticks: int) -> float:
        found = cache.get(ticks)
        if found is None:
            found = cache[ticks] = round(ticks / per_hour, 4)
        return found

    counted = allocation.counted
    requirements = []
    for i, requirement in enumerate(book.buckets):
        have, need = counted[i], requirement.required
        requirements.append(
            {
                "id": requirement.id,
                "required_hours": hours(need),
                "counted_hours": hours(have),
                "met": have >= need,
                "hours_needed": hours(need - have if have < need else 0),
            }
        )
    total = book.total
    if total is not None:
        requirements.append(
            {
                "id": total.id,
                "required_hours": hours(total.required),
                "counted_hours": hours(allocation.total_counted),
                "met": allocation.total_counted >= total.required,
                "hours_needed": hours(allocation.total_shortfall),
            }
        )
    # index -1 (toward the total only) names the total
    names = [b.id for b in book.buckets] + [total.id if total is not None else "total"]
    allocations: list[dict[str, Any]] = []
    append = allocations.append
    cached = cache.get
    for key, bucket, ticks in allocation.parts:
        candidate = candidates[key]
        spent = cached(ticks)
        if spent is None:
            spent = hours(ticks)
        if ticks < candidate[3]:
            append(
                {
                    "record": candidate[1],
                    "requirement": names[bucket],
                    "hours": spent,
                    "record_hours": hours(candidate[3]),
                }
            )
        else:
            append({"record": candidate[1], "requirement": names[bucket], "hours": spent})
    placed = len(allocations)
    if placed < len(candidates):
        done = {key for key, _, _ in allocation.parts}
        for key, candidate in enumerate(candidates):
            if key not in done:
                unused[candidate[0]] = CAPPED
    return {
        "program": program_id,
        "as_of": as_of.isoformat(),
        "rules_version": book.label,
        "complete": allocation.needed == 0,
        "hours_needed": hours(allocation.needed),
        "apply_by": None,
        "requirements": requirements,
        "allocations": allocations,
        "unused": [{"record": ids[position - 1], "reason": unused[position]} for position in sorted(unused)],
        "rejected": [],
        "specialty": specialty,
        "window": {"from": start.isoformat(), "from_inclusive": book.window_start_inclusive, "to": as_of.isoformat()},
    }
