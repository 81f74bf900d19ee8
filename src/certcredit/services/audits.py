"""Auditing a person's stored records against a program, with the same engine the CLI audits a file with.

The stored rows become engine records through ``record_from_row``, the function that reads a file's rows, so the
store and a file cannot disagree on what a record says (its activity included: a PMI member's giving-back hours
count for Giving Back, not as the program's default). Records go in oldest first (date, title, id), the order
the export writes them, so an exported file audited by the CLI gives the same result.

``progress`` is what the web's progress page and ``GET /api/progress`` show: the object ``certcredit audit
--format json`` prints (``engine.report.audit_json`` with the ``outlook`` key of ``engine.planning_report``),
built by the same functions, so the page, the API and the CLI cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from certcredit.engine.audit import Audit, audit, choose_version
from certcredit.engine.outlook import outlook
from certcredit.engine.planning_report import outlook_json
from certcredit.engine.records import Record as EngineRecord
from certcredit.engine.records import record_from_row
from certcredit.engine.report import audit_json
from certcredit.rules.load import ProgramSummary, list_programs, load_program
from certcredit.services.access import check_may_see_records_of
from certcredit.web.accounts.models import Person
from certcredit.web.records.models import Record


def _stored(person: Person) -> tuple[list[Record], list[EngineRecord]]:
    """The stored records, oldest first, and the engine's reading of each (same positions)."""
    stored = list(Record.objects.filter(person=person).order_by("date", "title", "id"))
    return stored, [record_from_row(_row(r), position) for position, r in enumerate(stored, start=1)]


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
    maps each record id the report uses to the stored record, so the page can name and link it.
    """

    person: Person
    audit: Audit
    report: dict[str, Any]
    records: dict[str, Record]


def progress(
    viewer: Person,
    person: Person,
    program_id: str,
    as_of: dt.date,
    specialty: str | None = None,
    today: dt.date | None = None,
) -> Progress:
    """The person's audit against a record program, with the outlook counted from ``today`` (default: today).

    The viewer must be that person or staff. A program that is not a record program,
    an as-of date no version of it covers, or a specialty it does not take raises ``ProgressInvalid``.
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
    stored, records = _stored(person)
    result = audit(program, records, as_of, specialty)
    report = audit_json(result)
    report["outlook"] = outlook_json(outlook(program, records, result, today or dt.date.today()))
    by_id = {record.id: row for record, row in zip(records, stored, strict=True)}
    return Progress(person, result, report, by_id)


def _row(r: Record) -> dict[str, Any]:
    """A stored record in a file row's keys; blank designations are absent, as in a file."""
    return {
        "id": r.external_id or str(r.pk),
        "date": r.date.isoformat(),
        "title": r.title,
        "minutes": r.minutes,
        "format": r.format,
        "category": r.category or None,
        "subject_area": r.subject_area or None,
        "topic": r.topic or None,
        "activity": r.activity or None,
    }
