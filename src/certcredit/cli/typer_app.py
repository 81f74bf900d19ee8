"""The Typer application behind ``certcredit`` (loaded only when a command needs the CLI: ``cli/__init__.py``)."""

from __future__ import annotations

import typer

from certcredit import __version__

app = typer.Typer(
    name="certcredit",
    help="Credit-based certification programs: evaluate sessions, audit records, run workflows.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"certcredit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """certcredit: evaluate sessions, audit people's records, run the CLRM workflow."""
