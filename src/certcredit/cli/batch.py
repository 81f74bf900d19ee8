"""``certcredit audit FILE --batch``: JSON Lines of people in, JSON Lines of audits out, in input order.

This module imports neither Typer nor Django nor the YAML and Pydantic machinery: ``main`` hands it a plain
``audit … --batch`` command line directly (``fast_main``), so a batch starts in tens of milliseconds; any other
command line (help, an unknown option, a program of another kind, a rulebook not yet compiled) goes through the
Typer CLI, which calls ``run`` the same way. Each line is audited on the fast lane (``engine.bulk``) or, for
anything the lane does not take, on the careful path here (``audit_line``); ``cli.workers`` spreads the file over
the cores.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

#: files smaller than this are audited in one process (forking would cost more than it saves)
SMALL_FILE_BYTES = 2_000_000


class BatchError(ValueError):
    """A problem with the command line or the program, reported before any line is read."""


@dataclass(frozen=True, slots=True)
class BatchDefaults:
    """What the command line says for every line (a line's own ``as_of`` and ``specialty`` win)."""

    program: str
    as_of: str | None
    specialty: str | None
    file: str


def parse_as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"unreadable as-of date {text!r}: use YYYY-MM-DD") from None


def audit_line(
    raw: bytes, line: int, defaults: BatchDefaults, messages: list[str], methods: dict[str, int]
) -> tuple[dict[str, Any], bool]:
    """One person's audit object (``person`` first), or ``{"person", "error"}``; True when anything was rejected.

    The careful path: the line read with orjson, the records with the engine's row reader, which words every
    rejection. The fast lane gives the same bytes for the lines it takes.
    """
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
        as_of = parse_as_of(str(as_of_text))
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
    person: str | None, line: int, error: str, defaults: BatchDefaults, messages: list[str]
) -> dict[str, Any]:
    messages.append(f"{defaults.file}: line {line}: {error}")
    return {"person": person, "line": line, "error": error}


def run(file: Path, program: str, as_of: str | None, specialty: str | None, workers: int, stats: bool) -> int:
    """Audit every line of ``file``; the exit status (2 when any line or record was rejected)."""
    from certcredit.cli import workers as pool
    from certcredit.cli.workers import Part
    from certcredit.rules.cache import load_program  # no YAML or Pydantic when the compiled program is cached

    try:
        load_program(program)  # fail fast on an unknown or broken rulebook
        if as_of is not None:
            parse_as_of(as_of)
        file.stat()
    except (ValueError, OSError) as error:  # a RulebookError is a ValueError
        raise BatchError(str(error)) from None
    defaults = BatchDefaults(program, as_of, specialty, str(file))
    out = sys.stdout.buffer
    failed = False
    methods: dict[str, int] = {}

    def emit(result: Part) -> None:
        nonlocal failed
        out.write(result.output)
        for method, count in result.methods.items():
            methods[method] = methods.get(method, 0) + count
        for message in result.messages:
            sys.stderr.write(f"certcredit audit: {message}\n")  # the one error style (cli/errors.py)
        failed = failed or result.failed

    pool.run(file, defaults, workers, SMALL_FILE_BYTES, emit)
    out.flush()
    if stats:
        summary = ", ".join(f"{m}={n}" for m, n in sorted(methods.items()))
        sys.stderr.write(f"allocation methods: {summary or 'none'}\n")
    sys.stderr.flush()
    return 2 if failed else 0


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    return len(os.sched_getaffinity(0))


_VALUED = {"--program": "program", "-p": "program", "--as-of": "as_of", "--specialty": "specialty"}
_VALUED |= {"--format": "format", "-f": "format", "--input-format": "input_format", "--workers": "workers"}
_FLAGS = {"--batch": "batch", "--stats": "stats"}


def _plain_batch_arguments(argv: list[str]) -> dict[str, str] | None:
    """The options of a plain ``audit FILE --batch …`` command line, or None for anything else."""
    if not argv or argv[0] != "audit":
        return None
    found: dict[str, str] = {}
    files: list[str] = []
    rest = iter(argv[1:])
    for token in rest:
        name, equals, value = token.partition("=")
        if name in _VALUED:
            if not equals:
                value = next(rest, "")
                if not value or value.startswith("-"):
                    return None
            if _VALUED[name] in found:
                return None
            found[_VALUED[name]] = value
        elif token in _FLAGS:
            found[_FLAGS[token]] = "yes"
        elif token.startswith("-") or not token:
            return None
        else:
            files.append(token)
    if len(files) != 1 or "batch" not in found or "program" not in found:
        return None
    if found.get("format", "json") != "json":
        return None
    found["file"] = files[0]
    return found


def fast_main(argv: list[str]) -> int | None:
    """Run a plain ``audit FILE --batch …`` without loading the Typer CLI; None when the CLI should handle it.

    Only a command line whose every part is understood, for a credit program already compiled in the cache and
    an existing file, is taken here; the CLI gives the same output for it, and its own errors for the rest.
    """
    found = _plain_batch_arguments(argv)
    if found is None:
        return None
    from certcredit.rules.cache import program_kind

    try:
        workers = int(found.get("workers", "0"))
    except ValueError:
        return None
    path = Path(found["file"])
    if program_kind(found["program"]) != "credits" or not path.exists():
        return None
    try:
        return run(
            path,
            found["program"],
            found.get("as_of"),
            found.get("specialty"),
            workers if workers > 0 else default_workers(),
            "stats" in found,
        )
    except BatchError as error:
        from certcredit.cli.errors import say

        say("audit", str(error))
        return 2
