"""What ``certcredit audit`` hands the auditor of a program's kind (``cli.audit``): the request and its helpers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from certcredit.cli import errors
from certcredit.cli.errors import CommandFailed


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


def fail(message: str) -> CommandFailed:
    """The problem on stderr in the commands' one style (``cli.errors``), and the exit (status 2) to raise."""
    return errors.fail("audit", message)
