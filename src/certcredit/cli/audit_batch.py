"""``certcredit audit FILE --batch``: JSON Lines of people in, JSON Lines of audits out, in input order.

This module imports neither Typer nor Django nor the YAML and Pydantic machinery: ``main`` hands it a plain
``audit … --batch`` command line directly (``fast_main``), so a batch starts in tens of milliseconds; any other
command line (help, an unknown option, a program of another kind, a rulebook not yet compiled) goes through the
Typer CLI, which calls ``run`` the same way. ``cli.workers`` spreads the file over the cores; each line is audited
on the fast lane (``engine.bulk``) or, for anything the lane does not take, on the careful path
(``cli.batch_lines``). Compiled rulebooks come from the on-disk cache (``cli.rulebook_cache``).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from certcredit.cli import workers
from certcredit.cli.batch_lines import BatchDefaults, parse_as_of
from certcredit.cli.workers import ChunkResult

#: files smaller than this are audited in one process (forking would cost more than it saves)
SMALL_FILE_BYTES = 2_000_000


class BatchError(ValueError):
    """A problem with the command line or the program, reported before any line is read."""


def run(
    file: Path,
    program: str,
    as_of: str | None,
    specialty: str | None,
    worker_count: int,
    stats: bool,
    cycle_start: dt.date | None = None,
) -> int:
    """Audit every line of ``file``; the exit status (2 when any line or record was rejected).

    ``cycle_start`` (``--cycle-start``) is the day every person's first cycle began, as for one person's audit;
    only a program with a first-cycle rule takes it (those are nested programs, which the fast lane leaves to
    the careful path, where it is applied)."""
    from certcredit.cli.rulebook_cache import load_program  # no YAML or Pydantic when the program is cached

    try:
        compiled = load_program(program)  # fail fast on an unknown or broken rulebook
        if as_of is not None:
            parse_as_of(as_of)
        file.stat()
    except (ValueError, OSError) as error:  # a RulebookError is a ValueError
        raise BatchError(str(error)) from None
    if cycle_start is not None and not any(
        book.nesting is not None and book.nesting.first_cycle is not None for book in compiled.versions
    ):
        raise BatchError(f"program {program} has no first-cycle rule: leave out --cycle-start")
    defaults = BatchDefaults(program, as_of, specialty, str(file), cycle_start)
    out = sys.stdout.buffer
    failed = False
    methods: dict[str, int] = {}

    def emit(result: ChunkResult) -> None:
        nonlocal failed
        out.write(result.output)
        for method, count in result.methods.items():
            methods[method] = methods.get(method, 0) + count
        for message in result.messages:
            sys.stderr.write(f"certcredit audit: {message}\n")  # the one error style (cli/errors.py)
        failed = failed or result.failed

    workers.run(file, defaults, worker_count, SMALL_FILE_BYTES, emit)
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
    from certcredit.cli.rulebook_cache import program_kind

    try:
        count = int(found.get("workers", "0"))
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
            count if count > 0 else default_workers(),
            "stats" in found,
        )
    except BatchError as error:
        from certcredit.cli.errors import say

        say("audit", str(error))
        return 2
