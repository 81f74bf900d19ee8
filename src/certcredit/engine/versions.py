"""Which version of a program is in force for an audit."""

from __future__ import annotations

import datetime as dt

from certcredit.engine.windows import window_start
from certcredit.rules.compiled import CompiledProgram, Rulebook


def choose_version(program: CompiledProgram, as_of: dt.date) -> Rulebook:
    """The version in force: the newest whose ``effective_from`` is on or before the program's anchor date.

    The anchor is the as-of date (application date, cycle end) or, with ``version_anchor: window_start``, the
    window's first day, so a whole cycle is judged by the rules in force when it began.
    """
    anchor = as_of
    if program.version_anchor == "window_start":
        anchor = window_start(as_of, program.versions[0].window_months)
    chosen = None
    for version in program.versions:
        if version.effective_from <= anchor:
            chosen = version
    if chosen is None:
        raise ValueError(
            f"no version of program {program.id} is in force on {anchor.isoformat()}; "
            f"the first takes effect on {program.versions[0].effective_from.isoformat()}"
        )
    return chosen
