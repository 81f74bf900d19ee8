"""Changing a person's records one at a time, each change written to history with who and when: adding one by
form or API, editing or deleting it, "I attended" a catalogue session, its evidence file and its activity.

Every record's fields go through the one record reading (``values.row.check_row``) that imports and the CLI use;
``RecordInvalid`` says which problem belongs to which field, so a form shows each beside its field. The owner
may change their own records, staff anyone's (``access``); anyone else is told "no record", as for a missing one
(``queries.record_of``)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from certcredit.services import history
from certcredit.services.access import check_may_see_records_of
from certcredit.services.people import lock_person
from certcredit.services.queries import in_catalogue
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Session
from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import Record
from certcredit.values.row import CheckedRow, RowInvalid, check_row, clean_activity

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


#: the keys a record takes by form or API (SPEC.md's names; ``time`` is a printed range, read when ``minutes`` is
#: empty)
FIELDS = (
    "date", "title", "minutes", "time", "format", "category", "subject_area", "topic", "activity", "provider",
    "description",
)  # fmt: skip
#: a row every key but one is checked against, to find which key a problem belongs to
_PROBE = {"date": "2000-01-01", "minutes": 60}


class RecordInvalid(RowInvalid):
    """A record's fields that cannot be read: ``fields`` maps each field at fault (``None``: the record as a whole)
    to its problems, in the order ``check_row`` gives them."""

    def __init__(self, fields: dict[str | None, list[str]]) -> None:
        super().__init__(*(p for problems in fields.values() for p in problems))
        self.fields = fields

    @property
    def first_field(self) -> str | None:
        return next(iter(self.fields), None)


def _blank_to_none(data: dict[str, object]) -> dict[str, object]:
    return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items() if k in FIELDS}


def check_record(data: dict[str, object]) -> CheckedRow:
    """The record's checked values (the one reading), or ``RecordInvalid`` with each problem under its field.

    A problem is put under the key whose value alone gives it (checked beside a valid date and duration); a
    missing date under ``date``, a missing duration under ``minutes``; anything else under ``None``."""
    given = _blank_to_none(data)
    try:
        return check_row(given, "record")
    except RowInvalid as error:
        problems = list(error.problems)
    fields: dict[str | None, list[str]] = {}
    for key in FIELDS:
        if given.get(key) is None:
            continue
        probe = dict(_PROBE)
        if key == "time":
            if given.get("minutes") is not None:
                continue  # minutes given: the time is not read for the duration
            del probe["minutes"]
        probe[key] = given[key]
        try:
            check_row(probe, "record")
        except RowInvalid as alone:
            for problem in alone.problems:
                if problem in problems:
                    problems.remove(problem)
                    fields.setdefault(key, []).append(problem)
    for problem in problems:
        where: str | None = (
            "date" if problem.startswith("no date") else "minutes" if problem.startswith("no duration") else None
        )
        fields.setdefault(where, []).append(problem)
    raise RecordInvalid(fields)


def _twin(record: Record) -> Record | None:
    """Another of the person's records with the same key (``Record``'s one-key rule)."""
    record.assign_keys()
    same = Q(activity=record.activity) | Q(activity="") if record.activity else Q()
    found = Record.objects.filter(same, person_id=record.person_id, base_key=record.base_key)
    if record.pk is not None:
        found = found.exclude(pk=record.pk)
    return found.first()


def _fill(record: Record, row: CheckedRow) -> None:
    assert row.date is not None and row.minutes is not None
    record.date, record.minutes, record.title, record.description = row.date, row.minutes, row.title, row.description
    record.time_text, record.format, record.provider = row.time_text, row.format, row.provider
    record.category, record.subject_area, record.topic = row.category or "", row.subject_area or "", row.topic or ""
    record.activity = row.activity or ""


def _save_checked(record: Record) -> None:
    lock_person(record.person)
    twin = _twin(record)
    if twin is not None:
        raise RecordConflict(f"you already have this record: record {twin.pk} ({twin}); change or remove that one")
    record.save()


@transaction.atomic
def create_record(actor: Person, person: Person, data: dict[str, object]) -> Record:
    """Add one record for ``person`` from a form's or the API's fields (``FIELDS``); ``RecordInvalid`` names the
    fields at fault, ``RecordConflict`` the record it would repeat."""
    check_may_see_records_of(actor, person)
    row = check_record(data)
    record = Record(person=person)
    _fill(record, row)
    _save_checked(record)
    history.record_change(actor, "create", record, None, note="entered by form or API")
    return record


@transaction.atomic
def update_record(actor: Person, record: Record, data: dict[str, object]) -> Record:
    """Replace the record's fields (``FIELDS``: a field left out or blank becomes blank, as a form sends it); its
    evidence, its link to a session and where it came from stay."""
    check_may_see_records_of(actor, record.person)
    row = check_record(data)
    before = history.snapshot(record)
    _fill(record, row)
    _save_checked(record)
    if history.snapshot(record) != before:
        history.record_change(actor, "change", record, before)
    return record


@transaction.atomic
def delete_record(actor: Person, record: Record) -> None:
    """Remove the record; the history keeps it as it was (``before``), with who removed it and when. Its evidence
    file goes with it once the removal is committed."""
    check_may_see_records_of(actor, record.person)
    before = history.snapshot(record)
    history.record_change(actor, "delete", record, before, note=str(record)[:300])
    evidence = record.evidence.name if record.evidence else ""
    storage = record.evidence.storage if record.evidence else None
    record.delete()
    if evidence and storage is not None:
        transaction.on_commit(lambda: storage.delete(evidence))


class SessionUnattendable(ValueError):
    """A catalogue session that cannot become a record (no date or length, or not yet held)."""


@transaction.atomic
def attend_session(actor: Person, person: Person, session: Session, today: dt.date | None = None) -> Record:
    """ "I attended": a record of ``person`` linked to the session (its date, title, length, format, provider), with
    no category of its own, so the session's applying decision gives its credit (``audits.credit_of``). Once per
    session and person (``RecordConflict``); a session with no date or length, or one after today, is
    ``SessionUnattendable``."""
    check_may_see_records_of(actor, person)
    today = today or timezone.localdate()
    if session.date is None or not session.minutes:
        raise SessionUnattendable("this session has no date or length in the catalogue: add the record by form")
    if session.date > today:
        raise SessionUnattendable(f"this session is on {session.date}: say you attended once it has taken place")
    lock_person(person)
    already = Record.objects.filter(person=person, session=session).first()
    if already is not None:
        raise RecordConflict(f"you already said you attended this session: record {already.pk} ({already})")
    record = Record(
        person=person, session=session, date=session.date, title=session.title[:500], minutes=session.minutes,
        time_text=session.time_text, format=session.format, venue=session.venue,
        provider=session.provider.name if session.provider else "",
    )  # fmt: skip
    twin = _twin(record)
    if twin is not None:
        raise RecordConflict(f"you already have this record: record {twin.pk} ({twin}); change or remove that one")
    record.save()
    history.record_change(actor, "attend", record, None, note=f"attended session {session.pk}")
    return record


def session_to_attend(session_id: int) -> Session:
    """A catalogue session by id (every signed-in person may read the catalogue; a provider's session once it is
    published), else ``LookupError``."""
    found = Session.objects.select_related("provider").filter(in_catalogue(), pk=session_id).first()
    if found is None:
        raise LookupError(f"no session {session_id}")
    return found


def attended_sessions(person: Person) -> set[int]:
    """The ids of the catalogue sessions the person has a record linked to."""
    return set(Record.objects.filter(person=person, session__isnull=False).values_list("session_id", flat=True))


def record_history(viewer: Person, record: Record) -> list[HistoryEntry]:
    """The record's history entries, newest first (the owner and staff)."""
    check_may_see_records_of(viewer, record.person)
    return list(HistoryEntry.objects.filter(object_type="records.record", object_id=str(record.pk)))


__all__ = [
    "EVIDENCE_SUFFIXES",
    "FIELDS",
    "RecordConflict",
    "RecordInvalid",
    "RowInvalid",
    "SessionUnattendable",
    "attach_evidence",
    "attend_session",
    "attended_sessions",
    "check_record",
    "create_record",
    "delete_record",
    "record_history",
    "session_to_attend",
    "set_activity",
    "update_record",
]
