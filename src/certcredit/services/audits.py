"""Auditing a person's stored records against a program, with the same engine the CLI audits a file with.

The stored rows become engine records through ``record_from_row``, the function that reads a file's rows, so the
store and a file cannot disagree on what a record says (its activity included: a PMI member's giving-back hours
count for Giving Back, not as the program's default). Records go in oldest first (date, title, id), the order
the export writes them, so an exported file audited by the CLI gives the same result.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from certcredit.engine.audit import Audit, audit
from certcredit.engine.records import Record as EngineRecord
from certcredit.engine.records import record_from_row
from certcredit.rules.load import load_program
from certcredit.services.access import check_may_see_records_of
from certcredit.web.accounts.models import Person
from certcredit.web.records.models import Record


def engine_records(person: Person) -> list[EngineRecord]:
    """The person's stored records as the engine reads them; ids as the export writes them."""
    stored = Record.objects.filter(person=person).order_by("date", "title", "id")
    return [record_from_row(_row(r), position) for position, r in enumerate(stored, start=1)]


def audit_person(
    viewer: Person, person: Person, program_id: str, as_of: dt.date, specialty: str | None = None
) -> Audit:
    """The audit of ``person``'s stored records; the viewer must be that person or staff."""
    check_may_see_records_of(viewer, person)
    return audit(load_program(program_id), engine_records(person), as_of, specialty)


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
