"""Changing a person's records one at a time (evidence files), each change written to history."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from certcredit.services import history
from certcredit.services.access import check_may_see_records_of
from certcredit.web.accounts.models import Person
from certcredit.web.records.models import Record

EVIDENCE_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".txt")


@transaction.atomic
def attach_evidence(actor: Person, record: Record, upload: UploadedFile) -> Record:
    """Keep a certificate of attendance (or similar) with the record; the owner or staff may do it."""
    check_may_see_records_of(actor, record.person)
    name = (upload.name or "evidence").lower()
    if not name.endswith(EVIDENCE_SUFFIXES):
        raise ValueError(f"evidence must be one of {', '.join(EVIDENCE_SUFFIXES)}")
    before = history.snapshot(record)
    record.evidence.save(upload.name or "evidence", upload, save=False)
    record.save(update_fields=["evidence"])
    history.record_change(actor, "attach evidence", record, before)
    return record
