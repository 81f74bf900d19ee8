"""Auditing a person's stored records against a program, with the same engine the CLI audits a file with.

The stored rows become engine records through ``record_from_row``, the function that reads a file's rows, so the
store and a file cannot disagree on what a record says (its activity included: a PMI member's giving-back hours
count for Giving Back, not as the program's default). Records go in oldest first (date, title, id), the order
the export writes them, so an exported file audited by the CLI gives the same result.

``progress`` is what the web's progress page and ``GET /api/progress`` show: the object ``certcredit audit
--format json`` prints (``engine.report.audit_json`` with the ``outlook`` key of ``engine.planning_report``),
built by the same functions, so the page, the API and the CLI cannot disagree.

A record linked to a catalogue session (``Record.session``) takes the credit of the session's applying decision
(``decisions.decision_for``'s precedence: designated, else reviewed, else evaluated), as RULES.md's "Deciding a
category" says; ``credit_of`` has the rules. The audit reads the credit it applied, so the file that reproduces
it with the CLI is ``exports.record_rows(person, as_audited=True)``: the plain export keeps each record as stored,
so that re-importing it never turns an evaluator's category into the member's own designation.

Audits are cached (Django's cache, ``CACHES["default"]``: per worker process unless set otherwise) under a key
made of everything the audit reads (``Inputs``): each record's stored fields that the audit uses, the applying
decision of each linked session, the rulebook file and the code's version, the as-of date, the specialty and
today (the outlook counts from it). A changed, added or removed record, a new or changed decision on a linked
session, or another rulebook gives another key, however the change was made, so a cached audit is never stale
and needs no expiry time. Reading the key costs one query of the person's records (two more when some are linked
to sessions), without building a model object per record; the API's answer is kept as JSON beside the audit.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import orjson
from django.core.cache import cache
from django.db import connection

from certcredit import __version__
from certcredit.engine.audit import Audit, Rejected, audit, choose_version
from certcredit.engine.outlook import outlook
from certcredit.engine.planning_report import outlook_json
from certcredit.engine.records import RecordError, record_from_row
from certcredit.engine.report import audit_json
from certcredit.rules.compiled import CompiledProgram
from certcredit.rules.load import ProgramSummary, list_programs, load_program, shipped_path
from certcredit.services import decisions
from certcredit.services.access import check_may_see_records_of
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Decision, Session
from certcredit.store.records.models import Record

#: where a record's credit came from, as the progress page says it
OWN, SESSION_DESIGNATION, EVALUATOR, REVIEWER, AWAITING_REVIEW, STORED = (
    "own designation",
    "session's designation",
    "evaluator",
    "reviewer",
    "awaiting review",
    "as stored",
)


@dataclass(frozen=True, slots=True)
class Credit:
    """What a record counts for in the audit (blank for none) and where its category came from (``source``)."""

    category: str
    subject_area: str
    topic: str
    source: str
    #: where ``source`` is a decision: the fields the record carries itself, so kept (``subject area``, ``topic``)
    own: tuple[str, ...] = ()


class Stored(Protocol):
    """What the audit reads of a stored record: a ``Record``, or the same fields read without building one."""

    @property
    def pk(self) -> int: ...

    @property
    def external_id(self) -> str: ...

    @property
    def date(self) -> dt.date: ...

    @property
    def title(self) -> str: ...

    @property
    def minutes(self) -> int: ...

    @property
    def format(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def subject_area(self) -> str: ...

    @property
    def topic(self) -> str: ...

    @property
    def activity(self) -> str: ...

    @property
    def session_id(self) -> int | None: ...


class StoredRow(NamedTuple):
    """A stored record's fields that the audit uses, as ``read_inputs`` reads them (no model object)."""

    pk: int
    external_id: str
    date: dt.date
    title: str
    minutes: int
    format: str
    category: str
    subject_area: str
    topic: str
    activity: str
    session_id: int | None


def credit_of(record: Stored, decision: Decision | None) -> Credit:
    """A record's credit, given the applying decision of its linked session (None: unlinked, or no decision).

    RULES.md, "Deciding a category":

    - A record that carries its own category (a designation printed on the member's certificate or file) keeps
      it, with its own subject area and topic: a designation is never overridden by the evaluator.
    - A session's designated decision applies like a designation; so does a reviewer's decision, which replaces
      the evaluator's, and the evaluator's, when no one else decided. ``qualifies`` gives the decision's
      category; ``does_not_qualify`` (and a designation of area or topic only) gives none. Either way the
      decision's subject area and topic fill in where the record has none, since recertification counts
      subject-area and topic hours whatever the category.
    - ``needs_review`` gives no category, and no subject area or topic either (not even one the evaluator
      guessed): until a reviewer decides, the record counts for nothing. That includes recertification's 36
      hours: RULES.md's recertification section says "every counted hour counts toward the 36", and a record
      awaiting review is not counted, so its hours do not reach the total either (a CLM rulebook has no total
      that takes a record serving no requirement: the engine lists it as ``no eligible requirement``). A
      subject area or topic the record carries itself is its own designation, which the evaluator's doubt does
      not override, and stays.
    - No decision: the record as stored.
    """
    own = (record.category, record.subject_area, record.topic)
    if record.category:
        return Credit(*own, OWN)
    if decision is None:
        return Credit(*own, STORED)
    source = {
        decisions.DESIGNATED: SESSION_DESIGNATION,
        decisions.REVIEWED: REVIEWER,
        decisions.EVALUATED: EVALUATOR,
    }[decision.kind]
    kept = tuple(name for name, value in (("subject area", record.subject_area), ("topic", record.topic)) if value)
    if decision.verdict == Decision.Verdict.NEEDS_REVIEW:
        return Credit("", record.subject_area, record.topic, AWAITING_REVIEW, kept)
    category = decision.category if decision.verdict == Decision.Verdict.QUALIFIES else ""
    subject_area, topic = record.subject_area or decision.subject_area, record.topic or decision.topic
    return Credit(category, subject_area, topic, source, kept)


def credits(stored: Iterable[Stored]) -> dict[int, Credit]:
    """Each stored record's credit by primary key. The applying decisions of all the linked sessions come in two
    queries (the sessions annotated by ``with_applying``, then their decisions), however many records there are;
    none when no record is linked."""
    listed = list(stored)
    return _credits_with(listed, applying_of({r.session_id for r in listed if r.session_id is not None}))


def applying_of(session_ids: Iterable[int]) -> dict[int, Decision]:
    """Session id to its applying decision (``decisions.decision_for``'s precedence), in two queries; none for no
    session."""
    wanted = set(session_ids)
    if not wanted:
        return {}
    return decisions.applying_decisions(decisions.with_applying(Session.objects.filter(pk__in=wanted)))


def _credits_with(stored: Iterable[Stored], applying: dict[int, Decision]) -> dict[int, Credit]:
    return {r.pk: credit_of(r, applying.get(r.session_id) if r.session_id else None) for r in stored}


def stored_records(person: Person) -> list[Record]:
    """The person's records in the order the audit and the export take them: oldest first (date, title, id)."""
    return list(Record.objects.filter(person=person).order_by("date", "title", "id"))


def _records_query(person: Person) -> tuple[str, Any]:
    query = Record.objects.filter(person=person).order_by("date", "title", "id").values_list(*StoredRow._fields)
    return query.query.sql_with_params()


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything of the store an audit of a person reads: their records' audited fields as the database returns
    them (oldest first), and the applying decision of each linked session. Read in two or four queries and no
    model object per record, so that a cached audit costs little more than the cache key."""

    raw: list[tuple[Any, ...]]
    applying: dict[int, Decision]

    def key(
        self, program_id: str, as_of: dt.date, specialty: str | None, today: dt.date, cycle_start: dt.date | None
    ) -> str:
        """The cache key of an audit of these inputs: a digest of all of them (module docstring)."""
        decided = sorted(
            (sid, d.pk, d.kind, d.verdict, d.category, d.subject_area, d.topic) for sid, d in self.applying.items()
        )
        when = [str(as_of), specialty, str(today), str(cycle_start) if cycle_start else None]
        inputs = [rulebook_version(program_id), program_id, *when, self.raw, decided]
        return "certcredit:audit:" + hashlib.sha256(orjson.dumps(inputs, default=str)).hexdigest()

    def rows(self) -> list[dict[str, Any]]:
        """The records as file rows, each with the credit the audit applies (``credit_of``)."""
        stored = [StoredRow(*values) for values in self.raw]
        stored = [r._replace(date=dt.date.fromisoformat(r.date)) if isinstance(r.date, str) else r for r in stored]
        applied = _credits_with(stored, self.applying)
        return [_row(r, applied[r.pk]) for r in stored]


def read_inputs(person: Person) -> Inputs:
    """The person's ``Inputs`` (SQLite gives dates as text, PostgreSQL as dates: either is a key)."""
    sql, params = _records_query(person)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = [tuple(values) for values in cursor.fetchall()]
    session_at = StoredRow._fields.index("session_id")
    return Inputs(raw, applying_of(values[session_at] for values in raw if values[session_at] is not None))


@dataclass(frozen=True, slots=True)
class RecordProgram:
    """A program that audits records (``kind: credits``), as a form or an error message offers it."""

    id: str
    name: str
    #: the specialty's subject areas (the functional specialist's program), else empty
    specialties: tuple[str, ...]


@functools.cache
def record_programs() -> tuple[RecordProgram, ...]:
    """The shipped programs that audit records, as ``certcredit rules list`` lists them.

    Programs of another kind (CLRM's workflow audits events, not records) and broken rulebooks are left out:
    stored records cannot be audited against them. Rulebooks ship with the code, so the list is read once.
    """
    found = []
    for entry in list_programs():
        if not isinstance(entry, ProgramSummary) or entry.kind != "credits":
            continue
        compiled = load_program(entry.id)
        areas = tuple(dict.fromkeys(a for v in compiled.versions for a in v.specialty_choices))
        found.append(RecordProgram(entry.id, entry.name, areas))
    return tuple(found)


class ProgressInvalid(ValueError):
    """A progress request that cannot be audited; ``field`` names the parameter at fault (``program``, ``as_of``,
    ``specialty``), so a form shows the message beside it and the API names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_as_of(text: str) -> dt.date:
    """An as-of date as the CLI reads ``--as-of`` (YYYY-MM-DD), or ``ProgressInvalid`` quoting what was given."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ProgressInvalid("as_of", f"unreadable as-of date {text!r}: use YYYY-MM-DD") from None


@dataclass(frozen=True, slots=True)
class Progress:
    """A person's audit for the progress page and the API.

    ``report`` is the object ``certcredit audit --format json`` prints for the same records (with ``outlook``);
    ``audit`` is the engine's result it was built from (the page takes requirement names from it); ``records``
    maps each record id the report uses to the stored record, so the page can name and link it; ``credits``
    maps the same ids to the credit the audit used and where its category came from (``credit_of``).
    """

    person: Person
    audit: Audit
    report: dict[str, Any]
    records: dict[str, Record]
    credits: dict[str, Credit]


def progress(
    viewer: Person,
    person: Person,
    program_id: str,
    as_of: dt.date,
    specialty: str | None = None,
    today: dt.date | None = None,
    cycle_start: dt.date | None = None,
) -> Progress:
    """The person's audit against a record program, with the outlook counted from ``today`` (default: today).

    The viewer must be that person or staff. A program that is not a record program,
    an as-of date no version of it covers, a specialty it does not take, or a first cycle's start
    (``cycle_start``) it has no rule for raises ``ProgressInvalid``.
    """
    check_may_see_records_of(viewer, person)
    program = _checked_program(program_id, as_of, specialty)
    inputs = read_inputs(person)
    audited = audited_inputs(program, inputs, as_of, specialty, today or dt.date.today(), cycle_start)
    stored = {r.pk: r for r in stored_records(person)}
    applied = _credits_with(stored.values(), inputs.applying)
    by_id: dict[str, Record] = {}
    for values in inputs.raw:
        row = StoredRow(*values)
        if row.pk in stored:  # else removed since it was read: shown without a link
            by_id[row.external_id or str(row.pk)] = stored[row.pk]
    return Progress(person, audited.audit, audited.report, by_id, {ident: applied[r.pk] for ident, r in by_id.items()})


def progress_json(
    viewer: Person,
    person: Person,
    program_id: str,
    as_of: dt.date,
    specialty: str | None = None,
    today: dt.date | None = None,
    cycle_start: dt.date | None = None,
) -> bytes:
    """``progress(...).report`` as JSON (what ``GET /api/progress`` sends), kept with the cached audit: a cached
    answer costs the two (or four) small queries of ``read_inputs`` and no encoding."""
    check_may_see_records_of(viewer, person)
    program = _checked_program(program_id, as_of, specialty)
    inputs, today = read_inputs(person), today or dt.date.today()
    key = inputs.key(program.id, as_of, specialty, today, cycle_start)
    body = cache.get(key + ":json")
    if isinstance(body, bytes):  # the JSON alone: no audit object to unpickle
        return body
    return _audited(key, program, inputs, as_of, specialty, today, cycle_start).json


def progress_report(
    viewer: Person,
    person: Person,
    program_id: str,
    as_of: dt.date,
    specialty: str | None = None,
    today: dt.date | None = None,
    cycle_start: dt.date | None = None,
) -> dict[str, Any]:
    """``progress_json`` read back: the same object as ``progress(...).report``."""
    return dict(orjson.loads(progress_json(viewer, person, program_id, as_of, specialty, today, cycle_start)))


def _checked_program(program_id: str, as_of: dt.date, specialty: str | None) -> CompiledProgram:
    """The record program asked for, once the as-of date and the specialty are known to fit it."""
    known = {p.id for p in record_programs()}
    if program_id not in known:
        raise ProgressInvalid("program", f"unknown program {program_id!r}; use one of {', '.join(sorted(known))}")
    program = load_program(program_id)
    try:
        book = choose_version(program, as_of)
    except ValueError as error:
        raise ProgressInvalid("as_of", str(error)) from None
    try:
        book.resolve_specialty(specialty)
    except ValueError as error:
        raise ProgressInvalid("specialty", str(error)) from None
    return program


@dataclass(frozen=True, slots=True)
class Audited:
    """An audit of some rows, the report made from it (with ``outlook``) and the report as JSON, as cached."""

    audit: Audit
    report: dict[str, Any]
    json: bytes


@functools.cache
def rulebook_version(program_id: str) -> str:
    """A shipped rulebook's version for cache keys: its file's digest and the code's version (both are read once
    per process, as ``load_program`` reads the rulebook once)."""
    return hashlib.sha256(shipped_path(program_id).read_bytes()).hexdigest()[:16] + "@" + __version__


def audited_inputs(
    program: CompiledProgram,
    inputs: Inputs,
    as_of: dt.date,
    specialty: str | None,
    today: dt.date,
    cycle_start: dt.date | None = None,
) -> Audited:
    """The audit of ``inputs``, from the cache when the same inputs were audited before, else audited and kept
    (no expiry: other inputs make another key)."""
    return _audited(inputs.key(program.id, as_of, specialty, today, cycle_start), program, inputs, as_of, specialty,
                    today, cycle_start)  # fmt: skip


def _audited(
    key: str,
    program: CompiledProgram,
    inputs: Inputs,
    as_of: dt.date,
    specialty: str | None,
    today: dt.date,
    cycle_start: dt.date | None,
) -> Audited:
    """``audited_inputs`` for inputs whose cache key (``Inputs.key``) is known: read once, the digest is not
    computed again."""
    found = cache.get(key)
    if isinstance(found, Audited):
        return found
    records, rejected = [], []
    for position, row in enumerate(inputs.rows(), start=1):
        try:
            records.append(record_from_row(row, position))
        except RecordError as error:
            # kept before a bound the one reading has now (e.g. more than 10,000 minutes): listed as rejected,
            # named by its place in the as-audited export
            rejected.append(Rejected(str(row["id"]), position, str(error), "record"))
    try:
        result = audit(program, records, as_of, specialty, rejected, cycle_start=cycle_start)
    except ValueError as error:  # a cycle start the program has no rule for, or one too long ago
        if cycle_start is None:
            raise
        raise ProgressInvalid("cycle_start", str(error)) from None
    report = audit_json(result)
    report["outlook"] = outlook_json(outlook(program, records, result, today))
    made = Audited(result, report, orjson.dumps(report))
    cache.set_many({key: made, key + ":json": made.json}, timeout=None)
    return made


def _row(r: Stored, credit: Credit) -> dict[str, Any]:
    """A stored record in a file row's keys, with the credit the audit applies; blank values are absent, as in a
    file."""
    return {
        "id": r.external_id or str(r.pk),
        "date": r.date.isoformat(),
        "title": r.title,
        "minutes": r.minutes,
        "format": r.format,
        "category": credit.category or None,
        "subject_area": credit.subject_area or None,
        "topic": credit.topic or None,
        "activity": r.activity or None,
    }
