"""The batch's fast lane: a JSON Lines person straight to the bytes of its audit line, for the common case.

A whole association re-audited is millions of people whose records repeat (members attend the same sessions), so
the work per person must be a few dictionary look-ups, not a parse per record:

* a line is decoded by ``msgspec`` straight into typed structs (C speed; the vocabulary, the dates and the
  minutes are validated by the decoder, and a line it refuses goes to the careful path);
* where a kind of record goes (its eligible buckets and caps) is one look-up in a table per rulebook and
  specialty, filled as kinds appear;
* an allocation that needs no choice is realised here on plain lists; any choice left goes to the engine's
  ``allocate`` (the same exact method, so the same answer);
* the output line is assembled from remembered JSON fragments instead of building and dumping dictionaries.

The answer is byte for byte ``orjson.dumps`` of the reference object (``audit_json(audit(...))`` with ``person``
first), which a property test checks. Whatever this lane does not know (a malformed line or record, a rejected
record, a complete person of a program with an apply-by date, a rounding step, a rulebook field it was not
written for) makes ``line`` return None, and the caller takes the careful path for that line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import re
from typing import Annotated, Any, Literal, TypeVar

import msgspec
import orjson

from certcredit.engine.allocate import Allocation, Item, Problem, _cap_spread, allocate, settled
from certcredit.engine.audit import (
    AFTER_AS_OF,
    CAPPED,
    NO_REQUIREMENT,
    OUTSIDE_WINDOW,
    _problem,
    choose_version,
    format_does_not_count,
    repeat_of,
    same_course_key,
    shorter_than,
)
from certcredit.engine.windows import window_start
from certcredit.rules.compiled import Bucket, CapRule, CompiledProgram, Eligibility, Rulebook
from certcredit.values import row
from certcredit.values.duration import MAX_MINUTES

#: The rulebook fields this lane was written for. A rulebook carrying any other field with a value other than its
#: default uses a feature the lane does not know, so its people take the careful path.
_KNOWN_FIELDS: dict[type[Any], frozenset[str]] = {
    Rulebook: frozenset(
        (
            *("program", "program_name", "effective_from", "minutes_per_hour", "step_minutes", "rounding"),
            *("min_record_minutes", "window_kind", "window_months", "window_start_inclusive", "counting_formats"),
            *("splitting", "default_subject_areas", "specialty_choices", "specialty_required", "specialty_aliases"),
            *("buckets", "total", "total_only", "caps", "repeat_formats", "apply_by", "caps_of_format"),
            *("_eligibility_cache", "_route_cache", "_hours_cache", "memo"),
        )
    ),
    Bucket: frozenset(("id", "name", "required", "eligibility")),
    Eligibility: frozenset(("categories", "subject_areas", "topics", "formats", "exclude_specialty")),
    CapRule: frozenset(("id", "formats", "limit")),
}
#: remembered output fragments (mostly record ids) before the memo is cleared
MEMO_LIMIT = 200_000
#: a record that no requirement accepts and that does not count toward the total
_NOWHERE: tuple[int, ...] = (-1,)
#: marks an (as-of, specialty) pair not met yet
_UNSEEN: Any = object()

# The vocabulary (values/vocabulary.py; a unit test holds them equal), spelled out for the decoder and for mypy.
Format = Literal["in_person", "live_online", "recorded", "self_study", "teaching"]
Category = Literal[
    "writing", "communication", "self_management", "information_technology", "organizational_development"
]
Area = Literal["HR", "FM", "OM", "LI", "CM"]
Topic = Literal["business_ethics", "substance_abuse"]
Venue = Literal["ala_conference"]


class _Record(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A record as the fast lane takes it: SPEC.md's keys with their plain values (anything else: careful path).

    Unknown keys are refused rather than skipped, so the decoder has read every byte of the line with the same
    strictness as the careful path's JSON reader (which rejects e.g. invalid UTF-8 or ``1e400`` anywhere).
    The bounds are the one reading's (``values.row``): a record outside them (0 minutes, 1,000,000 minutes, a
    title too long) is for the careful path, which rejects it; a NUL anywhere sends the line there too
    (``_UNUSUAL``), and the decoder refuses a lone surrogate itself.
    """

    date: dt.date
    minutes: Annotated[int, msgspec.Meta(ge=1, le=MAX_MINUTES)]
    format: Format = "in_person"
    category: Category | None = None
    subject_area: Area | None = None
    topic: Topic | None = None
    title: Annotated[str, msgspec.Meta(max_length=row.MAX_TITLE)] | None = None
    id: Annotated[str, msgspec.Meta(max_length=row.MAX_ID)] | int | None = None
    description: Annotated[str, msgspec.Meta(max_length=row.MAX_DESCRIPTION)] | None = None
    provider: Annotated[str, msgspec.Meta(max_length=row.MAX_PROVIDER)] | None = None
    venue: Venue | None = None
    time: Annotated[str, msgspec.Meta(max_length=row.MAX_TIME)] | None = None


#: a NUL escaped in a JSON string (the one reading refuses it in any text; no store keeps it); a pattern, since a
#: line may come as a memoryview, which ``in`` would compare byte by byte
_UNUSUAL = re.compile(rb"\\u0000").search


class _Line(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A batch line as the fast lane takes it; any other shape fails to decode and takes the careful path."""

    records: list[_Record]
    person: str | None = None
    as_of: str | None = None
    specialty: str | None = None


_decode_line = msgspec.json.Decoder(_Line).decode
_dumps = orjson.dumps


def _only_known_features(value: Any) -> bool:
    """Whether a rulebook (and its buckets and caps) uses nothing but the fields this lane was written for."""
    known = _KNOWN_FIELDS.get(type(value))
    if known is None:
        return False
    for f in dataclasses.fields(value):
        if f.name not in known:
            if f.default is not dataclasses.MISSING and getattr(value, f.name) == f.default:
                continue
            if f.default_factory is not dataclasses.MISSING and getattr(value, f.name) == f.default_factory():
                continue
            return False
    return True


def supports(book: Rulebook) -> bool:
    """Whether this lane can audit people under ``book`` (else every person takes the careful path)."""
    if not (book.step_minutes == 1 or book.rounding == "none"):
        return False
    if book.window_kind not in ("rolling", "cycle") or len(book.buckets) > 62:  # a bucket packs into 6 bits
        return False
    parts: list[Any] = [book, *book.buckets, *book.caps]
    if book.total is not None:
        parts.append(book.total)
    parts += [b.eligibility for b in book.buckets]
    if book.total_only is not None:
        parts.append(book.total_only)
    return all(_only_known_features(p) for p in parts)


class _Lane:
    """What the lane derives once per rulebook and specialty: the route of each kind of record, and the JSON
    fragments of its requirements, hours and reasons (a batch meets the same few values again and again)."""

    __slots__ = (
        "allocated",
        "book",
        "counting",
        "courses",
        "direct",
        "hours_tail",
        "mids",
        "minimum",
        "partial_tail",
        "problem",
        "reasons",
        "repeat_formats",
        "requirements",
        "routes",
        "short_reason",
        "specialty",
        "totals",
        "unused",
    )

    def __init__(self, book: Rulebook, specialty: str | None) -> None:
        self.book = book
        self.specialty = specialty
        self.problem = _problem(book)
        self.minimum = book.min_record_minutes
        self.short_reason = shorter_than(book.min_record_minutes)
        self.counting = book.counting_formats
        self.repeat_formats = book.repeat_formats
        self.routes: dict[tuple[str | None, str | None, str | None, str], _Route] = {}
        total = book.total
        names = [b.id for b in book.buckets] + [total.id if total is not None else "total"]
        #: bucket index (-1: the total) -> ``"HR","hours":``
        self.mids = [_dumps(name) + b',"hours":' for name in names]
        self.requirements: list[dict[int, bytes]] = [{} for _ in book.buckets]
        self.totals: dict[int, bytes] = {}
        self.hours_tail: dict[int, bytes] = {}
        self.partial_tail: dict[tuple[int, int], bytes] = {}
        self.reasons: dict[str, bytes] = {}
        #: [position][bucket] -> ticks -> a whole allocation entry (bucket -1, the total, is the last row)
        self.allocated: list[list[dict[int, bytes]]] = [
            [{} for _ in range(len(book.buckets) + 1)] for _ in range(_POSITIONS)
        ]
        #: [position] -> reason -> a whole unused entry
        self.unused: list[dict[str, bytes]] = [{} for _ in range(_POSITIONS)]
        #: whether ``_direct`` applies (else every allocation goes to ``allocate``)
        self.direct = not (self.problem.splitting or self.problem.overlapping_caps)
        #: title -> the course it names (``same_course_key``)
        self.courses: dict[str, str] = {}

    def route(self, key: tuple[str | None, str | None, str | None, str]) -> _Route:
        """Where a kind of record goes, with what the record loop asks of its format (``_Route``)."""
        category, area, topic, fmt = key
        if fmt not in self.counting:
            found: _Route = (((), (), -1, -1), format_does_not_count(fmt))
        else:
            options, to_total, caps = self.book.route(category, area, topic, fmt, self.specialty)
            nowhere = not (options or to_total)
            flag = (_REPEAT if fmt in self.repeat_formats else 0) | (_SERVES_NOTHING if nowhere else 0)
            only = options[0] if len(options) == 1 else -1
            found = ((_NOWHERE if nowhere else options, caps, caps[0] if caps else -1, only), flag)
        self.routes[key] = found
        return found

    def requirement(self, index: int, have: int) -> bytes:
        """A requirement's entry, after a comma unless it is the first."""
        book = self.book
        requirement = book.buckets[index]
        need = requirement.required
        found = _bounded(self.requirements[index])[have] = (b"," if index else b"") + _dumps(
            {
                "id": requirement.id,
                "required_hours": book.hours(need),
                "counted_hours": book.hours(have),
                "met": have >= need,
                "hours_needed": book.hours(need - have if have < need else 0),
            }
        )
        return found

    def total(self, counted: int, shortfall: int) -> bytes:
        book = self.book
        total = book.total
        assert total is not None
        found = _bounded(self.totals)[counted] = (b"," if book.buckets else b"") + _dumps(
            {
                "id": total.id,
                "required_hours": book.hours(total.required),
                "counted_hours": book.hours(counted),
                "met": counted >= total.required,
                "hours_needed": book.hours(shortfall),
            }
        )
        return found

    def hours(self, ticks: int) -> bytes:
        found = _bounded(self.hours_tail)[ticks] = _dumps(self.book.hours(ticks)) + b"}"
        return found

    def partial(self, ticks: int, full: int) -> bytes:
        hours = self.book.hours
        found = _bounded(self.partial_tail)[(ticks, full)] = (
            _dumps(hours(ticks)) + b',"record_hours":' + _dumps(hours(full)) + b"}"
        )
        return found

    def reason(self, reason: str) -> bytes:
        found = _bounded(self.reasons)[reason] = _dumps(reason) + b"}"
        return found


_Table = TypeVar("_Table", bound=dict[Any, bytes])


def _bounded(table: _Table, limit: int = MEMO_LIMIT) -> _Table:
    """``table``, emptied first when it holds ``limit`` fragments (odd input must not grow memory for ever)."""
    if len(table) >= limit:
        table.clear()
    return table


#: ((options, or ``_NOWHERE``; caps; the first cap or -1; the only option or -1), a flag): the first part ends each
#: candidate of the kind;
#: the flag is 0 for a plain kind, else ``_REPEAT`` (a repeat format) and/or ``_SERVES_NOTHING``, or the unused
#: reason of a format that does not count
_Route = tuple[tuple[tuple[int, ...], tuple[int, ...], int, int], int | str]
_REPEAT = 1
_SERVES_NOTHING = 2
#: a counting record: position, the record, its credit, date, then its route's options, caps, first cap (or -1) and
#: only option (or -1)
_Candidate = tuple[int, _Record, int, dt.date, tuple[int, ...], tuple[int, ...], int, int]


class _Context:
    """One (as-of date, specialty) of a batch: the version in force, its window and the fixed parts of the line."""

    __slots__ = ("as_of", "first_day", "head", "inclusive", "lane", "start", "tail")

    def __init__(self, program: CompiledProgram, lane: _Lane, as_of: dt.date) -> None:
        book = lane.book
        start = window_start(as_of, book.window_months)
        self.lane = lane
        self.as_of = as_of
        self.start = start
        self.inclusive = book.window_start_inclusive
        #: the first day a record counts: the window's start, or the day after when the start is exclusive
        self.first_day = start if self.inclusive else start + dt.timedelta(days=1)
        head = _dumps({"program": program.id, "as_of": as_of.isoformat(), "rules_version": book.label})
        self.head = b"," + head[1:-1] + b',"complete":'
        tail = _dumps(
            {
                "rejected": [],
                "specialty": lane.specialty,
                "window": {"from": start.isoformat(), "from_inclusive": self.inclusive, "to": as_of.isoformat()},
            }
        )
        self.tail = b"," + tail[1:] + b"\n"


_POSITIONS = 64
#: ticks below this pack into an allocation entry's key (with the position and the bucket)
_TICKS = 1 << 20
_ID_OF = operator.attrgetter("id")
_ALLOCATED_AT = [b',{"record":"%d","requirement":' % k for k in range(_POSITIONS)]
_UNUSED_AT = [b',{"record":"%d","reason":' % k for k in range(_POSITIONS)]


class BulkAuditor:
    """Audits batch lines of one program with the command line's defaults; ``line`` gives the output bytes.

    ``methods`` counts how each allocation was solved (``--stats``).
    """

    def __init__(self, program: CompiledProgram, as_of: str | None, specialty: str | None) -> None:
        self.program = program
        self.default_as_of = as_of
        self.default_specialty = specialty
        self.usable = all(supports(book) for book in program.versions)
        #: an apply-by date is searched only for a complete person: those take the careful path
        self.apply_by = program.apply_by
        self.methods: dict[str, int] = {}
        self._contexts: dict[tuple[str, str | None], _Context | None] = {}
        self._lanes: dict[tuple[int, str | None], _Lane] = {}
        self._allocated_as: dict[str, bytes] = {}
        self._unused_as: dict[str, bytes] = {}

    def _context(self, as_of_text: str, specialty: str | None) -> _Context | None:
        key = (as_of_text, specialty)
        try:
            return self._contexts[key]
        except KeyError:
            pass
        found: _Context | None = None
        try:
            as_of = dt.date.fromisoformat(as_of_text.strip())
            book = choose_version(self.program, as_of)
            resolved = book.resolve_specialty(specialty)
        except ValueError:
            pass  # the careful path words the error
        else:
            lane = self._lanes.get((id(book), resolved))
            if lane is None:
                lane = self._lanes[(id(book), resolved)] = _Lane(book, resolved)
            found = _Context(self.program, lane, as_of)
        if len(self._contexts) > 10_000:
            self._contexts.clear()
        self._contexts[key] = found
        return found

    def line(self, raw: bytes) -> bytes | None:
        """The audit line (without its newline) for one input line, or None for the careful path."""
        out: list[bytes] = []
        return b"".join(out)[:-1] if self.line_into(raw, out) else None

    def line_into(self, raw: bytes | memoryview, out: list[bytes]) -> bool:
        """Append the pieces of the audit line, newline included, to ``out``; False (nothing appended) when the
        line is for the careful path. A chunk of lines is joined once, so no line's bytes are copied twice."""
        if not self.usable:
            return False
        if _UNUSUAL(raw):
            return False
        try:
            person = _decode_line(raw)
        except Exception:  # any line the decoder refuses (malformed, unusual, a rejected record): careful path
            return False
        as_of_text = person.as_of or self.default_as_of
        if not as_of_text:
            return False
        specialty = person.specialty or self.default_specialty
        context = self._contexts.get((as_of_text, specialty), _UNSEEN)
        if context is _UNSEEN:
            context = self._context(as_of_text, specialty)
        if context is None:
            return False
        return self._audit(context, person, out)

    def _audit(self, context: _Context, person: _Line, out: list[bytes]) -> bool:
        records = person.records
        lane = context.lane
        routes = lane.routes
        as_of = context.as_of
        first_day = context.first_day
        minimum = lane.minimum
        nowhere = False
        unused: dict[int, str] = {}
        candidates: list[_Candidate] = []
        repeats: list[int] = []
        for position, record in enumerate(records, 1):
            day = record.date
            if day > as_of:
                unused[position] = AFTER_AS_OF
                continue
            if day < first_day:
                unused[position] = OUTSIDE_WINDOW
                continue
            minutes = record.minutes
            if minutes < minimum:
                unused[position] = lane.short_reason
                continue
            key = (record.category, record.subject_area, record.topic, record.format)
            route = routes.get(key)
            if route is None:
                route = lane.route(key)
            flag = route[1]
            if flag:
                if isinstance(flag, str):  # a format that does not count
                    unused[position] = flag
                    continue
                if flag & _REPEAT and record.title:
                    repeats.append(len(candidates))
                if flag & _SERVES_NOTHING:
                    nowhere = True
            candidates.append((position, record, minutes, day) + route[0])
        if minimum <= 0 and any(c[2] <= 0 for c in candidates):
            return False  # no credit at all: the careful path says so
        if repeats:  # the earliest counting record of a course is kept, eligible or not (RULES.md)
            candidates = _drop_repeats(candidates, repeats, unused, lane.courses)
        if nowhere:  # some records serve no requirement (decided after repeats, as the engine does)
            for c in candidates:
                if c[4] is _NOWHERE:
                    unused[c[0]] = NO_REQUIREMENT
            candidates = [c for c in candidates if c[4] is not _NOWHERE]
        problem = lane.problem
        allocation = None
        if lane.direct:
            allocation = _direct(problem, candidates)
        if allocation is None:
            items = [Item(key, c[2], c[4], c[5], c[3].toordinal()) for key, c in enumerate(candidates)]
            allocation = allocate(problem, items)
        if self.apply_by and allocation.needed == 0:
            return False
        methods = self.methods
        methods[allocation.method] = methods.get(allocation.method, 0) + 1
        out.append(b'{"person":')
        out.append(_dumps(person.person))
        self._body(context, allocation, candidates, records, unused, out)
        return True

    def _allocated_prefix(self, record: _Record, position: int) -> bytes:
        """The bytes that open an allocation entry for this record, up to its requirement."""
        return _record_prefix(record, position, _ALLOCATED_AT, self._allocated_as, b',"requirement":')

    def _unused_prefix(self, record: _Record, position: int) -> bytes:
        """The bytes that open an unused entry for this record, up to its reason."""
        return _record_prefix(record, position, _UNUSED_AT, self._unused_as, b',"reason":')

    def _body(
        self,
        context: _Context,
        allocation: Allocation,
        candidates: list[_Candidate],
        records: list[_Record],
        unused: dict[int, str],
        out: list[bytes],
    ) -> None:
        """Append everything after ``"person":…`` to the newline, from remembered fragments."""
        lane = context.lane
        needed = allocation.needed
        hours_tail = lane.hours_tail
        out += (
            context.head,
            b"true" if needed == 0 else b"false",
            b',"hours_needed":',
            (hours_tail.get(needed) or lane.hours(needed))[:-1],
            b',"apply_by":null,"requirements":[',
        )
        requirements = lane.requirements
        for index, have in enumerate(allocation.counted):
            out.append(requirements[index].get(have) or lane.requirement(index, have))
        if lane.book.total is not None:
            counted = allocation.total_counted
            out.append(lane.totals.get(counted) or lane.total(counted, allocation.total_shortfall))
        out.append(b'],"allocations":[')
        pieces = out
        first = len(out)
        rows = lane.allocated
        append = out.append
        # every record without an id and at a remembered position: each entry's opening is its position's
        plain = len(records) < _POSITIONS and list(map(_ID_OF, records)).count(None) == len(records)
        for key, bucket, ticks in allocation.parts:
            candidate = candidates[key]
            position = candidate[0]
            if ticks == candidate[2] and (plain or (position < _POSITIONS and candidate[1].id is None)):
                found = rows[position][bucket].get(ticks)
                append(found if found is not None else _whole_entry(lane, position, bucket, ticks))
                continue
            pieces.append(self._allocated_prefix(candidate[1], position))
            pieces.append(lane.mids[bucket])
            full = candidate[2]
            if ticks < full:
                pieces.append(lane.partial_tail.get((ticks, full)) or lane.partial(ticks, full))
            else:
                pieces.append(hours_tail.get(ticks) or lane.hours(ticks))
        if len(out) > first:
            out[first] = out[first][1:]  # no comma before the first entry
        out.append(b'],"unused":[')
        if len(allocation.parts) < len(candidates):
            done = {key for key, _, _ in allocation.parts}
            for key, candidate in enumerate(candidates):
                if key not in done:
                    unused[candidate[0]] = CAPPED
        if unused:
            first = len(out)
            unused_rows = lane.unused
            for position in sorted(unused):
                reason = unused[position]
                if plain or (position < _POSITIONS and records[position - 1].id is None):
                    found = unused_rows[position].get(reason)
                    append(found if found is not None else _unused_entry(lane, position, reason))
                    continue
                pieces.append(self._unused_prefix(records[position - 1], position))
                pieces.append(lane.reasons.get(reason) or lane.reason(reason))
            out[first] = out[first][1:]
        out.append(b"]")
        out.append(context.tail)


def _whole_entry(lane: _Lane, position: int, bucket: int, ticks: int) -> bytes:
    """A whole allocation entry of a record without an id at ``position`` (< ``_POSITIONS``), remembered."""
    found = _bounded(lane.allocated[position][bucket], 512)[ticks] = (
        _ALLOCATED_AT[position] + lane.mids[bucket] + (lane.hours_tail.get(ticks) or lane.hours(ticks))
    )
    return found


def _unused_entry(lane: _Lane, position: int, reason: str) -> bytes:
    """A whole unused entry of a record without an id at ``position`` (< ``_POSITIONS``), remembered."""
    found = _bounded(lane.unused[position], 512)[reason] = _UNUSED_AT[position] + (
        lane.reasons.get(reason) or lane.reason(reason)
    )
    return found


def _rid(record: _Record, position: int) -> str:
    """The record's id as the report gives it: the caller's, else its 1-based position (SPEC.md)."""
    ident = record.id
    return str(position) if ident is None or ident == "" else str(ident)


def _drop_repeats(
    candidates: list[_Candidate], repeats: list[int], unused: dict[int, str], courses: dict[str, str]
) -> list[_Candidate]:
    """Keep the earliest counting record of each course given again (same format and title); mark the others.

    ``repeats`` indexes the candidates of a repeat format with a title; ``courses`` remembers what each title names.
    """
    first_of: dict[tuple[str, str], tuple[dt.date, int, int]] = {}
    keys: list[tuple[str, str] | None] = []
    for index in repeats:
        position, record, _, day, _, _, _, _ = candidates[index]
        title = record.title
        assert title is not None
        course = courses.get(title)
        if course is None:
            if not title.strip():
                keys.append(None)
                continue
            if len(courses) > MEMO_LIMIT:
                courses.clear()
            course = courses[title] = same_course_key(title)
        key: tuple[str, str] = (record.format, course)
        keys.append(key)
        first = first_of.get(key)
        if first is None or (day, position) < first[:2]:
            first_of[key] = (day, position, index)
    if len(first_of) == len(repeats):  # every course once: nothing to drop
        return candidates
    dropped: set[int] = set()
    for index, course_key in zip(repeats, keys, strict=True):
        if course_key is not None:
            first = first_of[course_key]
            if first[2] != index:
                kept = candidates[first[2]]
                unused[candidates[index][0]] = repeat_of(_rid(kept[1], kept[0]))
                dropped.add(index)
    return [c for index, c in enumerate(candidates) if index not in dropped] if dropped else candidates


def _direct(problem: Problem, candidates: list[_Candidate]) -> Allocation | None:
    """``allocate`` for the case that needs no search, on plain lists; None when a choice is left to search.

    The same steps as ``allocate._allocate_fast`` and ``_realise`` in the same order (so the same allocation):
    binding caps, forced items, options made useless by forced items, then caps spread over needy buckets.
    """
    required = problem.required
    cap_limits = problem.cap_limits
    held = [0] * len(cap_limits)
    free = [0] * len(required)
    assigned: list[int] = []
    choices: list[int] = []
    under_caps: list[int] = []
    ticks: list[int] = []
    for index, (_, _, credit, _, options, _, cap, only) in enumerate(candidates):
        ticks.append(credit)
        if cap >= 0:
            held[cap] += credit
            under_caps.append(index)
        if only >= 0:
            free[only] += credit
            assigned.append(only)
        else:
            assigned.append(-1)
            if options:
                choices.append(index)
    if under_caps:
        for cap, amount in enumerate(held):
            if amount > cap_limits[cap]:
                return _direct_capped(problem, candidates, held, free, assigned, choices, under_caps, ticks)
    # no binding cap: every item counts whole where it is placed
    pending = choices
    changed = bool(pending)
    while changed:
        changed = False
        still: list[int] = []
        for index in pending:
            options = candidates[index][4]
            useful = [b for b in options if free[b] < required[b]]
            if len(useful) > 1:
                still.append(index)
                continue
            if useful:
                bucket = useful[0]
                changed = True
            else:
                bucket = options[0]
            assigned[index] = bucket
            free[bucket] += candidates[index][2]
        pending = still
    if pending:
        return None
    parts = list(zip(range(len(candidates)), assigned, ticks, strict=True))
    return settled(problem, parts, free, sum(ticks), "direct")


def _direct_capped(
    problem: Problem,
    candidates: list[_Candidate],
    held: list[int],
    free: list[int],
    assigned: list[int],
    choices: list[int],
    under_caps: list[int],
    counted_of: list[int],
) -> Allocation | None:
    """``_direct`` when a cap binds: its records count in part, needy buckets first, then the oldest first.

    ``_direct`` has placed every forced record in ``free``; those under a binding cap move to their cap's row.
    ``counted_of`` holds each candidate's credit (it becomes what each counts).
    """
    required = problem.required
    buckets = len(required)
    cap_limits = problem.cap_limits
    groups: dict[int, int] = {}
    for cap, amount in enumerate(held):
        if amount > cap_limits[cap]:
            groups[cap] = len(groups)
    limits = [cap_limits[cap] for cap in groups]
    capped = [[0] * buckets for _ in limits]
    group_of: dict[int, int] = {}  # candidate -> its binding cap's row, in candidate order
    for index in under_caps:
        c = candidates[index]
        g = groups.get(c[6])
        if g is None:
            continue
        group_of[index] = g
        options = c[4]
        if len(options) == 1:
            free[options[0]] -= c[2]
            capped[g][options[0]] += c[2]
    pending = choices
    changed = bool(pending)
    while changed:
        changed = False
        still: list[int] = []
        for index in pending:
            options = candidates[index][4]
            useful = tuple(b for b in options if free[b] < required[b])
            if len(useful) > 1:
                still.append(index)
                continue
            bucket = useful[0] if useful else options[0]
            assigned[index] = bucket
            g = group_of.get(index, -1)
            if g < 0:
                free[bucket] += candidates[index][2]
                changed = changed or bool(useful)
            else:
                capped[g][bucket] += candidates[index][2]
        pending = still
    if pending:
        return None
    short = [r - f if r > f else 0 for r, f in zip(required, free, strict=True)]
    spread = _cap_spread(short, capped, limits)
    left = list(limits)
    capped_items = sorted(group_of, key=lambda i: candidates[i][3])
    for index in capped_items:
        counted_of[index] = 0
        g, bucket = group_of[index], assigned[index]
        if bucket >= 0 and spread[g][bucket] > 0:
            take = min(candidates[index][2], spread[g][bucket])
            spread[g][bucket] -= take
            counted_of[index] = take
            left[g] -= take
    for index in capped_items:
        g = group_of[index]
        if left[g] > 0 and counted_of[index] < candidates[index][2]:
            take = min(candidates[index][2] - counted_of[index], left[g])
            counted_of[index] += take
            left[g] -= take
    # ``free`` holds what the records outside binding caps count (whole) per bucket; add the capped records' share.
    # Only a capped record can count nothing (every candidate has credit), and such a record has no part.
    counted = free
    nothing = False
    for index in capped_items:
        ticks = counted_of[index]
        if ticks > 0:
            bucket = assigned[index]
            if bucket >= 0:
                counted[bucket] += ticks
        else:
            nothing = True
    parts = list(zip(range(len(counted_of)), assigned, counted_of, strict=True))
    if nothing:
        parts = [part for part in parts if part[2] > 0]
    return settled(problem, parts, counted, sum(counted_of), "direct")


def _record_prefix(
    record: _Record, position: int, by_position: list[bytes], by_id: dict[str, bytes], key: bytes
) -> bytes:
    """An entry's opening bytes: remembered per position for records without an id, per id (bounded) otherwise.

    A record without an id is named by its 1-based position, as the careful path names it."""
    ident = record.id
    if ident is None or ident == "":
        if position < _POSITIONS:
            return by_position[position]
        ident = position
    rid = str(ident)
    found = by_id.get(rid)
    if found is None:
        if len(by_id) > MEMO_LIMIT:
            by_id.clear()
        found = by_id[rid] = b',{"record":' + _dumps(rid) + key
    return found
