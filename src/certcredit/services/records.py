"""Changing a person's records one at a time (evidence files, the activity), each change written to history."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q

from certcredit.services import history
from certcredit.services.access import check_may_see_records_of
from certcredit.services.people import lock_person
from certcredit.store.accounts.models import Person
from certcredit.store.records.models import Record
from certcredit.values.row import RowInvalid, clean_activity

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


class RecordConflict(ValueError):
    """The change would make the record the same (natural key) as another of the person's records."""


@transaction.atomic
def set_activity(actor: Person, record: Record, value: object) -> Record:
    """Set (or clear, with "" or None) the record's activity; the owner or staff may do it.

    The value is normalised as imports read it (``Giving Back`` is ``giving_back``); a malformed one raises
    ``RowInvalid`` (a ValueError) with the reason. The keys follow the activity (``Record.assign_keys``), so a
    change that would make this record the same as another of the person's (the same activity, or no activity
    on one side: the rule the database keeps) raises ``RecordConflict``. The history entry holds the record
    before and after, activity included.
    """
    check_may_see_records_of(actor, record.person)
    activity = clean_activity(value)
    if activity == record.activity:
        return record
    lock_person(record.person)
    same = Q(activity=activity) | Q(activity="") if activity else Q()
    twin = (
        Record.objects.filter(same, person_id=record.person_id, base_key=record.base_key).exclude(pk=record.pk)
    ).first()
    if twin is not None:
        what = f"activity {twin.activity}" if twin.activity else "no activity"
        raise RecordConflict(f"record {twin.pk} ({twin}) is the same record with {what}; change or remove that one")
    before = history.snapshot(record)
    record.activity = activity
    record.save(update_fields=["activity"])
    history.record_change(actor, "change activity", record, before)
    return record


__all__ = ["EVIDENCE_SUFFIXES", "RecordConflict", "RowInvalid", "attach_evidence", "set_activity"]
