"""``certcredit rules``: check a rulebook file, list the shipped programs."""

from __future__ import annotations

from pathlib import Path

import typer

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
            typer.echo(f"{file}: kind: {kind!r} rulebooks are not validated by this command", err=True)
            raise typer.Exit(2)
        program = validate_file(file)
    except RulebookError as error:
        for problem in error.problems:
            typer.echo(problem, err=True)
        raise typer.Exit(2) from None
    versions = ", ".join(v.effective_from.isoformat() for v in program.versions)
    typer.echo(f"{file}: ok: program {program.id} ({program.name}), versions from {versions}")


@rules_app.command("list")
def list_command() -> None:
    """The shipped programs with their versions (effective dates)."""
    from certcredit.rules.load import RulebookError, list_programs

    broken = False
    for entry in list_programs():
        if isinstance(entry, RulebookError):
            broken = True
            for problem in entry.problems:
                typer.echo(problem, err=True)
            continue
        versions = ", ".join(entry.versions) if entry.versions else "-"
        typer.echo(f"{entry.id:<30} {entry.kind:<8} {entry.name}  [versions from: {versions}]")
    if broken:
        raise typer.Exit(2)
