"""``certcredit audit``: one person's records against a program, or a whole JSON Lines file of people (--batch).

The command routes by the kind its rulebook declares (``kind:`` in ``rules/programs/<id>.yaml``; ``AUDITORS``):
credit programs are audited here, workflows (CLRM) by ``cli.clrm``. A name that is no shipped rulebook is an
unknown program. The batch path lives in ``cli.audit_batch``: worker processes (one per core) read byte ranges of
the file, audit each line on the fast lane (``engine.bulk``) or, for anything it does not take, on the careful
path (``cli.batch_lines``), and the parts are written back in input order with at most a few in flight
(``cli.workers``), so memory does not grow with the file. It imports neither Django nor SciPy unless a case needs
one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import typer

from certcredit.cli.audit_batch import default_workers
from certcredit.cli.audit_request import AuditRequest, fail
from certcredit.cli.batch_lines import parse_as_of
from certcredit.cli.errors import row_problem, say
from certcredit.cli.typer_app import app

FORMATS = ("json", "table")


# --- one person -----------------------------------------------------------------------------------------------


def _audit_credits(request: AuditRequest) -> int:
    if request.batch:
        return _audit_batch(request)
    from certcredit.engine.audit import Rejected, audit
    from certcredit.engine.records import RecordError, record_from_row, record_id
    from certcredit.io.readers import FileFormatError, Row, read_rows
    from certcredit.rules.load import RulebookError, load_program

    if request.as_of is None:
        raise fail("--as-of is required (the application date, or the cycle's end for recertification)")
    try:
        as_of = parse_as_of(request.as_of)
        cycle_start = None if request.cycle_start is None else _parse_cycle_start(request.cycle_start)
        program = load_program(request.program)
        rows = list(read_rows(request.file, request.input_format))
    except (ValueError, RulebookError, FileFormatError, OSError) as error:
        raise fail(str(error)) from None
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
        raise fail(str(error)) from None
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
    """The batch path lives in ``cli.audit_batch`` (free of Typer, so ``main`` can start it without the CLI)."""
    from certcredit.cli import audit_batch

    if request.output == "table":
        raise fail("--batch writes JSON Lines only; drop --format table")
    try:
        cycle_start = None if request.cycle_start is None else _parse_cycle_start(request.cycle_start)
    except ValueError as error:
        raise fail(str(error)) from None
    try:
        return audit_batch.run(
            request.file, request.program, request.as_of, request.specialty, request.workers, request.stats,
            cycle_start,
        )  # fmt: skip
    except audit_batch.BatchError as error:
        raise fail(str(error)) from None


# --- routing by kind -------------------------------------------------------------------------------------------


def _audit_workflow(request: AuditRequest) -> int:
    from certcredit.cli.clrm import audit_clrm_request

    return audit_clrm_request(request)


#: The kind a rulebook declares -> the function that audits its programs.
AUDITORS: dict[str, Callable[[AuditRequest], int]] = {"credits": _audit_credits, "workflow": _audit_workflow}


def program_kind_of(program_id: str) -> str:
    """The kind its shipped rulebook declares; ValueError naming the shipped programs for any other name."""
    from certcredit.cli.rulebook_cache import program_kind as cached_kind

    kind = cached_kind(program_id)
    if kind is not None:
        return kind
    from certcredit.rules.load import program_kind, shipped_ids, shipped_path

    path = shipped_path(program_id)
    if "/" not in program_id and not program_id.startswith(".") and path.is_file():
        return program_kind(path)
    raise ValueError(f"unknown program {program_id!r}; known programs: {', '.join(sorted(shipped_ids()))}")


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
        help="the day the person's first cycle began (programs with a first-cycle rule: tx-mcle, pmi-pmp-renewal);"
        " with --batch, every person's",
    ),
) -> None:
    """Audit records against a program: what counts where, what is still needed, and the apply-by date."""
    chosen = output or ("json" if batch else "table")
    if chosen not in FORMATS:
        raise fail(f"unknown --format {chosen!r}; use json or table")
    try:
        kind = program_kind_of(program)
    except ValueError as error:
        raise fail(str(error)) from None
    auditor = AUDITORS.get(kind)
    if auditor is None:
        raise fail(f"program {program} has kind {kind!r}, which this build cannot audit")
    if not file.exists():
        raise fail(f"{file}: cannot read the file (No such file or directory)")
    count = workers if workers > 0 else default_workers()
    if planned and batch:
        raise fail("--with is for one person's audit, not --batch")
    request = AuditRequest(
        file, program, as_of, specialty, chosen, batch, input_format, count, stats, tuple(planned), today, cycle_start
    )
    raise typer.Exit(auditor(request))
