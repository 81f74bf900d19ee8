"""Rows for export, in SPEC.md's keys, so an exported file re-imported adds nothing."""

from __future__ import annotations

from typing import Any

from certcredit.services import audits
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Session


def session_rows() -> list[dict[str, Any]]:
    """The whole catalogue, oldest first."""
    rows = []
    for s in Session.objects.select_related("provider").order_by("date", "title", "id"):
        rows.append(
            {
                "id": s.external_id or str(s.pk),
                "date": s.date.isoformat() if s.date else None,
                "title": s.title,
                "description": s.description,
                "minutes": s.minutes,
                "time": s.time_text,
                "format": s.format,
                "category": s.category,
                "subject_area": s.subject_area,
                "topic": s.topic,
                "venue": s.venue,
                "provider": s.provider.name if s.provider else None,
                "uid": s.uid,
                "start": s.start_time.strftime("%H:%M") if s.start_time else None,
                "end": s.end_time.strftime("%H:%M") if s.end_time else None,
                "location": s.location,
            }
        )
    return rows


def record_rows(person: Person, as_audited: bool = False) -> list[dict[str, Any]]:
    """One person's records, oldest first: as stored, or ``as_audited`` with the credit the store-backed audit
    gave each (its linked session's applying decision, ``audits.credit_of``).

    The plain export is the one to re-import: a record keeps only what it carries itself, so an evaluator's
    category never comes back as the member's own designation. The audited one is the file ``certcredit audit``
    reads to give what the progress page and ``GET /api/progress`` give.
    """
    stored = audits.stored_records(person)
    applied = audits.credits(stored) if as_audited else {}
    rows = []
    for r in stored:
        credit = applied.get(r.pk) or audits.Credit(r.category, r.subject_area, r.topic, audits.STORED)
        rows.append(
            {
                "id": r.external_id or str(r.pk),
                "date": r.date.isoformat(),
                "title": r.title,
                "description": r.description,
                "minutes": r.minutes,
                "time": r.time_text,
                "format": r.format,
                "category": credit.category,
                "subject_area": credit.subject_area,
                "topic": credit.topic,
                "venue": r.venue,
                "provider": r.provider,
                "activity": r.activity,
            }
        )
    return rows
