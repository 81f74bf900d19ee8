"""``certcredit audit``: one person's records against a program, or a whole JSON Lines file of people (--batch).

The command routes by the program's kind (``AUDITORS``): credit programs are audited here; other kinds (the CLRM
workflow) plug in their own function under their kind. The batch path streams: lines are read in chunks, audited
by a pool of worker processes (one per core) and written back in input order, with at most a few chunks in
flight, so memory does not grow with the file. It imports neither Django nor SciPy unless a case needs one.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import typer

from certcredit.cli import app

FORMATS = ("json", "table")
CHUNK_LINES = 1000
SMALL_FILE_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class AuditRequest:
    """What the command line asked for, handed to the auditor of the program's kind."""

    file: Path
    program: str
    as_of: str | None
    specialty: str | None
    output: str
    batch: bool
    input_format: str | None
    workers: int
    stats: bool = False
    #: ``--with``: files of planned sessions for a what-if (cli/audit_views.py)
    planned: tuple[Path, ...] = ()
    #: ``--today``: the date the outlook counts from (default: the real today)
    today: str | None = None


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _parse_as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"unreadable as-of date {text!r}: use YYYY-MM-DD") from None


# --- one person -----------------------------------------------------------------------------------------------


def _audit_credits(request: AuditRequest) -> int:
    if request.batch:
        return _audit_batch(request)
    from certcredit.engine.audit import Rejected, audit
    from certcredit.engine.records import RecordError, record_from_row, record_id
    from certcredit.io.readers import FileFormatError, Row, read_rows
    from certcredit.rules.load import RulebookError, load_program

    if request.as_of is None:
        raise _fail("--as-of is required (the application date, or the cycle's end for recertification)")
    try:
        as_of = _parse_as_of(request.as_of)
        program = load_program(request.program)
        rows = list(read_rows(request.file, request.input_format))
    except (ValueError, RulebookError, FileFormatError, OSError) as error:
        raise _fail(str(error)) from None
    records = []
    rejected = []
    for row in rows:
        if isinstance(row, Row):
            try:
                records.append(record_from_row(row.data, row.position))
                continue
            except RecordError as error:
                reason, rid = str(error), record_id(row.data, row.position)
        else:
            reason, rid = row.reason, str(row.position)
        rejected.append(Rejected(rid, row.line, reason, row.unit))
        typer.echo(f"{request.file}: {row.unit} {row.line}: {reason}", err=True)
    try:
        result = audit(program, records, as_of, request.specialty, rejected)
    except ValueError as error:
        raise _fail(str(error)) from None
    from certcredit.cli.audit_views import emit_audit

    bad = len(rejected) + emit_audit(request, program, records, result)  # the what-if's rejected planned rows
    if bad:
        typer.echo(f"{bad} row(s) rejected", err=True)
    return 2 if bad else 0


# --- many people (--batch) -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BatchDefaults:
    program: str
    as_of: str | None
    specialty: str | None
    file: str


@dataclass(frozen=True, slots=True)
class _ChunkResult:
    output: bytes
    messages: tuple[str, ...]
    failed: bool
    methods: dict[str, int]


def _audit_line(
    raw: bytes, line: int, defaults: _BatchDefaults, messages: list[str], methods: dict[str, int]
) -> tuple[dict[str, Any], bool]:
    """One person's audit object (``person`` first), or ``{"person", "error"}``; True when anything was rejected."""
    from certcredit.engine.batch import audit_person
    from certcredit.rules.load import load_program

    person: Any = None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        return _line_error(None, line, f"not valid JSON ({error})", defaults, messages), True
    if not isinstance(data, dict):
        return _line_error(None, line, "a line must be a JSON object with person and records", defaults, messages), True
    person = data.get("person")
    if person is not None and not isinstance(person, str):
        person = str(person)
    records_data = data.get("records")
    if not isinstance(records_data, list):
        return _line_error(person, line, "no records list", defaults, messages), True
    as_of_text = data.get("as_of") or defaults.as_of
    if not as_of_text:
        return _line_error(person, line, "no as-of date: give --as-of or the line's as_of", defaults, messages), True
    specialty = data.get("specialty") or defaults.specialty
    try:
        as_of = _parse_as_of(str(as_of_text))
        result, rejected, method = audit_person(load_program(defaults.program), records_data, as_of, specialty, line)
    except ValueError as error:
        return _line_error(person, line, str(error), defaults, messages), True
    methods[method] = methods.get(method, 0) + 1
    for r in result["rejected"] if rejected else ():
        messages.append(f"{defaults.file}: line {line}: person {person}: record {r['record']}: {r['error']}")
    out: dict[str, Any] = {"person": person}
    out.update(result)
    return out, bool(rejected)


def _line_error(
    person: str | None, line: int, error: str, defaults: _BatchDefaults, messages: list[str]
) -> dict[str, Any]:
    messages.append(f"{defaults.file}: line {line}: {error}")
    return {"person": person, "line": line, "error": error}


def _run_chunk(job: tuple[_BatchDefaults, list[tuple[int, bytes]]]) -> _ChunkResult:
    """Audit a chunk of lines (in a worker process, or in-process for a small file)."""
    defaults, lines = job
    messages: list[str] = []
    methods: dict[str, int] = {}
    failed = False
    parts = []
    dumps = orjson.dumps
    for number, raw in lines:
        obj, bad = _audit_line(raw, number, defaults, messages, methods)
        failed = failed or bad
        parts.append(dumps(obj))
    parts.append(b"")
    return _ChunkResult(b"\n".join(parts), tuple(messages), failed, methods)


def _chunks(path: Path, defaults: _BatchDefaults) -> Iterator[tuple[_BatchDefaults, list[tuple[int, bytes]]]]:
    with path.open("rb") as handle:
        chunk: list[tuple[int, bytes]] = []
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            chunk.append((number, raw))
            if len(chunk) >= CHUNK_LINES:
                yield defaults, chunk
                chunk = []
        if chunk:
            yield defaults, chunk


def _audit_batch(request: AuditRequest) -> int:
    from certcredit.rules.load import RulebookError, load_program

    if request.output == "table":
        raise _fail("--batch writes JSON Lines only; drop --format table")
    try:
        load_program(request.program)  # fail fast on an unknown or broken rulebook
        if request.as_of is not None:
            _parse_as_of(request.as_of)
        size = request.file.stat().st_size
    except (ValueError, RulebookError, OSError) as error:
        raise _fail(str(error)) from None
    defaults = _BatchDefaults(request.program, request.as_of, request.specialty, str(request.file))
    out = sys.stdout.buffer
    failed = False
    methods: dict[str, int] = {}

    def emit(result: _ChunkResult) -> None:
        nonlocal failed
        out.write(result.output)
        for method, count in result.methods.items():
            methods[method] = methods.get(method, 0) + count
        for message in result.messages:
            sys.stderr.write(message + "\n")
        failed = failed or result.failed

    workers = request.workers
    if workers <= 1 or size < SMALL_FILE_BYTES:
        for job in _chunks(request.file, defaults):
            emit(_run_chunk(job))
    else:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque[Any] = deque()
            for job in _chunks(request.file, defaults):
                pending.append(pool.apply_async(_run_chunk, (job,)))
                if len(pending) > 3 * workers:
                    emit(pending.popleft().get())
            while pending:
                emit(pending.popleft().get())
    out.flush()
    if request.stats:
        summary = ", ".join(f"{m}={n}" for m, n in sorted(methods.items()))
        sys.stderr.write(f"allocation methods: {summary or 'none'}\n")
    sys.stderr.flush()
    return 2 if failed else 0


# --- routing by kind -------------------------------------------------------------------------------------------

#: Program kind -> the function that audits it. The CLRM module registers ``AUDITORS["clrm"] = ...``.
AUDITORS: dict[str, Callable[[AuditRequest], int]] = {"credits": _audit_credits}


def program_kind_of(program_id: str) -> str:
    """The kind of a program: from its shipped rulebook, else the program id itself when an auditor bears it."""
    from certcredit.rules.load import program_kind, shipped_ids, shipped_path

    path = shipped_path(program_id)
    if path.exists():
        return program_kind(path)
    if program_id in AUDITORS:
        return program_id
    known = sorted(set(shipped_ids()) | (set(AUDITORS) - {"credits"}))
    raise ValueError(f"unknown program {program_id!r}; known programs: {', '.join(known)}")


@app.command("audit")
def audit_command(
    file: Path = typer.Argument(..., help="the person's records (CSV, JSON, JSON Lines, ICS); with --batch, people"),
    program: str = typer.Option(..., "--program", "-p", help="program id, e.g. clm-recertification"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="application date, or the cycle's end date for recertification (YYYY-MM-DD)"
    ),
    specialty: str | None = typer.Option(
        None, "--specialty", help="the specialist's own subject area (HR, FM, OM, LI)"
    ),
    output: str | None = typer.Option(
        None, "--format", "-f", help="table (default) or json; --batch writes JSON Lines"
    ),
    batch: bool = typer.Option(False, "--batch", help="JSON Lines of people in, JSON Lines of audits out, in order"),
    input_format: str | None = typer.Option(None, "--input-format", help="csv, json, jsonl or ics (default: suffix)"),
    workers: int = typer.Option(
        0, "--workers", help="batch worker processes (default: one per core; 1 keeps it in one process)"
    ),
    stats: bool = typer.Option(False, "--stats", help="batch: print how each allocation was solved (stderr)"),
    planned: list[Path] = typer.Option(
        [], "--with", help="what-if: a file of planned sessions (any records format); may be repeated"
    ),
    today: str | None = typer.Option(None, "--today", help="the date the outlook counts from (default: today)"),
) -> None:
    """Audit records against a program: what counts where, what is still needed, and the apply-by date."""
    chosen = output or ("json" if batch else "table")
    if chosen not in FORMATS:
        raise _fail(f"unknown --format {chosen!r}; use json or table")
    try:
        kind = program_kind_of(program)
    except ValueError as error:
        raise _fail(str(error)) from None
    auditor = AUDITORS.get(kind)
    if auditor is None:
        raise _fail(f"program {program} has kind {kind!r}, which this build cannot audit")
    if not file.exists():
        raise _fail(f"{file}: no such file")
    count = workers if workers > 0 else min(2, os.cpu_count() or 1)
    if planned and batch:
        raise _fail("--with is for one person's audit, not --batch")
    request = AuditRequest(
        file, program, as_of, specialty, chosen, batch, input_format, count, stats, tuple(planned), today
    )
    raise typer.Exit(auditor(request))
