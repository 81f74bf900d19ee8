"""``certcredit import members FILE``: the association's member list, for the CLRM library (docs/clrm.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from certcredit.cli.store import _COMMAND, AS, FILE, FORMAT, JSON_OUT, _fail, _finish, _prepare, import_app


@import_app.command("members")
def import_members_command(
    file: Path = FILE, input_format: str | None = FORMAT, actor: str | None = AS, json_out: bool = JSON_OUT
) -> None:
    """Store the member list's periods (email, from, until); a period already stored is left alone.

    A row whose last day changed updates that period (with before and after in the history). Only current
    members may use the CLRM library.
    """
    _COMMAND.set("import members")
    from certcredit.services import membership
    from certcredit.services.access import Forbidden

    rows, who = _prepare(file, input_format, actor)
    try:
        report = membership.import_members(list(rows), who, str(file))
    except Forbidden as error:  # not the input's fault: the person named by --as may not do this
        _fail(str(error), 1)
    except ValueError as error:  # a file that cannot be read as a whole: nothing stored
        _fail(str(error))
    if report.updated:
        typer.echo(f"{report.updated} membership{'s' if report.updated != 1 else ''} updated", err=True)
    _finish(report, json_out)
