"""``certcredit plan``: the smallest set of catalogue sessions that would complete a program by a date.

FILE holds the person's records and CATALOG the upcoming sessions (any records format: CSV, JSON, JSON Lines,
ICS; each session needs a date and a duration, and its designation: category, subject area, topic or activity).
The audit is as of ``--as-of`` (default: the ``--by`` date: the application date, or the cycle's end).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import orjson
import typer

from certcredit.cli.errors import fail
from certcredit.cli.typer_app import app


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise fail("plan", f"unreadable {option} date {text!r}: use YYYY-MM-DD") from None


@app.command("plan")
def plan_command(
    file: Path = typer.Argument(..., help="the person's records (CSV, JSON, JSON Lines, ICS)"),
    program: str = typer.Option(..., "--program", "-p", help="program id, e.g. clm-application"),
    catalog: Path = typer.Option(..., "--catalog", help="upcoming sessions with dates and designations"),
    by: str = typer.Option(..., "--by", help="complete the program on or before this date (YYYY-MM-DD)"),
    as_of: str | None = typer.Option(None, "--as-of", help="the audit date (default: the --by date)"),
    specialty: str | None = typer.Option(None, "--specialty", help="the specialist's own subject area"),
    today: str | None = typer.Option(None, "--today", help="sessions before this date are past (default: today)"),
    output: str = typer.Option("table", "--format", "-f", help="table (default) or json"),
) -> None:
    """Suggest the fewest catalogue sessions that would complete the program by a date."""
    from certcredit.cli.audit_views import read_records
    from certcredit.engine.plan import plan
    from certcredit.engine.planning_report import plan_json, plan_note, plan_table
    from certcredit.io.readers import FileFormatError
    from certcredit.rules.load import RulebookError, load_program

    if output not in ("json", "table"):
        raise fail("plan", f"unknown --format {output!r}; use json or table")
    by_date = _date(by, "--by")
    as_of_date = _date(as_of, "--as-of") if as_of else by_date
    today_date = _date(today, "--today") if today else dt.date.today()
    try:
        compiled = load_program(program)
        records, bad = read_records(file, None, "plan")
        sessions, bad_sessions = read_records(catalog, None, "plan")
        suggestion = plan(compiled, records, sessions, as_of_date, by_date, today_date, specialty)
    except (RulebookError, FileFormatError, OSError, ValueError) as error:
        raise fail("plan", str(error)) from None
    note = plan_note(suggestion)
    if output == "json":
        data = plan_json(suggestion, by_date, today_date, note)
        sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
    else:
        typer.echo(plan_table(suggestion, by_date, today_date, note), nl=False)
    if bad or bad_sessions:
        raise fail("plan", f"{bad + bad_sessions} row(s) rejected")
    raise typer.Exit(0 if suggestion.complete else 1)
