"""Importing session catalogues and people's records from CSV, JSON, JSON Lines and iCalendar files.

Every row is checked (``certcredit.io.rows``); bad rows are reported with file, line and reason and the good
ones go in. Each import is an attempt recorded in an ``ImportRun`` written in its own transaction when it starts
(``started``), then marked ``finished`` (in the same transaction as its rows) or ``failed`` (after that
transaction was rolled back): a killed import leaves its ``started`` run and nothing else. The writing is ONE
transaction: if anything fails half-way the store is as it was.

Records are read as a stream by a thread of their own and written a chunk at a time, so memory stays flat
however long the file: on SQLite ``CHUNK`` rows by multi-row inserts; on PostgreSQL ``STAGE_ROWS`` rows copied
(binary ``COPY``) to a temporary table and added by one ``INSERT ... SELECT`` that decides on the server which
are already there and writes their history entries, while the reading thread prepares the next batch. The
"already present" check compares each row with the stored ``base_key`` and ``activity`` columns, the very key
the database enforces (``certcredit.store.guards``);
the person's row is locked first (``SELECT ... FOR NO KEY UPDATE``; SQLite's IMMEDIATE transactions already
serialize), so two imports for one person run one after the other, and an import that still meets a conflict
(or a busy store) is tried again, up to ``ATTEMPTS`` times, instead of refusing the file. Each new record or
decision gets a history entry.
"""

from __future__ import annotations

import datetime as dt
import logging
import operator
import queue
import random
import threading
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
#: PostgreSQL: good rows staged and added by one statement at a time (``_RecordWriter._write_staged``)
STAGE_ROWS = 5_000
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
        #: PostgreSQL (``_write_staged``): the cursor batches are staged with, how many so far, the good rows
        self.cursor: Any = None
        self.batches = self.good = 0

    def write(self, rows: Iterable[Row | RowError]) -> None:
        if connection.vendor == "postgresql":
            self._write_staged(rows)
            return
        for chunk in _checked_ahead(rows):
            self._write_chunk(chunk)

    def _write_chunk(self, chunk: _Checked) -> None:
        """One chunk of the file: counted, its rejections kept, its good rows written (PostgreSQL: staged and
        added, ``_stage``; SQLite: inserted, ``_store``)."""
        self.report.rows += chunk.rows
        self.report.rejected.extend(chunk.rejected)
        self.good += chunk.good_rows
        if self.cursor is not None:
            self._stage(self.cursor, chunk)
        else:
            self._store(chunk.good)

    def _store(self, chunk: list[tuple[Row, RecordFields, str, str]]) -> None:
        """SQLite: the rows of a chunk not yet stored inserted (the same ``base_key`` and ``activity`` rule as the
        database's)."""
        known = KnownRecords()
        bases = sorted({base for _row, _fields, base, _key in chunk})
        for base, activity in _stored_keys(self.person, bases):
            known.add(base, activity)
        fresh: list[dict[str, Any]] = []
        for row, fields, base, key in chunk:
            if (base, fields.activity) in known:
                self.report.already_present += 1
                continue
            known.add(base, fields.activity)
            fresh.append(self._values(row, fields, base, key))
        self.sessions.link(fresh)
        if self.linked is not None:
            for values in fresh:
                values["session_id"] = self.linked
        if fresh:
            insert_records_sqlite(fresh, self.actor, self.note)
        self.report.added += len(fresh)
        if self.progress is not None:
            self.progress("storing", self.report.rows, self.total)

    def _write_staged(self, rows: Iterable[Row | RowError]) -> None:
        """PostgreSQL: the file is written a batch of ``STAGE_ROWS`` good rows at a time, each batch copied
        (``COPY``, binary) to a temporary staging table and then added by ONE statement (``_STAGED_INSERT``) that
        keeps the rows not already there, gives each its history entry and counts them. The reading thread
        (``_checked_ahead``) reads, checks and prepares (``_prepare``) the next batches while the server adds
        this one, so the two cores work at once. The foreign keys of the rows written are checked at the end of
        each statement rather than all at the commit, so that work overlaps the reading too.
        """
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_STAGE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {_STAGE} ({_STAGE_COLUMNS_SQL}) ON COMMIT DROP")
            keys = _foreign_keys(cursor)
            if keys:
                cursor.execute(f"SET CONSTRAINTS {keys} IMMEDIATE")
            self.cursor = cursor
            try:
                for chunk in _checked_ahead(rows, STAGE_ROWS, self._prepare):
                    self._write_chunk(chunk)
            finally:
                self.cursor = None
            if keys:
                cursor.execute(f"SET CONSTRAINTS {keys} DEFERRED")  # as Django declares them
            cursor.execute(f"DROP TABLE {_STAGE}")
        self.report.already_present = self.good - self.report.added

    def _prepare(self, chunk: _Checked) -> _Checked:
        """In the reading thread: a batch's good rows as ``_stage`` copies them (``chunk.staged``).

        "Already there" is ``KnownRecords``' rule taken in file order. The stored records (earlier batches'
        too) are the server's to compare; within the batch this says, for each row, whether it is new should
        its base key (date, title, minutes, format) have no stored record (``unstored``: it is the batch's
        first row of that base key, or names an activity not named before while the first one names one too)
        and should it have some (``stored``: it names an activity not named before in the batch). A row that is
        neither is already there and not staged.
        """
        linking = self.linked is None
        firsts: dict[str, tuple[str, set[str]]] = {}
        staged = chunk.staged
        for row, f, base, key in chunk.good:
            activity = f.activity
            first = firsts.get(base)
            if first is None:
                firsts[base] = (activity, {activity})
                unstored, stored = True, activity != ""
            else:
                seen = first[1]
                if not activity or activity in seen:
                    continue
                seen.add(activity)
                unstored, stored = first[0] != "", True
            title_key = ""
            if linking and f.title:
                title_key = text_key(f.title)
                chunk.dates.add(f.date)
            staged.append((
                f.date, f.title, f.description, f.minutes, f.time_text, f.format, f.category, f.subject_area,
                f.topic, f.venue, f.provider, activity, f.external_id, key, base, row.where, title_key, unstored,
                stored,
            ))  # fmt: skip
        chunk.good = []
        return chunk

    def _stage(self, cursor: Any, chunk: _Checked) -> None:
        """One prepared batch copied to the staging table and added (``_write_staged``). The person's row is
        locked (``lock_person``): what is stored cannot change meanwhile."""
        if self.batches:
            cursor.execute(f"TRUNCATE {_STAGE}")
        self.batches += 1
        with cursor.cursor.copy(f"COPY {_STAGE} ({', '.join(_STAGE_NAMES)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_STAGE_TYPES)
            write = copy.write_row
            for item in chunk.staged:
                write(item)
        self.sessions.load(chunk.dates)
        links = self.sessions.unique(chunk.dates)
        now = timezone.now()
        cursor.execute(
            _STAGED_INSERT,
            {
                "person": self.person.pk,
                "linked": self.linked,
                "link_dates": [day for day, _title, _pk in links],
                "link_titles": [title for _day, title, _pk in links],
                "link_sessions": [pk for _day, _title, pk in links],
                "source_file": self.file_name[:300],
                "run": self.run.pk,
                "now": now,
                "now_text": now.isoformat(),
                "actor": self.actor.pk if self.actor is not None else None,
                "label": history.actor_label(self.actor),
                "note": self.note,
            },
        )
        (added,) = cursor.fetchone()
        self.report.added += added
        if self.progress is not None:
            self.progress("storing", self.report.rows, self.total)

    def _values(self, row: Row, f: RecordFields, base: str, key: str) -> dict[str, Any]:
        """The record's columns in the model's order (``insert_records_sqlite`` then only adds ``created_at``)."""
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
            "natural_key": key,
            "base_key": base,
            "source_file": self.file_name[:300],
            "source_line": row.where,
            "import_run_id": self.run.pk,
        }


@dataclass(slots=True)
class _Checked:
    """A chunk of a file's rows, checked: the good ones with their fields and ``base_key``, the rejected ones."""

    rows: int = 0
    good: list[tuple[Row, RecordFields, str, str]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    #: how many rows were good (``good`` may be emptied once ``_RecordWriter._prepare`` has staged them)
    good_rows: int = 0
    #: PostgreSQL: the rows as the staging table takes them, and the dates of those with a title
    staged: list[tuple[Any, ...]] = field(default_factory=list)
    dates: set[dt.date] = field(default_factory=set)


def _checked_chunks(rows: Iterable[Row | RowError], size: int = CHUNK) -> Iterator[_Checked]:
    """The rows read and checked (``record_fields``) ``size`` good rows at a time, in file order."""
    chunk = _Checked()
    for item in rows:
        chunk.rows += 1
        if isinstance(item, RowError):
            chunk.rejected.append(Rejection(item.position, item.where, item.reason))
            continue
        try:
            fields = record_fields(item.data)
        except RowInvalid as error:
            chunk.rejected.append(Rejection(item.position, item.where, str(error)))
            continue
        chunk.good.append((item, fields, *fields.keys()))
        if len(chunk.good) >= size:
            chunk.good_rows = len(chunk.good)
            yield chunk
            chunk = _Checked()
    chunk.good_rows = len(chunk.good)
    yield chunk


#: checked chunks the reading thread may hold ready before the writer takes them (memory stays flat)
READ_AHEAD = 2


class _Stop(Exception):
    """The writer stopped (it failed or was interrupted): the reading thread ends without reading further."""


def _checked_ahead(
    rows: Iterable[Row | RowError], size: int = CHUNK, prepare: Callable[[_Checked], _Checked] | None = None
) -> Iterator[_Checked]:
    """``_checked_chunks`` read by a thread of its own while the caller writes the chunks before.

    Reading and checking is plain Python and touches no database; the writer spends much of its time inside the
    database driver (SQLite's inserts, PostgreSQL's ``COPY``), which lets other threads run, so the two overlap.
    The thread never holds more than ``READ_AHEAD`` chunks; whatever it raises (an unreadable file) is raised
    here, at the point in the file where it happened, and when the writer stops early the thread stops too.
    """
    ready: queue.Queue[_Checked | BaseException | None] = queue.Queue(maxsize=READ_AHEAD)
    stopped = threading.Event()

    def put(item: _Checked | BaseException | None) -> None:
        while not stopped.is_set():
            try:
                ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Stop

    def read() -> None:
        try:
            for chunk in _checked_chunks(rows, size):
                put(chunk if prepare is None else prepare(chunk))
            put(None)
        except _Stop:
            return
        except BaseException as error:  # handed to the writer, which raises it
            try:
                put(error)
            except _Stop:
                return

    reader = threading.Thread(target=read, name="import-reader", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stopped.set()
        reader.join()


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
    # SQL of its own (no sorting: the model's ordering would make SQLite walk the (person, date) index); the
    # ORM's ``base_key__in`` prepares each of a million keys one by one, as much work as the look-up itself
    raw = connection.connection
    for batch in _chunks(bases, BATCH_SIZE):
        yield from raw.execute(
            "SELECT base_key, activity FROM records_record"
            f" WHERE person_id = ? AND base_key IN ({', '.join(['?'] * len(batch))})",
            [person.pk, *batch],
        )


class _SessionIndex:
    """Catalogued sessions by date and title, loaded a date at a time: a record with the date and title of
    exactly one of them is that session's attendance."""

    def __init__(self) -> None:
        self.by_date: dict[dt.date, dict[str, list[int]]] = {}

    def load(self, days: Iterable[dt.date]) -> None:
        """Read the sessions of the dates not read yet."""
        wanted = sorted(day for day in set(days) if day not in self.by_date)
        for batch in _chunks(wanted, BATCH_SIZE):
            for day in batch:
                self.by_date[day] = {}
            for pk, day, title in Session.objects.filter(date__in=batch).order_by().values_list("pk", "date", "title"):
                self.by_date[day].setdefault(text_key(title), []).append(pk)

    def find(self, day: dt.date, title: str) -> int | None:
        """The one session of that date and title (``load`` read its date), else None."""
        if not title:
            return None
        sessions = self.by_date.get(day)
        matches = sessions.get(text_key(title)) if sessions else None
        return matches[0] if matches is not None and len(matches) == 1 else None

    def unique(self, days: Iterable[dt.date]) -> list[tuple[dt.date, str, int]]:
        """(date, title key, session) for each title of those dates (``load`` read them) that one session has."""
        return [
            (day, title, pks[0])
            for day in days
            for title, pks in self.by_date.get(day, {}).items()
            if len(pks) == 1 and title
        ]

    def link(self, values: list[dict[str, Any]]) -> None:
        self.load(v["date"] for v in values if v["title"])
        for v in values:
            if (session := self.find(v["date"], v["title"])) is not None:
                v["session_id"] = session


#: the record's columns as written (every concrete field but the id, in the model's order)
_RECORD_FIELDS = [f for f in Record._meta.concrete_fields if not f.primary_key]
#: the columns ``_values`` gives, in the model's order: all but ``created_at``
_NAMES_BUT_CREATED = [f.attname for f in _RECORD_FIELDS if f.attname != "created_at"]
_HISTORY_COLUMNS = ("at", "actor_id", "actor_label", "action", "object_type", "object_id", "before", "after", "note")


#: PostgreSQL imports: the temporary table a batch of a record file is copied to (``_RecordWriter._stage``), its
#: columns in the order ``_stage`` writes them, with their types (the binary ``COPY`` needs them)
_STAGE = "certcredit_import_rows"
_STAGE_COLUMNS = (
    ("date", "date"), ("title", "text"), ("description", "text"), ("minutes", "int4"), ("time_text", "text"),
    ("format", "text"), ("category", "text"), ("subject_area", "text"), ("topic", "text"), ("venue", "text"),
    ("provider", "text"), ("activity", "text"), ("external_id", "text"), ("natural_key", "text"),
    ("base_key", "text"), ("source_line", "text"), ("title_key", "text"), ("unstored", "bool"), ("stored", "bool"),
)  # fmt: skip
_STAGE_NAMES = [name for name, _type in _STAGE_COLUMNS]
_STAGE_TYPES = [kind for _name, kind in _STAGE_COLUMNS]
_STAGE_COLUMNS_SQL = ", ".join(f"{name} {kind}" for name, kind in _STAGE_COLUMNS)
#: what each record column is given that the staged row ``s`` does not hold
_STAGED_VALUES = {
    "person_id": "%(person)s",
    "session_id": "COALESCE(%(linked)s::bigint, l.session_id)",
    "evidence": "''",
    "source_file": "%(source_file)s",
    "import_run_id": "%(run)s",
    "created_at": "%(now)s",
}
#: the added records as ``history.snapshot`` gives them: every column, ``created_at`` as Python's ``isoformat``
#: writes it (the server would drop a fraction's trailing zeros)
_RETURNED = ", ".join(
    "%(now_text)s::text AS created_at" if f.attname == "created_at" else f.column for f in Record._meta.concrete_fields
)
#: the statement that adds a staged batch: the rows that are new (whether the person has a stored record with
#: the same base key picks ``unstored`` or ``stored``, ``_RecordWriter._prepare``; one that also names the same
#: activity, or where either names none, means the row is already there), each linked to the one catalogued
#: session of its date and title (``links``, ``_SessionIndex``) or the roster's, each with a history entry;
#: returns how many. The database's own key checks stay (unique index, trigger): a row this let through wrongly
#: would fail the import, never be stored twice.
_STAGED_INSERT = f"""
WITH links AS (
    SELECT * FROM unnest(%(link_dates)s::date[], %(link_titles)s::text[], %(link_sessions)s::bigint[])
        AS l(date, title_key, session_id)
), added AS (
    INSERT INTO records_record ({", ".join(f.column for f in _RECORD_FIELDS)})
    SELECT {", ".join(_STAGED_VALUES.get(f.attname, f"s.{f.column}") for f in _RECORD_FIELDS)}
    FROM {_STAGE} s LEFT JOIN LATERAL (
        SELECT bool_or(k.activity = s.activity OR k.activity = '' OR s.activity = '') AS clash
        FROM records_record k WHERE k.person_id = %(person)s AND k.base_key = s.base_key
    ) AS known ON true
    LEFT JOIN links l ON l.date = s.date AND l.title_key = s.title_key
    WHERE CASE WHEN known.clash IS NULL THEN s.unstored ELSE s.stored AND NOT known.clash END
    RETURNING {_RETURNED}
), entries AS (
    INSERT INTO history_historyentry ({", ".join(_HISTORY_COLUMNS)})
    SELECT %(now)s, %(actor)s, %(label)s, 'create', 'records.record', a.id::text, NULL, to_jsonb(a), %(note)s
    FROM added a
    RETURNING 1
)
SELECT count(*) FROM entries
"""


def _foreign_keys(cursor: Any) -> str:
    """The foreign keys of the tables an import writes, quoted for ``SET CONSTRAINTS``."""
    cursor.execute(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.conname) FROM pg_constraint c"
        " JOIN pg_namespace n ON n.oid = c.connamespace"
        " WHERE c.contype = 'f' AND c.condeferrable AND c.condeferred"
        " AND c.conrelid IN ('records_record'::regclass, 'history_historyentry'::regclass)"
    )
    return ", ".join(name for (name,) in cursor.fetchall())


def insert_records_sqlite(values: list[dict[str, Any]], actor: Person | None, note: str) -> list[int]:
    """SQLite: insert new records (``values``: column → value, without id and created_at), each with a
    ``create`` history entry holding the record as ``history.snapshot`` would; returns their ids in order.

    The fast path of SQLite imports: multi-row ``INSERT ... RETURNING`` (PostgreSQL imports stage and add whole
    batches on the server instead: ``_STAGED_INSERT``). The database still checks every key (unique constraint
    and trigger).
    """
    now = timezone.now()
    if values and list(values[0]) == _NAMES_BUT_CREATED:  # every column in the model's order: add the time
        rows = values
        for row in rows:
            row["created_at"] = now
    else:
        defaults = {f.attname: f.get_default() for f in _RECORD_FIELDS}
        rows = [{**defaults, **v, "created_at": now} for v in values]
    ids = _insert_sqlite(rows)
    at = connection.ops.adapt_datetimefield_value(now)
    label = history.actor_label(actor)
    actor_id = actor.pk if actor is not None else None
    entries = []
    dumps = orjson.dumps
    for pk, row in zip(ids, rows, strict=True):
        # what ``history.snapshot`` gives (``{"id": pk, **row}``): orjson writes dates and aware datetimes as
        # ``isoformat`` does, and a dict in its order, so the id goes in front of the row's own object
        after = f'{{"id":{pk},{dumps(row)[1:].decode()}'
        entries.append((at, actor_id, label, "create", "records.record", str(pk), None, after, note))
    _insert_many_sqlite("history_historyentry", _HISTORY_COLUMNS, entries)
    return ids


def _insert_sqlite(rows: list[dict[str, Any]]) -> list[int]:
    columns = [f.column for f in _RECORD_FIELDS]
    names = [f.attname for f in _RECORD_FIELDS]
    created = connection.ops.adapt_datetimefield_value(rows[0]["created_at"]) if rows else None
    at_date, at_created = names.index("date"), names.index("created_at")
    get = operator.itemgetter(*names)
    data = []
    for row in rows:
        item = list(get(row))
        item[at_date] = row["date"].isoformat()
        item[at_created] = created
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
