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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer

from certcredit.cli import app
from certcredit.cli import batch as _batch
from certcredit.cli.batch import default_workers
from certcredit.cli.errors import CommandFailed, fail, row_problem, say

FORMATS = ("json", "table")
# The batch path's pieces, under the names other commands and tests know.
_parse_as_of = _batch.parse_as_of
_audit_line = _batch.audit_line
_BatchDefaults = _batch.BatchDefaults


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
    #: ``--cycle-start``: the day the person's first cycle began (programs with a first-cycle rule)
    cycle_start: str | None = None


def _fail(message: str) -> CommandFailed:
    return fail("audit", message)


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
        cycle_start = None if request.cycle_start is None else _parse_cycle_start(request.cycle_start)
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
        row_problem("audit", request.file, f"{row.unit} {row.line}", reason)
    try:
        result = audit(program, records, as_of, request.specialty, rejected, cycle_start)
    except ValueError as error:
        raise _fail(str(error)) from None
    from certcredit.cli.audit_views import emit_audit

    bad = len(rejected) + emit_audit(request, program, records, result)  # the what-if's rejected planned rows
    if bad:
        say("audit", f"{bad} row(s) rejected")
    return 2 if bad else 0


def _parse_cycle_start(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"unreadable --cycle-start date {text!r}: use YYYY-MM-DD") from None


# --- many people (--batch) -------------------------------------------------------------------------------------


def _audit_batch(request: AuditRequest) -> int:
    """The batch path lives in ``cli.batch`` (free of Typer, so ``main`` can start it without loading the CLI)."""
    from certcredit.cli import batch

    if request.output == "table":
        raise _fail("--batch writes JSON Lines only; drop --format table")
    try:
        return batch.run(
            request.file, request.program, request.as_of, request.specialty, request.workers, request.stats
        )
    except batch.BatchError as error:
        raise _fail(str(error)) from None


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
    planned: list[Path] = typer.Option(
        [], "--with", help="what-if: a file of planned sessions (any records format); may be repeated"
    ),
    today: str | None = typer.Option(None, "--today", help="the date the outlook counts from (default: today)"),
    cycle_start: str | None = typer.Option(
        None,
        "--cycle-start",
        help="the day the person's first cycle began (programs with a first-cycle rule: tx-mcle, pmi-pmp-renewal)",
    ),
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
        raise _fail(f"{file}: cannot read the file (No such file or directory)")
    count = workers if workers > 0 else default_workers()
    if planned and batch:
        raise _fail("--with is for one person's audit, not --batch")
    if cycle_start and batch:
        raise _fail("--cycle-start is for one person's audit, not --batch")
    request = AuditRequest(
        file, program, as_of, specialty, chosen, batch, input_format, count, stats, tuple(planned), today, cycle_start
    )
    raise typer.Exit(auditor(request))
