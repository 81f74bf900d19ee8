"""Rows for export, in SPEC.md's keys, so an exported file re-imported adds nothing."""

from __future__ import annotations

from typing import Any

from certcredit.web.accounts.models import Person
from certcredit.web.catalog.models import Session
from certcredit.web.records.models import Record


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


def record_rows(person: Person) -> list[dict[str, Any]]:
    """One person's records, oldest first."""
    return [
        {
            "id": r.external_id or str(r.pk),
            "date": r.date.isoformat(),
            "title": r.title,
            "description": r.description,
            "minutes": r.minutes,
            "time": r.time_text,
            "format": r.format,
            "category": r.category,
            "subject_area": r.subject_area,
            "topic": r.topic,
            "venue": r.venue,
            "provider": r.provider,
            "activity": r.activity,
        }
        for r in Record.objects.filter(person=person).order_by("date", "title", "id")
    ]
