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
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from certcredit.engine.audit import Audit, Rejected, audit, choose_version
from certcredit.engine.outlook import outlook
from certcredit.engine.planning_report import outlook_json
from certcredit.engine.records import Record as EngineRecord
from certcredit.engine.records import RecordError, record_from_row
from certcredit.engine.report import audit_json
from certcredit.rules.load import ProgramSummary, list_programs, load_program
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


def credit_of(record: Record, decision: Decision | None) -> Credit:
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


def credits(person: Person, stored: list[Record]) -> dict[int, Credit]:
    """Each of the person's stored records' credit by primary key. The applying decisions of all the person's
    linked sessions come in two queries (the sessions annotated by ``with_applying``, then their decisions),
    however many records there are; none when no record is linked."""
    applying: dict[int, Decision] = {}
    if any(r.session_id is not None for r in stored):
        linked = Session.objects.filter(pk__in=Record.objects.filter(person=person).values("session_id"))
        applying = decisions.applying_decisions(decisions.with_applying(linked))
    return {r.pk: credit_of(r, applying.get(r.session_id) if r.session_id else None) for r in stored}


def stored_records(person: Person) -> list[Record]:
    """The person's records in the order the audit and the export take them: oldest first (date, title, id)."""
    return list(Record.objects.filter(person=person).order_by("date", "title", "id"))


def _stored(person: Person) -> tuple[list[Record], list[EngineRecord], dict[int, Credit], list[Rejected]]:
    """The readable stored records, oldest first, the engine's reading of each (same positions), each one's
    credit, and the stored records the one reading refuses (kept before a bound it has now, e.g. more than
    10,000 minutes): those are listed as rejected, named by their place in the as-audited export."""
    readable: list[Record] = []
    records: list[EngineRecord] = []
    rejected: list[Rejected] = []
    stored = stored_records(person)
    applied = credits(person, stored)
    for position, r in enumerate(stored, start=1):
        try:
            records.append(record_from_row(_row(r, applied[r.pk]), position))
        except RecordError as error:
            rejected.append(Rejected(r.external_id or str(r.pk), position, str(error), "record"))
        else:
            readable.append(r)
    return readable, records, applied, rejected


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
    stored, records, applied, rejected = _stored(person)
    try:
        result = audit(program, records, as_of, specialty, rejected, cycle_start=cycle_start)
    except ValueError as error:  # a cycle start the program has no rule for, or one too long ago
        if cycle_start is None:
            raise
        raise ProgressInvalid("cycle_start", str(error)) from None
    report = audit_json(result)
    report["outlook"] = outlook_json(outlook(program, records, result, today or dt.date.today()))
    by_id = {record.id: row for record, row in zip(records, stored, strict=True)}
    return Progress(person, result, report, by_id, {ident: applied[row.pk] for ident, row in by_id.items()})


def _row(r: Record, credit: Credit) -> dict[str, Any]:
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
