"""``certcredit audit``: one person's records against a program, or a whole JSON Lines file of people (--batch).

The command routes by the program's kind (``AUDITORS``): credit programs are audited here; other kinds (the CLRM
workflow) plug in their own function under their kind. The batch path streams: worker processes (one per core) read
byte ranges of the file, audit each line on the fast lane (``engine.bulk``) or, for anything it does not take, on
the careful path here (``_audit_line``), and the parts are written back in input order with at most a few in
flight (``cli.workers``), so memory does not grow with the file. It imports neither Django nor SciPy unless a
case needs one.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import typer

from certcredit.cli import app

FORMATS = ("json", "table")
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
    from certcredit.engine.report import audit_json, render_table
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
    if request.output == "json":
        sys.stdout.buffer.write(orjson.dumps(audit_json(result), option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
    else:
        typer.echo(render_table(result), nl=False)
    if rejected:
        typer.echo(f"{len(rejected)} row(s) rejected", err=True)
    return 2 if rejected else 0


# --- many people (--batch) -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BatchDefaults:
    program: str
    as_of: str | None
    specialty: str | None
    file: str


def _audit_line(
    raw: bytes, line: int, defaults: _BatchDefaults, messages: list[str], methods: dict[str, int]
) -> tuple[dict[str, Any], bool]:
    """One person's audit object (``person`` first), or ``{"person", "error"}``; True when anything was rejected."""
    from certcredit.engine.batch import audit_person
    from certcredit.rules.cache import load_program

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


def _audit_batch(request: AuditRequest) -> int:
    from certcredit.cli import workers
    from certcredit.cli.workers import Part
    from certcredit.rules.cache import load_program  # no YAML or Pydantic when the compiled program is cached

    if request.output == "table":
        raise _fail("--batch writes JSON Lines only; drop --format table")
    try:
        load_program(request.program)  # fail fast on an unknown or broken rulebook
        if request.as_of is not None:
            _parse_as_of(request.as_of)
        request.file.stat()
    except (ValueError, OSError) as error:  # a RulebookError is a ValueError
        raise _fail(str(error)) from None
    defaults = _BatchDefaults(request.program, request.as_of, request.specialty, str(request.file))
    out = sys.stdout.buffer
    failed = False
    methods: dict[str, int] = {}

    def emit(result: Part) -> None:
        nonlocal failed
        out.write(result.output)
        for method, count in result.methods.items():
            methods[method] = methods.get(method, 0) + count
        for message in result.messages:
            sys.stderr.write(message + "\n")
        failed = failed or result.failed

    workers.run(request.file, defaults, request.workers, SMALL_FILE_BYTES, emit)
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
    from certcredit.rules.cache import program_kind as cached_kind

    kind = cached_kind(program_id)
    if kind is not None:
        return kind
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
    count = workers if workers > 0 else len(os.sched_getaffinity(0))
    request = AuditRequest(file, program, as_of, specialty, chosen, batch, input_format, count, stats)
    raise typer.Exit(auditor(request))
