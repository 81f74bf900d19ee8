"""``certcredit evaluate FILE``: does each session qualify for CLM credit, in which category, and why."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from certcredit.cli.errors import fail, row_problem
from certcredit.cli.typer_app import app

FIELDS = (
    "id",
    "title",
    "minutes",
    "credit_hours",
    "decision",
    "category",
    "subject_area",
    "topic",
    "confidence",
    "analysis",
)


class OutputFormat(StrEnum):
    json = "json"
    table = "table"
    csv = "csv"


@app.command("evaluate")
def evaluate(
    file: Path = typer.Argument(..., help="Sessions as CSV, JSON, JSON Lines or an iCalendar agenda (.ics)."),
    output: OutputFormat = typer.Option(OutputFormat.json, "--format", help="json (default), table or csv."),
    input_format: str | None = typer.Option(None, "--input-format", help="Read FILE as csv, json, jsonl or ics."),
) -> None:
    """Decide CLM credit for each session: decision, category, subject area, topic, hours and an analysis.

    Rows that cannot be read are reported on stderr with their line and kept in place as {"id", "error"};
    the exit status is then 2.
    """
    from certcredit.evaluate.batch import default_evaluator, evaluate_rows
    from certcredit.io.readers import FileFormatError, read_rows

    try:
        rows = list(read_rows(file, input_format))
    except FileFormatError as error:
        raise fail("evaluate", str(error)) from None
    results = evaluate_rows(rows, default_evaluator())
    rejected = 0
    for result in results:
        if result.error is not None:
            rejected += 1
            row_problem("evaluate", file, result.where, result.error)
    times = [str(row.data.get("time", "")) for row in rows]
    outputs = [r.output for r in results]
    if output is OutputFormat.json:
        sys.stdout.write(json.dumps(outputs, ensure_ascii=False, indent=2) + "\n")
    elif output is OutputFormat.csv:
        sys.stdout.write(_csv(outputs))
    else:
        _table(outputs, times)
    if rejected:
        raise fail("evaluate", f"{rejected} of {len(results)} rows rejected")


def _csv(outputs: list[dict[str, Any]]) -> str:
    """The JSON objects as CSV rows; text a spreadsheet would run as a formula is escaped (docs/file-formats.md)."""
    from certcredit.io.writers import escape_cell

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*FIELDS, "error"], extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for item in outputs:
        writer.writerow({k: ("" if v is None else escape_cell(v)) for k, v in item.items()})
    return buffer.getvalue()


def _table(outputs: list[dict[str, Any]], times: list[str]) -> None:
    """What a provider prints: title, time, hours, decision, category and why (the analysis, as README shows)."""
    from rich.console import Console
    from rich.table import Table

    from certcredit.values.vocabulary import CATEGORY_NAMES

    table = Table(show_lines=True)
    for column in ("Title", "Time", "Hours", "Decision", "Category", "Why"):
        table.add_column(column, justify="right" if column == "Hours" else "left", overflow="fold")
    for item, time in zip(outputs, times, strict=True):
        if "error" in item:
            table.add_row(f"(row {item['id']})", time, "", "rejected", "", item["error"])
            continue
        shown_time = time or (f"{item['minutes']} min" if item["minutes"] is not None else "unknown")
        hours = f"{item['credit_hours']:.2f}" if item["decision"] == "qualifies" else "0"
        category = CATEGORY_NAMES.get(item["category"] or "", "")
        why = item.get("analysis") or ""
        table.add_row(item["title"], shown_time, hours, item["decision"].replace("_", " "), category, why)
    Console(file=sys.stdout, width=200, highlight=False, markup=False).print(table)
