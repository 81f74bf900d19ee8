"""The batch's fast lane: a JSON Lines person straight to the bytes of its audit line, for the common case.

A whole association re-audited is millions of people whose records repeat (members attend the same sessions), so
the work per person must be a few dictionary look-ups, not a parse per record:

* a line is decoded by ``msgspec`` straight into typed structs (C speed; the vocabulary, the dates and the
  minutes are validated by the decoder, and a line it refuses goes to the careful path);
* the output line is assembled from remembered JSON fragments instead of building and dumping dictionaries.

Everything between is the careful path's own code: the version in force (``engine.versions``), the prepared
rulebook (``engine.prepared``: where each kind of record goes, the allocation numbers, the hours), the sorting
of records (``engine.sorting``) and the allocation (``engine.allocate``).

The answer is byte for byte ``orjson.dumps`` of the reference object (``audit_json(audit(...))`` with ``person``
first), which a property test checks. Whatever this lane does not know (a malformed line or record, a rejected
record, a complete person of a program with an apply-by date, a rounding step, a rulebook field it was not
written for) makes ``line`` return None, and the caller takes the careful path for that line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Annotated, Any, Literal, TypeVar

import msgspec
import orjson

from certcredit.engine.allocate import Allocation, Item, allocate
from certcredit.engine.prepared import PreparedRulebook, prepare
from certcredit.engine.sorting import CAPPED, first_counting_day, sort_records
from certcredit.engine.versions import choose_version
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
        )
    ),
    Bucket: frozenset(("id", "name", "required", "eligibility")),
    Eligibility: frozenset(("categories", "subject_areas", "topics", "formats", "exclude_specialty")),
    CapRule: frozenset(("id", "formats", "limit")),
}
#: remembered output fragments (mostly record ids) before the memo is cleared
MEMO_LIMIT = 200_000
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


def unusual_free(data: bytes) -> bool:
    """Whether no line in ``data`` holds what ``_UNUSUAL`` looks for, so ``line_into`` may skip its own look.

    Most files hold no backslash at all, and looking for one byte is several times quicker than for the pattern
    (a search per line cost about 5 % of the lane's time)."""
    return data.find(b"\\") < 0 or _UNUSUAL(data) is None


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
    """What the lane derives once per rulebook and specialty: the JSON fragments of its requirements, hours and
    reasons (a batch meets the same few values again and again), beside the prepared rulebook."""

    __slots__ = (
        "allocated",
        "book",
        "hours_tail",
        "mids",
        "partial_tail",
        "prepared",
        "reasons",
        "requirements",
        "totals",
        "unused",
    )

    def __init__(self, prepared: PreparedRulebook) -> None:
        book = prepared.book
        self.prepared = prepared
        self.book = book
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

    def requirement(self, index: int, have: int) -> bytes:
        """A requirement's entry, after a comma unless it is the first."""
        hours = self.prepared.hours
        requirement = self.book.buckets[index]
        need = requirement.required
        found = _bounded(self.requirements[index])[have] = (b"," if index else b"") + _dumps(
            {
                "id": requirement.id,
                "required_hours": hours(need),
                "counted_hours": hours(have),
                "met": have >= need,
                "hours_needed": hours(need - have if have < need else 0),
            }
        )
        return found

    def total(self, counted: int, shortfall: int) -> bytes:
        hours = self.prepared.hours
        total = self.book.total
        assert total is not None
        found = _bounded(self.totals)[counted] = (b"," if self.book.buckets else b"") + _dumps(
            {
                "id": total.id,
                "required_hours": hours(total.required),
                "counted_hours": hours(counted),
                "met": counted >= total.required,
                "hours_needed": hours(shortfall),
            }
        )
        return found

    def hours(self, ticks: int) -> bytes:
        found = _bounded(self.hours_tail)[ticks] = _dumps(self.prepared.hours(ticks)) + b"}"
        return found

    def partial(self, ticks: int, full: int) -> bytes:
        hours = self.prepared.hours
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
        self.first_day = first_counting_day(as_of, book.window_months, self.inclusive)
        head = _dumps({"program": program.id, "as_of": as_of.isoformat(), "rules_version": book.label})
        self.head = b"," + head[1:-1] + b',"complete":'
        tail = _dumps(
            {
                "rejected": [],
                "specialty": lane.prepared.specialty,
                "window": {"from": start.isoformat(), "from_inclusive": self.inclusive, "to": as_of.isoformat()},
            }
        )
        self.tail = b"," + tail[1:] + b"\n"


_POSITIONS = 64
#: ticks below this pack into an allocation entry's key (with the position and the bucket)
_TICKS = 1 << 20
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
            prepared = prepare(book, resolved)
            lane = self._lanes.get((id(prepared), resolved))
            if lane is None or lane.prepared is not prepared:
                lane = self._lanes[(id(prepared), resolved)] = _Lane(prepared)
            found = _Context(self.program, lane, as_of)
        if len(self._contexts) > 10_000:
            self._contexts.clear()
        self._contexts[key] = found
        return found

    def line(self, raw: bytes) -> bytes | None:
        """The audit line (without its newline) for one input line, or None for the careful path."""
        out: list[bytes] = []
        return b"".join(out)[:-1] if self.line_into(raw, out) else None

    def line_into(self, raw: bytes | memoryview, out: list[bytes], screened: bool = False) -> bool:
        """Append the pieces of the audit line, newline included, to ``out``; False (nothing appended) when the
        line is for the careful path. A chunk of lines is joined once, so no line's bytes are copied twice.
        ``screened``: the caller found the chunk holding this line ``unusual_free``."""
        if not self.usable:
            return False
        if not screened and _UNUSUAL(raw):
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
        prepared = context.lane.prepared
        sorted_records = sort_records(prepared, records, context.as_of, None, _rid, context.first_day)
        items = sorted_records.items
        allocation = allocate(prepared.problem, items)
        if self.apply_by and allocation.needed == 0:
            return False
        methods = self.methods
        methods[allocation.method] = methods.get(allocation.method, 0) + 1
        out.append(b'{"person":')
        out.append(_dumps(person.person))
        self._body(context, allocation, items, records, sorted_records.unused, out)
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
        candidates: list[Item],
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
        plain = len(records) < _POSITIONS
        for record in records:  # a plain loop: the attribute reads are specialised (``attrgetter`` is not)
            if record.id is not None:
                plain = False
                break
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
