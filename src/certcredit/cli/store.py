"""``certcredit import sessions|records FILE``, ``certcredit export sessions|records FILE`` and
``certcredit store evaluate-sessions`` (the evaluator over the stored catalogue)."""

from __future__ import annotations

import json
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from certcredit.cli.errors import BAD_INPUT, fail
from certcredit.cli.typer_app import app

if TYPE_CHECKING:
    from certcredit.services.imports import ImportReport, RowSource
    from certcredit.store.accounts.models import Person

import_app = typer.Typer(help="Import sessions or a person's records from CSV, JSON, JSON Lines or iCalendar.")
export_app = typer.Typer(help="Export sessions or a person's records as CSV, JSON, JSON Lines or iCalendar.")
app.add_typer(import_app, name="import", no_args_is_help=True)
app.add_typer(export_app, name="export", no_args_is_help=True)
store_app = typer.Typer(help="Work on the stored catalogue: run the session evaluator over it.")
app.add_typer(store_app, name="store", no_args_is_help=True)

#: Files with more rows than this get a progress bar on stderr.
PROGRESS_FROM = 1000

FILE = typer.Argument(..., help="The file to import.")  # a missing or unreadable one: certcredit import …: FILE: …
FORMAT = typer.Option(None, "--input-format", help="csv, json, jsonl or ics (default: from the suffix).")
AS = typer.Option(None, "--as", help="E-mail of the person running the import (kept in the history).")
JSON_OUT = typer.Option(False, "--json", help="Also print the summary as JSON on stdout.")


@import_app.command("sessions")
def import_sessions_command(
    file: Path = FILE, input_format: str | None = FORMAT, actor: str | None = AS, json_out: bool = JSON_OUT
) -> None:
    """Add catalogue sessions; a session already in the catalogue (same natural key) is left alone."""
    _COMMAND.set("import sessions")
    _django()
    from certcredit.services.imports import import_sessions

    rows, who = _prepare(file, input_format, actor)
    sessions = list(rows)
    report = _with_progress(len(sessions), lambda progress: import_sessions(sessions, who, str(file), progress))
    _finish(report, json_out)


@import_app.command("records")
def import_records_command(
    file: Path = FILE,
    person: str = typer.Option(..., "--person", help="E-mail of the person whose records these are."),
    input_format: str | None = FORMAT,
    actor: str | None = AS,
    json_out: bool = JSON_OUT,
) -> None:
    """Add a person's records; a record they already have (same natural key) is left alone."""
    _COMMAND.set("import records")
    _django()
    from certcredit.services.imports import import_records
    from certcredit.services.people import UnknownPerson, find_person

    rows, who = _prepare(file, input_format, actor)
    try:
        owner = find_person(person)
    except UnknownPerson as error:
        _fail(str(error))
    # records are streamed: the bar counts rows as they are stored, its length unknown in advance
    big = file.stat().st_size > PROGRESS_FROM * 100
    report = _with_progress(0 if big else 1, lambda progress: import_records(rows, owner, who, str(file), progress))
    _finish(report, json_out)


@import_app.command("clrm-roster")
def import_clrm_roster_command(
    file: Path = FILE,
    academy: str = typer.Option(..., "--academy", help="The core academy: foundation, negotiations or arbitration."),
    day: str = typer.Option(..., "--date", help="The academy day (YYYY-MM-DD)."),
    input_format: str | None = FORMAT,
    actor: str | None = AS,
    json_out: bool = JSON_OUT,
) -> None:
    """Record a CLRM academy day from its roster (an email column); a person already recorded is left alone."""
    _COMMAND.set("import clrm-roster")
    _django()
    from certcredit.services import clrm
    from certcredit.services.access import Forbidden

    rows, who = _prepare(file, input_format, actor)
    try:
        report = clrm.import_roster(list(rows), academy, day, who, str(file))  # a roster is one day: short
    except Forbidden as error:  # not the input's fault: the person named by --as may not do this
        _fail(str(error), 1)
    except (clrm.EventInvalid, ValueError) as error:  # an unknown academy, a bad date, an unreadable file, no email
        _fail(str(error))
    _finish(report, json_out)


@import_app.command("members")
def import_members_command(
    file: Path = FILE, input_format: str | None = FORMAT, actor: str | None = AS, json_out: bool = JSON_OUT
) -> None:
    """Store the association's member list (email, from, until): who may read the CLRM library.

    A period already stored is left alone; a row giving it another last day updates it (before and after in the
    history). Bad rows are listed and the good ones kept.
    """
    _COMMAND.set("import members")
    _django()
    from certcredit.services import membership
    from certcredit.services.access import Forbidden

    rows, who = _prepare(file, input_format, actor)
    try:
        report = membership.import_members(list(rows), who, str(file))
    except Forbidden as error:  # not the input's fault: the person named by --as may not do this
        _fail(str(error), 1)
    except ValueError as error:  # a file that cannot be read as a whole: nothing stored
        _fail(str(error))
    if report.updated:
        typer.echo(f"{report.updated} membership period(s) updated", err=True)
    _finish(report, json_out)


@export_app.command("clrm-events")
def export_clrm_events_command(
    file: Path = typer.Argument(..., help="Where to write; '-' for stdout."),
    person: str = typer.Option(..., "--person", help="E-mail of the CLRM candidate."),
    output_format: str | None = typer.Option(None, "--output-format", help="csv, json or jsonl."),
) -> None:
    """Write a CLRM candidate's stored events as `certcredit audit EVENTS --program clrm` reads them."""
    _COMMAND.set("export clrm-events")
    _django()
    from certcredit.services import clrm
    from certcredit.services.people import UnknownPerson, find_person

    try:
        candidate = clrm.own_candidacy(find_person(person))
    except UnknownPerson as error:
        _fail(str(error))
    if candidate is None:
        _fail(f"{person} is not a CLRM candidate")
    _write(file, output_format, clrm.event_rows(candidate), calendar_name="certcredit clrm events")


@export_app.command("clrm-bulletin")
def export_clrm_bulletin_command(
    file: Path = typer.Argument(..., help="Where to write (CSV); '-' for stdout."),
) -> None:
    """Write the CLRM bulletin queue (accepted papers with their summaries, for the editor) as CSV."""
    _COMMAND.set("export clrm-bulletin")
    _django()
    from certcredit.services import clrm_flow

    _write_text(file, clrm_flow.bulletin_csv(None))


@export_app.command("clrm-recognition")
def export_clrm_recognition_command(
    file: Path = typer.Argument(..., help="Where to write (CSV); '-' for stdout."),
    year: int | None = typer.Option(None, "--year", min=1900, max=9999, help="Only this Annual Conference."),
) -> None:
    """Write the CLRM Annual Conference recognition list (certified candidates to honor) as CSV."""
    _COMMAND.set("export clrm-recognition")
    _django()
    from certcredit.services import clrm_flow

    _write_text(file, clrm_flow.recognition_csv(None, year))


def _write_text(file: Path, text: str) -> None:
    if str(file) == "-":
        typer.echo(text, nl=False)
        return
    file.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {max(text.count(chr(10)) - 1, 0)} rows to {file}", err=True)


@export_app.command("sessions")
def export_sessions_command(
    file: Path = typer.Argument(..., help="Where to write; '-' for stdout."),
    output_format: str | None = typer.Option(None, "--output-format", help="csv, json, jsonl or ics."),
) -> None:
    """Write the session catalogue to a file (re-importing it adds nothing)."""
    _COMMAND.set("export sessions")
    _django()
    from certcredit.services.exports import session_rows

    _write(file, output_format, session_rows(), calendar_name="certcredit sessions")


@export_app.command("records")
def export_records_command(
    file: Path = typer.Argument(..., help="Where to write; '-' for stdout."),
    person: str = typer.Option(..., "--person", help="E-mail of the person whose records to export."),
    output_format: str | None = typer.Option(None, "--output-format", help="csv, json, jsonl or ics."),
    as_audited: bool = typer.Option(
        False,
        "--as-audited",
        help="Write the credit the progress page audits (a linked session's decision) instead of the stored one.",
    ),
) -> None:
    """Write one person's records to a file (re-importing it adds nothing).

    With --as-audited each record carries the category, subject area and topic the store-backed audit gave
    it, so 'certcredit audit' of the file gives what the progress page and GET /api/progress give; the
    plain file is the one to re-import (an evaluator's category must not come back as the member's own).
    """
    _COMMAND.set("export records")
    _django()
    from certcredit.services.exports import record_rows
    from certcredit.services.people import UnknownPerson, find_person

    try:
        owner = find_person(person)
    except UnknownPerson as error:
        _fail(str(error))
    _write(file, output_format, record_rows(owner, as_audited), calendar_name=f"records of {owner.email}")


@store_app.command("evaluate-sessions")
def evaluate_sessions_command(
    again: bool = typer.Option(
        False, "--again", help="Evaluate every undesignated session again, even those already decided."
    ),
    json_out: bool = JSON_OUT,
) -> None:
    """Evaluate the stored sessions no one has decided yet; each gets an evaluated decision (in the history).

    Designated sessions are left alone (a designation is never overridden). needs_review sessions go to the
    review queue (/review/). Running it again adds nothing unless --again is given.
    """
    _COMMAND.set("store evaluate-sessions")
    _django()
    from rich.console import Console
    from rich.table import Table

    from certcredit.services.evaluations import evaluate_sessions

    report = evaluate_sessions(None, again=again)
    summary = report.as_dict()
    table = Table(title="Evaluation of the stored sessions")
    for column in ("evaluated", *summary["by_verdict"], "designated, left alone"):
        table.add_column(column, justify="right")
    table.add_row(str(report.evaluated), *(str(n) for n in summary["by_verdict"].values()), str(report.designated))
    Console(stderr=True, highlight=False).print(table)
    if json_out:
        typer.echo(json.dumps(summary, ensure_ascii=False))


def _django() -> None:
    from certcredit.web import setup

    setup()


#: the command being run, as its problems name it (``import records``): set first thing by each command
_COMMAND: ContextVar[str] = ContextVar("certcredit_store_command", default="import")


def _command() -> str:
    return _COMMAND.get()


def _fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """Print ``certcredit import records: …`` and end with ``code``."""
    raise fail(_command(), message, code)


def _prepare(file: Path, input_format: str | None, actor: str | None) -> tuple[RowSource, Person | None]:
    """Read the file (a file that cannot be read at all stops here, nothing stored) and find the actor."""
    _django()
    from certcredit.services.imports import stream_rows
    from certcredit.services.people import UnknownPerson, find_person

    try:
        rows = stream_rows(file, input_format)
    except (ValueError, UnicodeDecodeError) as error:
        _fail(str(error))
    who = None
    if actor:
        try:
            who = find_person(actor)
        except UnknownPerson as error:
            _fail(str(error))
    return rows, who


def _with_progress(total: int, run):  # type: ignore[no-untyped-def]
    """Run an import (with a Rich progress bar on stderr when the file is large, ``total`` 0: size unknown);
    nothing is kept on failure."""
    from django.db import IntegrityError

    from certcredit.io.readers import FileFormatError
    from certcredit.services.imports import ATTEMPTS

    try:
        return _run_with_progress(total, run)
    except FileFormatError as error:
        _fail(str(error))
    except IntegrityError as error:
        _fail(f"the store kept changing during the import (tried {ATTEMPTS} times); nothing was kept: {error}", 1)


def _run_with_progress(total: int, run):  # type: ignore[no-untyped-def]
    if 0 < total <= PROGRESS_FROM:
        return run(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=False,
    ) as bar:  # fmt: skip
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, stage_total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"{stage} rows", total=stage_total)
            bar.update(tasks[stage], completed=done, total=stage_total or None)

        return run(progress)


def _finish(report: ImportReport, json_out: bool) -> None:
    """Every rejected row on stderr with file, line and reason; a summary table; exit 2 if any was rejected."""
    from rich.console import Console
    from rich.table import Table

    from certcredit.cli.errors import row_problem

    command = _command()
    err = Console(stderr=True, highlight=False)
    for rejection in report.rejected:
        row_problem(command, report.file_name, rejection.where, rejection.reason)
    table = Table(title=f"Import of {report.kind} from {report.file_name}")
    for column in ("rows", "added", "already present", "rejected"):
        table.add_column(column, justify="right")
    table.add_row(str(report.rows), str(report.added), str(report.already_present), str(len(report.rejected)))
    err.print(table)
    if json_out:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    if report.rejected:
        raise typer.Exit(2)


def _write(file: Path, output_format: str | None, rows: list[dict[str, object]], calendar_name: str) -> None:
    from certcredit.io.writers import render

    target = str(file)
    kind = output_format or ("jsonl" if target == "-" else Path(target).suffix.lower().lstrip("."))
    if kind == "ndjson":
        kind = "jsonl"
    try:
        text = render(rows, kind, calendar_name=calendar_name)
    except ValueError as error:
        _fail(str(error))
    if target == "-":
        typer.echo(text, nl=False)
    else:
        Path(target).write_text(text, encoding="utf-8")
        typer.echo(f"wrote {len(rows)} rows to {target}", err=True)
