"""What one person's audit prints: SPEC.md's object (or table), then the outlook and, with ``--with``, the what-if.

Kept out of ``cli/audit.py`` (the batch path lives there) so each grows on its own. JSON keeps SPEC.md's audit
object as it is and adds two keys: ``outlook`` (ageing-out for a rolling window, the deadline for a cycle) and,
when planned sessions are given, ``what_if``.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import typer

from certcredit.cli.errors import fail

if TYPE_CHECKING:
    from certcredit.cli.audit_request import AuditRequest
    from certcredit.engine.audit import Audit
    from certcredit.engine.records import EducationRecord
    from certcredit.rules.compiled import CompiledProgram


def read_records(path: Path, input_format: str | None, command: str = "audit") -> tuple[list[EducationRecord], int]:
    """The readable records of a file; each other row is reported on stderr (file, line, reason) and counted."""
    from certcredit.cli.errors import row_problem
    from certcredit.engine.records import RecordError, record_from_row
    from certcredit.io.readers import Row, read_rows

    records = []
    bad = 0
    for row in read_rows(path, input_format):
        if isinstance(row, Row):
            try:
                records.append(record_from_row(row.data, row.position))
                continue
            except RecordError as error:
                reason = str(error)
        else:
            reason = row.reason
        bad += 1
        row_problem(command, path, f"{row.unit} {row.line}", reason)
    return records, bad


def today_of(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise fail("audit", f"unreadable --today date {text!r}: use YYYY-MM-DD") from None


def emit_audit(
    request: AuditRequest, program: CompiledProgram, records: Sequence[EducationRecord], result: Audit
) -> int:
    """Print the audit with its outlook and what-if; returns how many planned rows were rejected."""
    from certcredit.engine.outlook import outlook
    from certcredit.engine.planning_report import outlook_json, outlook_table, what_if_json, what_if_table
    from certcredit.engine.report import audit_json, render_table, unit_words
    from certcredit.engine.whatif import what_if
    from certcredit.io.readers import FileFormatError

    view = outlook(program, records, result, today_of(request.today))
    planned: list[EducationRecord] = []
    bad = 0
    for path in request.planned:
        try:
            found, rejected = read_records(path, None)
        except (FileFormatError, OSError) as error:
            raise fail("audit", str(error)) from None
        planned += found
        bad += rejected
    scenario = what_if(program, result, records, planned) if request.planned else None
    if request.output == "json":
        data = audit_json(result)
        data["outlook"] = outlook_json(view)
        if scenario is not None:
            data["what_if"] = what_if_json(scenario)
        sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
    else:
        text = render_table(result)
        grace = result.nested.grace_until if result.nested is not None else None
        more = outlook_table(view, unit_words(result)[0], grace)
        if more:
            text += "\n" + more
        if scenario is not None:
            text += "\n" + what_if_table(scenario)
        typer.echo(text, nl=False)
    return bad
