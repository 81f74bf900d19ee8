"""``certcredit rules``: check a rulebook file, list the shipped programs."""

from __future__ import annotations

from pathlib import Path

import typer

from certcredit.cli.errors import fail, say
from certcredit.cli.typer_app import app

rules_app = typer.Typer(help="Rulebooks: validate a YAML file, list the shipped programs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("validate")
def validate_command(file: Path = typer.Argument(..., help="a rulebook YAML file")) -> None:
    """Check a rulebook; every problem is printed as FILE: PATH: PROBLEM (exit status 2 when any)."""
    from certcredit.rules.load import RulebookError, program_kind, validate_file

    try:
        kind = program_kind(file)
        if kind != "credits":
            raise fail("rules validate", f"{file}: kind: {kind!r} rulebooks are not validated by this command")
        program = validate_file(file)
    except RulebookError as error:
        for problem in error.problems:
            say("rules validate", problem)
        raise typer.Exit(2) from None
    versions = ", ".join(v.effective_from.isoformat() for v in program.versions)
    typer.echo(f"{file}: ok: program {program.id} ({program.name}), versions from {versions}")


#: an effective date this early stands for "from the program's start" (a rulebook's first version)
_FROM_THE_START = "1900-01-01"


def _versions_text(kind: str, versions: tuple[str, ...]) -> str:
    """The versions' effective dates (a workflow's also say what picks one: the completion date)."""
    if not versions:
        return "one version"
    dates = ", ".join("the program's start" if v <= _FROM_THE_START else v for v in versions)
    if kind == "workflow":  # CLRM: RULES.md, a version applies by the effective completion date
        return f"versions from: {dates}; chosen by the candidate's completion date"
    return f"versions from: {dates}"


@rules_app.command("list")
def list_command() -> None:
    """The shipped programs with their versions (effective dates)."""
    from certcredit.rules.load import RulebookError, list_programs

    broken = False
    for entry in list_programs():
        if isinstance(entry, RulebookError):
            broken = True
            for problem in entry.problems:
                say("rules list", problem)
            continue
        typer.echo(f"{entry.id:<30} {entry.kind:<8} {entry.name}  [{_versions_text(entry.kind, entry.versions)}]")
    if broken:
        raise typer.Exit(2)
