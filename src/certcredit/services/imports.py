"""Importing session catalogues and people's records from CSV, JSON, JSON Lines and iCalendar files.

Every row is checked (``certcredit.io.rows``); bad rows are reported with file, line and reason and the good
ones go in. Each import is an attempt recorded in an ``ImportRun`` written in its own transaction when it starts
(``started``), then marked ``finished`` (in the same transaction as its rows) or ``failed`` (after that
transaction was rolled back): a killed import leaves its ``started`` run and nothing else. The writing is ONE
transaction: if anything fails half-way the store is as it was.

Records are read as a stream and written in chunks of ``CHUNK`` rows (PostgreSQL: ``COPY``; SQLite: multi-row
inserts), so memory stays flat however long the file. The "already present" check compares each row with the
stored ``base_key`` and ``activity`` columns, the very key the database enforces (``certcredit.store.guards``);
the person's row is locked first (``SELECT ... FOR NO KEY UPDATE``; SQLite's IMMEDIATE transactions already
serialize), so two imports for one person run one after the other, and an import that still meets a conflict
(or a busy store) is tried again, up to ``ATTEMPTS`` times, instead of refusing the file. Each new record or
decision gets a history entry.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import orjson
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from certcredit.io.readers import (
    FileFormatError,
    Row,
    RowError,
    decode_text,
    detect_format,
    read_file_text,
    read_text,
)
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
from certcredit.services.access import (
    check_may_import_sessions,
    check_may_record_attendance,
    check_may_see_records_of,
)
from certcredit.services.people import lock_person
from certcredit.store.accounts.models import Organization, Person
from certcredit.store.catalog.models import Decision, Session
from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import ImportRun, Record
from certcredit.store.standings.signals import mark_outdated

log = logging.getLogger(__name__)

BATCH_SIZE = 500
#: records are checked against the store and written this many rows at a time
CHUNK = 2000
#: record files (CSV, JSON Lines) are read this many lines at a time
BLOCK_LINES = 5000
#: an import that meets a conflict or a busy store is tried this many times in all
ATTEMPTS = 4
#: ``progress(stage, done, total)``: stage is "checking" or "storing"; total is 0 when not known in advance.
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
    attempts: int = 1

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


class RowSource:
    """A file's rows, read again each time it is iterated (an import that is retried reads the file again).

    CSV and JSON Lines files are read a block of ``BLOCK_LINES`` lines at a time, each block through the same
    reader as a whole file (``read_text``; a CSV block after its header, cut only where no quoted cell is open),
    with positions and lines counted on from the blocks before: memory stays flat however long the file. JSON
    and iCalendar files are read whole.
    """

    def __init__(self, path: Path | str, kind: str) -> None:
        self.path, self.kind, self.name = Path(path), kind, str(path)

    def __iter__(self) -> Iterator[Row | RowError]:
        if self.kind not in ("csv", "jsonl"):
            yield from read_text(read_file_text(self.path), self.kind, name=self.name)
            return
        try:
            yield from self._blocks()
        except OSError as error:
            raise FileFormatError(self.name, f"cannot read the file ({error.strerror or error})") from None
        except UnicodeDecodeError as error:
            where = f" after line {self._read_lines}" if getattr(self, "_read_lines", 0) else ""
            raise FileFormatError(
                self.name, f"not UTF-8 text{where} ({error.reason}); save the file as UTF-8"
            ) from None

    def _blocks(self) -> Iterator[Row | RowError]:
        self._read_lines = 0
        # universal newlines, as ``Path.read_text`` reads a whole file
        with self.path.open(encoding="utf-8-sig") as handle:
            header, header_lines = "", 0
            if self.kind == "csv":
                for line in handle:  # the header, with any quoted line breaks in it
                    self._read_lines += 1
                    header, header_lines = header + line, header_lines + 1
                    if header.count('"') % 2 == 0:
                        break
                if not header:
                    yield from read_text(header, self.kind, name=self.name)  # says the file is empty
                    return
            consumed, position = header_lines, 0
            block: list[str] = []
            quotes = 0
            for line in handle:
                self._read_lines += 1
                block.append(line)
                quotes += line.count('"') if self.kind == "csv" else 0
                if len(block) >= BLOCK_LINES and quotes % 2 == 0:
                    yield from self._shifted(header, header_lines, block, consumed, position)
                    position = self._last
                    consumed += self._lines
                    block, quotes = [], 0
            if block or (self.kind == "csv" and consumed == header_lines):
                yield from self._shifted(header, header_lines, block, consumed, position)

    def _shifted(
        self, header: str, header_lines: int, block: list[str], consumed: int, position: int
    ) -> Iterator[Row | RowError]:
        text = header + "".join(block)
        self._lines = len(block) if self.kind == "csv" else len("".join(block).splitlines())
        self._last = position
        shift = consumed - header_lines
        try:
            for item in read_text(text, self.kind, name=self.name):
                self._last = item.position + position
                if not (position or shift):
                    yield item
                elif isinstance(item, Row):
                    yield Row(self._last, item.line + shift, item.data, item.unit)
                else:
                    yield RowError(self._last, item.line + shift, item.reason, item.unit, item.data)
        except FileFormatError as error:  # a quote that never closes: named at its line in the whole file
            if error.line is None or not shift:
                raise
            raise FileFormatError(error.file, error.reason, error.line + shift) from None


def stream_rows(path: Path | str, fmt: str | None = None) -> RowSource:
    """A file's rows as a stream; ``FileFormatError`` (a ValueError) when the file cannot be read at all (it
    may only show for a later block, then the import stops and keeps nothing)."""
    source = RowSource(path, detect_format(path, fmt))
    next(iter(source), None)  # a file that cannot be read as a whole (JSON, iCalendar, not UTF-8) says so now
    return source


def load_rows(path: Path | str, fmt: str | None = None) -> list[Row | RowError]:
    """All rows of a file; raises ``FileFormatError`` (a ValueError) when the file as a whole is unreadable."""
    return list(stream_rows(path, fmt))


def load_upload(name: str, content: bytes) -> list[Row | RowError]:
    """Rows of an uploaded file, its format told by its name."""
    kind = detect_format(name)
    return list(read_text(decode_text(content, name), kind, name=name))


def import_records(
    rows: Iterable[Row | RowError],
    person: Person,
    actor: Person | None,
    file_name: str,
    progress: Progress | None = None,
    session: Session | None = None,
) -> ImportReport:
    """Add a person's records; ``actor`` (None: the command line) must be that person or staff.

    ``rows`` may be a list or a ``RowSource``; a one-shot iterator is imported once, without retries. With
    ``session`` (an attendance roster), every record is linked to that session, and the actor may also be a
    provider of the session's organization (``access.check_may_record_attendance``).
    """
    if actor is not None:
        if session is None:
            check_may_see_records_of(actor, person)
        else:
            check_may_record_attendance(actor, session)
    run = _start_run(str(ImportRun.Kind.RECORDS), file_name, actor, person)

    def attempt() -> ImportReport:
        report = ImportReport(kind="records", file_name=file_name, run_id=run.pk)
        with transaction.atomic(), _page_cache():
            lock_person(person)
            writer = _RecordWriter(person, actor, file_name, run, report, progress, _total(rows))
            writer.linked = session.pk if session is not None else None
            writer.write(rows)
            _finish(run, report, actor)
            if report.added:
                mark_outdated(person.pk)  # the staff dashboard audits them again (services/standings.py)
        return report

    return _attempts(run, attempt, replayable=iter(rows) is not rows)


def import_sessions(
    rows: Sequence[Row | RowError],
    actor: Person | None,
    file_name: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Add catalogue sessions (and a designated decision for each session a file designates)."""
    if actor is not None:
        check_may_import_sessions(actor)
    run = _start_run(str(ImportRun.Kind.SESSIONS), file_name, actor, None)

    def attempt() -> ImportReport:
        report = ImportReport(kind="sessions", file_name=file_name, rows=len(rows), run_id=run.pk)
        checked = _check(rows, session_fields, report, progress)
        with transaction.atomic():
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

    return _attempts(run, attempt, replayable=True)


#: SQLite's page cache while a record import writes (KiB): a large import touches the same index pages again
#: and again, and SQLite's default 2 MB makes it write and read them back many times
SQLITE_IMPORT_CACHE_KIB = 65_536


@contextmanager
def _page_cache() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _total(rows: Iterable[object]) -> int:
    return len(rows) if isinstance(rows, Sequence) else 0


def _start_run(kind: str, file_name: str, actor: Person | None, person: Person | None) -> ImportRun:
    """The attempt's row, committed at once (unless the caller already holds a transaction)."""
    return ImportRun.objects.create(
        kind=kind, file_name=file_name[:300], run_by=actor, person=person, status=ImportRun.Status.STARTED
    )


def _attempts(run: ImportRun, attempt: Callable[[], ImportReport], *, replayable: bool) -> ImportReport:
    """Run ``attempt`` (one transaction); a conflict or a busy store means another try, the run's row says how
    it ended."""
    tries = ATTEMPTS if replayable else 1
    for number in range(1, tries + 1):
        try:
            report = attempt()
        except (IntegrityError, OperationalError) as error:
            if number == tries or not _retryable(error):
                _fail_run(run, error)
                raise
            log.info("import %s: attempt %d met %s; trying again", run.pk, number, error)
            time.sleep(random.uniform(0.01, 0.05) * number)
        except BaseException as error:
            _fail_run(run, error)
            raise
        else:
            report.attempts = number
            return report
    raise AssertionError("unreachable")


def _retryable(error: DatabaseError) -> bool:
    if isinstance(error, IntegrityError):
        return True
    text = str(error).lower()
    return any(word in text for word in ("locked", "deadlock", "could not serialize", "busy"))


def _fail_run(run: ImportRun, error: BaseException) -> None:
    """Mark the attempt failed; never hides the error that stopped it."""
    run.status, run.finished_at = ImportRun.Status.FAILED, timezone.now()
    run.error = (f"{type(error).__name__}: {error}")[:2000]
    try:
        with transaction.atomic():
            ImportRun.objects.filter(pk=run.pk).update(status=run.status, finished_at=run.finished_at, error=run.error)
    except DatabaseError:
        log.exception("import %s failed and could not be marked failed", run.pk)


class _RecordWriter:
    """Checks rows as they come and writes them ``CHUNK`` at a time, each with its history entry."""

    def __init__(
        self,
        person: Person,
        actor: Person | None,
        file_name: str,
        run: ImportRun,
        report: ImportReport,
        progress: Progress | None,
        total: int,
    ) -> None:
        self.person, self.actor, self.file_name, self.run = person, actor, file_name, run
        self.report, self.progress, self.total = report, progress, total
        self.sessions = _SessionIndex()
        self.note = f"imported from {file_name}"[:300]
        #: the session every record is linked to (an attendance roster), else None: linked by date and title
        self.linked: int | None = None

    def write(self, rows: Iterable[Row | RowError]) -> None:
        chunk: list[tuple[Row, RecordFields, str]] = []
        report = self.report
        for item in rows:
            report.rows += 1
            if isinstance(item, RowError):
                report.rejected.append(Rejection(item.position, item.where, item.reason))
            else:
                try:
                    fields = record_fields(item.data)
                    chunk.append((item, fields, fields.base_key()))
                except RowInvalid as error:
                    report.rejected.append(Rejection(item.position, item.where, str(error)))
            if len(chunk) >= CHUNK:
                self._store(chunk)
                chunk = []
        self._store(chunk)

    def _store(self, chunk: list[tuple[Row, RecordFields, str]]) -> None:
        """Rows of one chunk not yet stored (the same ``base_key`` and ``activity`` rule as the database's)."""
        known = KnownRecords()
        bases = sorted({base for _row, _fields, base in chunk})
        for base, activity in _stored_keys(self.person, bases):
            known.add(base, activity)
        fresh: list[dict[str, Any]] = []
        for row, fields, base in chunk:
            if (base, fields.activity) in known:
                self.report.already_present += 1
                continue
            known.add(base, fields.activity)
            fresh.append(self._values(row, fields, base))
        self.sessions.link(fresh)
        if self.linked is not None:
            for values in fresh:
                values["session_id"] = self.linked
        if fresh:
            insert_records(fresh, self.actor, self.note)
        self.report.added += len(fresh)
        if self.progress is not None:
            self.progress("storing", self.report.rows, self.total)

    def _values(self, row: Row, f: RecordFields, base: str) -> dict[str, Any]:
        return {
            "person_id": self.person.pk,
            "session_id": None,
            "date": f.date,
            "title": f.title,
            "description": f.description,
            "minutes": f.minutes,
            "time_text": f.time_text,
            "format": f.format,
            "category": f.category,
            "subject_area": f.subject_area,
            "topic": f.topic,
            "venue": f.venue,
            "provider": f.provider,
            "activity": f.activity,
            "evidence": "",
            "external_id": f.external_id,
            "natural_key": f.natural_key(),
            "base_key": base,
            "source_file": self.file_name[:300],
            "source_line": row.where,
            "import_run_id": self.run.pk,
        }


def _stored_keys(person: Person, bases: list[str]) -> Iterator[tuple[str, str]]:
    """The person's stored (base_key, activity) pairs among ``bases``, looked up in the (person, base_key) index.

    On PostgreSQL the planner has no statistics for the rows this transaction wrote: it takes the person's
    records to be a handful and would read them all through the person index for every chunk (quadratic over
    a large file). A LATERAL subquery kept apart by ``OFFSET 0`` is run once per key, through the index on both.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.base_key, r.activity FROM unnest(%s::text[]) AS k(base), LATERAL ("
                " SELECT base_key, activity FROM records_record WHERE person_id = %s AND base_key = k.base OFFSET 0"
                ") AS r",
                [bases, person.pk],
            )
            yield from cursor.fetchall()
        return
    for batch in _chunks(bases, BATCH_SIZE):
        yield from (
            Record.objects.filter(person=person, base_key__in=batch)
            .order_by()  # no sorting: the model's ordering would make SQLite walk the (person, date) index
            .values_list("base_key", "activity")
        )


class _SessionIndex:
    """Catalogued sessions by date and title, loaded a date at a time: a record with the date and title of
    exactly one of them is that session's attendance."""

    def __init__(self) -> None:
        self.by_date: dict[object, dict[str, list[int]]] = {}

    def link(self, values: list[dict[str, Any]]) -> None:
        wanted = sorted({v["date"] for v in values if v["title"] and v["date"] not in self.by_date})
        for batch in _chunks(wanted, BATCH_SIZE):
            for day in batch:
                self.by_date[day] = {}
            for pk, day, title in Session.objects.filter(date__in=batch).order_by().values_list("pk", "date", "title"):
                self.by_date[day].setdefault(text_key(title), []).append(pk)
        for v in values:
            if v["title"]:
                matches = self.by_date.get(v["date"], {}).get(text_key(v["title"]), [])
                if len(matches) == 1:
                    v["session_id"] = matches[0]


#: the record's columns as written (every concrete field but the id, in the model's order)
_RECORD_FIELDS = [f for f in Record._meta.concrete_fields if not f.primary_key]
_HISTORY_COLUMNS = ("at", "actor_id", "actor_label", "action", "object_type", "object_id", "before", "after", "note")


def insert_records(values: list[dict[str, Any]], actor: Person | None, note: str) -> list[int]:
    """Insert new records (``values``: column → value, without id and created_at), each with a ``create``
    history entry holding the record as ``history.snapshot`` would; returns their ids in order.

    The fast path of imports: PostgreSQL gets ``COPY`` with ids drawn from the sequence first, SQLite multi-row
    ``INSERT ... RETURNING``. The database still checks every key (unique constraint and trigger).
    """
    now = timezone.now()
    defaults = {f.attname: f.get_default() for f in _RECORD_FIELDS}
    rows = [{**defaults, **v, "created_at": now} for v in values]
    ids = _insert_pg(rows) if connection.vendor == "postgresql" else _insert_sqlite(rows)
    at = now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    label = history.actor_label(actor)
    actor_id = actor.pk if actor is not None else None
    entries = []
    for pk, row in zip(ids, rows, strict=True):
        # what ``history.snapshot`` gives: orjson writes dates and aware datetimes as ``isoformat`` does
        after = orjson.dumps({"id": pk, **row}).decode()
        entries.append((at, actor_id, label, "create", "records.record", str(pk), None, after, note))
    if connection.vendor == "postgresql":
        _copy_pg("history_historyentry", _HISTORY_COLUMNS, entries)
    else:
        _insert_many_sqlite("history_historyentry", _HISTORY_COLUMNS, entries)
    return ids


def _insert_pg(rows: list[dict[str, Any]]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('records_record', 'id')) FROM generate_series(1, %s)", [len(rows)]
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    columns = ("id", *(f.column for f in _RECORD_FIELDS))
    _copy_pg(
        "records_record",
        columns,
        [(pk, *(row[f.attname] for f in _RECORD_FIELDS)) for pk, row in zip(ids, rows, strict=True)],
    )
    return ids


def _copy_pg(table: str, columns: Sequence[str], data: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for item in data:
            copy.write_row(item)


def _insert_sqlite(rows: list[dict[str, Any]]) -> list[int]:
    columns = [f.column for f in _RECORD_FIELDS]
    names = [f.attname for f in _RECORD_FIELDS]
    created = connection.ops.adapt_datetimefield_value(rows[0]["created_at"]) if rows else None
    data = []
    for row in rows:
        item = [row[name] for name in names]
        item[names.index("date")] = row["date"].isoformat()
        item[names.index("created_at")] = created
        data.append(tuple(item))
    returned = _insert_many_sqlite("records_record", columns, data, returning="id, natural_key")
    by_key = {key: pk for pk, key in returned}
    return [by_key[row["natural_key"]] for row in rows]


def _insert_many_sqlite(
    table: str, columns: Sequence[str], data: list[tuple[Any, ...]], returning: str = ""
) -> list[tuple[Any, ...]]:
    """Multi-row inserts within SQLite's limit of bound values per statement."""
    per_statement = max(1, 30_000 // len(columns))
    row_sql = f"({', '.join(['?'] * len(columns))})"
    out: list[tuple[Any, ...]] = []
    raw = connection.connection  # the sqlite3 connection: Django's %s translation is not needed here
    for start in range(0, len(data), per_statement):
        part = data[start : start + per_statement]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row_sql] * len(part))}"
        params = [value for item in part for value in item]
        if returning:
            out.extend(raw.execute(f"{sql} RETURNING {returning}", params).fetchall())
        else:
            raw.execute(sql, params)
    return out


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
    """The run's figures and ``finished``, in the import's own transaction (committed with its rows)."""
    run.rows, run.added = report.rows, report.added
    run.already_present, run.rejected = report.already_present, len(report.rejected)
    run.status, run.finished_at = ImportRun.Status.FINISHED, timezone.now()
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


def _existing_session_keys(keys: list[str]) -> set[str]:
    known: set[str] = set()
    for batch in _chunks(sorted(set(keys)), BATCH_SIZE):
        known.update(Session.objects.filter(natural_key__in=batch).values_list("natural_key", flat=True))
    return known


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
