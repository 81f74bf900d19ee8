"""One line of an ``audit --batch`` file on the careful path, and what the command line says for every line.

The careful path reads the line with orjson and its records with the engine's row reader (``engine.records``),
which words every rejection, then audits with ``engine.audit``. The fast lane (``engine.bulk``) gives the same
bytes for the lines it takes; ``cli.workers`` sends it every line first and this module the ones it declines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class BatchDefaults:
    """What the command line says for every line (a line's own ``as_of`` and ``specialty`` win)."""

    program: str
    as_of: str | None
    specialty: str | None
    file: str
    #: ``--cycle-start``: the day every person's first cycle began (programs with a first-cycle rule)
    cycle_start: dt.date | None = None


def parse_as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"unreadable as-of date {text!r}: use YYYY-MM-DD") from None


def audit_line(
    raw: bytes, line: int, defaults: BatchDefaults, messages: list[str], methods: dict[str, int]
) -> tuple[dict[str, Any], bool]:
    """One person's audit object (``person`` first), or ``{"person", "error"}``; True when anything was rejected."""
    from certcredit.cli.rulebook_cache import load_program
    from certcredit.engine.audit import audit, records_from_items
    from certcredit.engine.report import audit_json

    person: Any = None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        return line_error(None, line, f"not valid JSON ({error})", defaults, messages), True
    if not isinstance(data, dict):
        return line_error(None, line, "a line must be a JSON object with person and records", defaults, messages), True
    person = data.get("person")
    if person is not None and not isinstance(person, str):
        person = str(person)
    records_data = data.get("records")
    if not isinstance(records_data, list):
        return line_error(person, line, "no records list", defaults, messages), True
    as_of_text = data.get("as_of") or defaults.as_of
    if not as_of_text:
        return line_error(person, line, "no as-of date: give --as-of or the line's as_of", defaults, messages), True
    specialty = data.get("specialty") or defaults.specialty
    try:
        as_of = parse_as_of(str(as_of_text))
        records, rejected = records_from_items(records_data, line)
        result = audit(load_program(defaults.program), records, as_of, specialty, rejected, defaults.cycle_start)
    except ValueError as error:
        return line_error(person, line, str(error), defaults, messages), True
    methods[result.method] = methods.get(result.method, 0) + 1
    for r in rejected:
        messages.append(f"{defaults.file}: line {line}: person {person}: record {r.record}: {r.error}")
    out: dict[str, Any] = {"person": person}
    out.update(audit_json(result))
    return out, bool(rejected)


def line_error(
    person: str | None, line: int, error: str, defaults: BatchDefaults, messages: list[str]
) -> dict[str, Any]:
    """A line that cannot be audited: its output object, and its message (``messages``)."""
    messages.append(f"{defaults.file}: line {line}: {error}")
    return {"person": person, "line": line, "error": error}
