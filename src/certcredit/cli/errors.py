"""How every command reports a problem: one line on stderr, ``certcredit COMMAND: FILE: line N: reason``.

The prefix names the command; a file's problem then names the file and where in it (``line N`` for CSV and JSON
Lines, ``item N`` for a JSON list, ``event N`` for iCalendar), so the same line means the same thing whichever
command printed it. Exit statuses (docs/file-formats.md): 2 when the input is at fault (a file that cannot be read,
a rejected row, a bad option), 1 when the command could not finish for another reason. Free of Typer, so the
batch path (which starts without it) prints the same way.
"""

from __future__ import annotations

import sys

#: the input (a file, a row, an option value) is at fault
BAD_INPUT = 2


class CommandFailed(SystemExit):
    """Raised (after the message is printed) to end a command with its exit status; a ``SystemExit``, so Click
    and ``main`` pass it through unchanged."""


def say(command: str, message: str) -> None:
    """Print one problem line: ``certcredit COMMAND: message``."""
    sys.stderr.write(f"certcredit {command}: {message}\n")
    sys.stderr.flush()


def row_problem(command: str, file: object, where: str, reason: str) -> None:
    """A row that could not be used: ``certcredit COMMAND: FILE: line N: reason``."""
    say(command, f"{file}: {where}: {reason}")


def fail(command: str, message: str, code: int = BAD_INPUT) -> CommandFailed:
    """Print the problem and return the exit to raise: ``raise fail("audit", "…") from None``."""
    say(command, message)
    return CommandFailed(code)
