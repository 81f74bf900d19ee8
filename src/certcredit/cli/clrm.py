"""``certcredit audit FILE --program clrm``: where a CLRM candidate stands, from their workflow events.

``cli.audit`` calls ``audit_clrm_request`` for every program whose rulebook declares ``kind: workflow``.

FILE holds events instead of records (SPEC.md): a JSON list (possibly empty), JSON Lines, or CSV with the same
keys. Rows that cannot be read are listed in ``rejected`` and on stderr, and the exit status is 2.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import orjson
import typer

from certcredit.cli.audit_request import AuditRequest, fail
from certcredit.cli.batch_lines import parse_as_of
from certcredit.cli.errors import row_problem


def audit_clrm_request(request: AuditRequest) -> int:
    from certcredit.engine.clrm import audit_clrm
    from certcredit.io.readers import FileFormatError, Row, read_rows
    from certcredit.rules.clrm import ClrmRulebookError, load_clrm_program

    if request.batch:
        raise fail("--batch audits credit programs; audit one CLRM candidate's events at a time")
    if request.as_of is None:
        raise fail("--as-of is required (the date to judge the candidate's status on)")
    try:
        as_of = parse_as_of(request.as_of)
        program = load_clrm_program()
        rows = list(read_rows(request.file, request.input_format))
    except (ValueError, ClrmRulebookError, FileFormatError, OSError) as error:
        raise fail(str(error)) from None
    good = [row for row in rows if isinstance(row, Row)]
    result = audit_clrm([row.data for row in good], as_of, program, positions=[row.position for row in good])
    unreadable = [{"event": str(row.position), "error": row.reason} for row in rows if not isinstance(row, Row)]
    result["rejected"] = unreadable + result["rejected"]
    lines = {str(row.position): row.where for row in rows}
    for item in result["rejected"]:
        where = lines.get(item["event"], f"event {item['event']}")
        row_problem("audit", request.file, where, item["error"])
    if request.output == "json":
        sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
    else:
        typer.echo(render_clrm_table(result), nl=False)
    return 2 if result["rejected"] else 0


_STATUS_WORDS = {
    "academies_incomplete": "core academies still to complete",
    "paper_due": "paper due",
    "retake_required": "deadline passed: retake required",
    "under_review": "paper under review",
    "revision_requested": "revision requested",
    "certified": "certified",
}


def render_clrm_table(result: dict[str, Any]) -> str:
    """What a candidate reads: the status, each academy with its date, the deadline and the next steps."""
    lines = [
        f"CLRM as of {result['as_of']} ({result['rules_version']})",
        f"Status: {_STATUS_WORDS.get(result['status'], result['status'])}",
        "",
        "Core academies:",
    ]
    for academy in result.get("academies", []):
        done = academy.get("first_completed")
        mark = "✓" if done else "✗"
        lines.append(f"  {mark} {academy['name']:<34} {done or 'not yet completed'}")
    if result.get("completion_date"):
        lines.append(f"Effective completion date: {result['completion_date']}")
    if result.get("paper_deadline"):
        lines.append(f"Paper deadline:            {result['paper_deadline']}{_days_left(result)}")
    steps = result.get("next_steps_list") or [result.get("next_steps", "")]
    lines += ["", "Next steps:"] + [f"  - {step}" for step in steps if step]
    for warning in result.get("warnings", []):
        lines.append(f"  ! {warning}")
    if result["rejected"]:
        lines += ["", "Rejected rows:"] + [f"  event {r['event']}: {r['error']}" for r in result["rejected"]]
    return "\n".join(lines) + "\n"


def _days_left(result: dict[str, Any]) -> str:
    if result["status"] != "paper_due":
        return ""
    days = (dt.date.fromisoformat(result["paper_deadline"]) - dt.date.fromisoformat(result["as_of"])).days
    return f" ({days} days left)"
