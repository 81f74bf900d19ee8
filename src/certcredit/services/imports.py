"""Importing session catalogues and people's records from CSV, JSON, JSON Lines and iCalendar files.

Every row is checked first (``certcredit.io.rows``); bad rows are reported with file, line and reason and the
good ones go in. The writing is ONE transaction: if anything fails half-way the store is as it was. Natural
keys make a second import of the same file add nothing (for records, ``certcredit.io.rows.KnownRecords`` says how
the activity takes part). Each new record or decision gets a history entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from django.db import transaction

from certcredit.io.readers import Row, RowError, decode_text, detect_format, read_file_text, read_text
from certcredit.io.rows import (
    KnownRecords,
    RecordFields,
    RowInvalid,
    SessionFields,
    record_fields,
    session_fields,
    text_key,
)
from certcredit.services import history
from certcredit.services.access import check_may_import_sessions, check_may_see_records_of
from certcredit.store.accounts.models import Organization, Person
from certcredit.store.catalog.models import Decision, Session
from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import ImportRun, Record

BATCH_SIZE = 500
#: ``progress(stage, done, total)``: stage is "checking" or "storing".
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that was not stored, where it is and why."""

    position: int
    where: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    """What an import did; ``rejected`` keeps file order."""

    kind: str
    file_name: str
    rows: int = 0
    added: int = 0
    already_present: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.rejected

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "file": self.file_name,
            "rows": self.rows,
            "added": self.added,
            "already_present": self.already_present,
            "rejected": [{"where": r.where, "reason": r.reason} for r in self.rejected],
            "import": self.run_id,
        }


def load_rows(path: Path | str, fmt: str | None = None) -> list[Row | RowError]:
    """All rows of a file; raises ``FileFormatError`` (a ValueError) when the file as a whole is unreadable."""
    kind = detect_format(path, fmt)
    return list(read_text(read_file_text(path), kind, name=str(path)))


def load_upload(name: str, content: bytes) -> list[Row | RowError]:
    """Rows of an uploaded file, its format told by its name."""
    kind = detect_format(name)
    return list(read_text(decode_text(content, name), kind, name=name))


def import_records(
    rows: Sequence[Row | RowError],
    person: Person,
    actor: Person | None,
    file_name: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Add a person's records; ``actor`` (None: the command line) must be that person or staff."""
    if actor is not None:
        check_may_see_records_of(actor, person)
    report = ImportReport(kind="records", file_name=file_name, rows=len(rows))
    checked = _check(rows, record_fields, report, progress)
    with transaction.atomic():
        run = ImportRun.objects.create(kind=report.kind, file_name=file_name[:300], run_by=actor, person=person)
        known = _known_records(person)
        fresh: list[Record] = []
        for row, fields in checked:
            base = fields.base_key()
            if (base, fields.activity) in known:
                report.already_present += 1
                continue
            known.add(base, fields.activity)
            fresh.append(_record(person, fields, fields.natural_key(), row, file_name, run))
        _link_sessions(fresh)
        _store(fresh, Record, actor, f"imported from {file_name}", progress)
        report.added = len(fresh)
        _finish(run, report, actor)
    return report


def import_sessions(
    rows: Sequence[Row | RowError],
    actor: Person | None,
    file_name: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Add catalogue sessions (and a designated decision for each session a file designates)."""
    if actor is not None:
        check_may_import_sessions(actor)
    report = ImportReport(kind="sessions", file_name=file_name, rows=len(rows))
    checked = _check(rows, session_fields, report, progress)
    with transaction.atomic():
        run = ImportRun.objects.create(kind=report.kind, file_name=file_name[:300], run_by=actor)
        providers = _providers([fields.provider for _row, fields in checked if fields.provider])
        known = _existing_session_keys([fields.natural_key() for _row, fields in checked])
        fresh: list[tuple[Session, SessionFields]] = []
        for row, fields in checked:
            key = fields.natural_key()
            if key in known:
                report.already_present += 1
                continue
            known.add(key)
            provider = providers.get(text_key(fields.provider)) if fields.provider else None
            fresh.append((_session(fields, key, provider, row, file_name, run), fields))
        note = f"imported from {file_name}"
        sessions = _store([s for s, _f in fresh], Session, actor, note, progress)
        decisions = [
            _designation(s, f, actor, row_note(s)) for s, f in zip(sessions, [f for _s, f in fresh], strict=True)
        ]
        _store([d for d in decisions if d is not None], Decision, actor, note, None)
        report.added = len(sessions)
        _finish(run, report, actor)
    return report


def row_note(session: Session) -> str:
    return f"designated in {session.source_file}, {session.source_line}"


def _check(
    rows: Sequence[Row | RowError],
    check: Callable[[dict[str, object]], T],
    report: ImportReport,
    progress: Progress | None,
) -> list[tuple[Row, T]]:
    """Good rows with their checked fields; every bad row goes to ``report.rejected`` with its reason."""
    good: list[tuple[Row, T]] = []
    for done, item in enumerate(rows, start=1):
        if isinstance(item, RowError):
            report.rejected.append(Rejection(item.position, item.where, item.reason))
        else:
            try:
                good.append((item, check(item.data)))
            except RowInvalid as error:
                report.rejected.append(Rejection(item.position, item.where, str(error)))
        if progress is not None and (done % 250 == 0 or done == len(rows)):
            progress("checking", done, len(rows))
    return good


M = TypeVar("M", Record, Session, Decision)


def _store(objects: list[M], model: type[M], actor: Person | None, note: str, progress: Progress | None) -> list[M]:
    """Insert in batches, each new object with its history entry; returns the objects with their keys."""
    stored: list[M] = []
    for batch in _chunks(objects, BATCH_SIZE):
        created = model.objects.bulk_create(batch)
        HistoryEntry.objects.bulk_create(
            [history.entry(actor, "create", obj, None, history.snapshot(obj), note) for obj in created]
        )
        stored.extend(created)
        if progress is not None:
            progress("storing", len(stored), len(objects))
    return stored


def _finish(run: ImportRun, report: ImportReport, actor: Person | None) -> None:
    run.rows, run.added = report.rows, report.added
    run.already_present, run.rejected = report.already_present, len(report.rejected)
    run.save()
    report.run_id = run.pk
    history.record_change(actor, "import", run, None, note=f"{report.added} added, {len(report.rejected)} rejected")


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _providers(names: Iterable[str]) -> dict[str, Organization]:
    """Providers by name (case and spacing ignored); new ones are created, named as first written."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(text_key(name), name)
    found = {text_key(o.name): o for o in Organization.objects.all() if text_key(o.name) in wanted}
    for key, name in wanted.items():
        if key not in found:
            found[key] = Organization.objects.create(name=name, kind=Organization.Kind.PROVIDER)
    return found


def _link_sessions(records: list[Record]) -> None:
    """A record with the date and title of exactly one catalogued session is that session's attendance."""
    dates = sorted({r.date for r in records if r.title})
    catalogue: dict[tuple[object, str], list[int]] = {}
    for batch in _chunks(dates, BATCH_SIZE):
        for pk, date, title in Session.objects.filter(date__in=batch).values_list("pk", "date", "title"):
            catalogue.setdefault((date, text_key(title)), []).append(pk)
    for record in records:
        matches = catalogue.get((record.date, text_key(record.title)), [])
        if len(matches) == 1:
            record.session_id = matches[0]


def _known_records(person: Person) -> KnownRecords:
    """The person's stored records by key without the activity: a stored key is ``record_key``'s, which appends
    ``|activity`` only when there is one (imports, the admin and ``set_activity`` all write it)."""
    known = KnownRecords()
    for key, activity in Record.objects.filter(person=person).values_list("natural_key", "activity"):
        suffix = f"|{activity}"
        known.add(key[: -len(suffix)] if activity and key.endswith(suffix) else key, activity)
    return known


def _existing_session_keys(keys: list[str]) -> set[str]:
    known: set[str] = set()
    for batch in _chunks(sorted(set(keys)), BATCH_SIZE):
        known.update(Session.objects.filter(natural_key__in=batch).values_list("natural_key", flat=True))
    return known


def _record(person: Person, f: RecordFields, key: str, row: Row, file_name: str, run: ImportRun) -> Record:
    return Record(
        person=person,
        date=f.date,
        title=f.title,
        description=f.description,
        minutes=f.minutes,
        time_text=f.time_text,
        format=f.format,
        category=f.category,
        subject_area=f.subject_area,
        topic=f.topic,
        venue=f.venue,
        provider=f.provider,
        activity=f.activity,
        external_id=f.external_id,
        natural_key=key,
        source_file=file_name[:300],
        source_line=row.where,
        import_run=run,
    )


def _session(
    f: SessionFields, key: str, provider: Organization | None, row: Row, file_name: str, run: ImportRun
) -> Session:
    return Session(
        title=f.title,
        description=f.description,
        date=f.date,
        start_time=f.start_time,
        end_time=f.end_time,
        minutes=f.minutes,
        time_text=f.time_text,
        format=f.format,
        provider=provider,
        category=f.category,
        subject_area=f.subject_area,
        topic=f.topic,
        venue=f.venue,
        location=f.location,
        uid=f.uid,
        external_id=f.external_id,
        natural_key=key,
        source_file=file_name[:300],
        source_line=row.where,
        import_run=run,
    )


def _designation(session: Session, f: SessionFields, actor: Person | None, note: str) -> Decision | None:
    """A file that designates a category, area or topic records that as a designated decision."""
    if not f.designated:
        return None
    return Decision(
        session=session,
        kind=Decision.Kind.DESIGNATED,
        verdict=Decision.Verdict.QUALIFIES if f.category else "",
        category=f.category,
        subject_area=f.subject_area,
        topic=f.topic,
        decided_by=actor,
        analysis=note,
    )
