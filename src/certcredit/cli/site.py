"""Commands that prepare and serve the store and the web app: ``migrate``, ``demo``, ``serve``, ``token``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from certcredit.cli.errors import fail
from certcredit.cli.typer_app import app

token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _django() -> None:
    from certcredit.web import setup

    setup()


@app.command()
def migrate() -> None:
    """Create or update the database tables (SQLite in ./var, or DATABASE_URL)."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@app.command()
def demo() -> None:
    """Load the bundled programs and a small demo data set with demo accounts, and print their logins."""
    _django()
    from django.core.management import call_command
    from rich.console import Console
    from rich.table import Table

    from certcredit.services.demo import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    logins = load_demo()
    table = Table(title="Demo logins (sign in at http://127.0.0.1:8000/login/)")
    for column in ("role", "e-mail", "password", "account"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.role, login.email, login.password, "created now" if login.created else "already there")
    Console().print(table)


def default_workers() -> int:
    """Gunicorn's rule of thumb: two workers per core the process may use, and one more."""
    return 2 * len(os.sched_getaffinity(0)) + 1


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(0, help="Worker processes; 0: two per core and one more (with --dev: two)."),
    dev: bool = typer.Option(
        False, "--dev", help="Development: debug pages, the built-in secret key, reload on code changes."
    ),
    timeout: int = typer.Option(60, help="Seconds a request may run before its worker is restarted."),
) -> None:
    """Serve the web app and the API with gunicorn; WhiteNoise serves the static files (docs/deploy.md).

    Outside --dev, CERTCREDIT_SECRET_KEY must be set. Put a TLS proxy in front for anything but this machine.
    """
    if dev:
        os.environ["CERTCREDIT_DEBUG"] = "1"
    elif not os.environ.get("CERTCREDIT_SECRET_KEY") and os.environ.get("CERTCREDIT_DEBUG") != "1":
        typer.echo(
            "error: CERTCREDIT_SECRET_KEY is not set: a server outside development needs its own secret key "
            "(docs/deploy.md); for development use `certcredit serve --dev`",
            err=True,
        )
        raise typer.Exit(1)
    _django()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    arguments = [sys.executable, "-m", "gunicorn", "certcredit.web.wsgi:application", "--bind", bind]
    arguments += ["--workers", str(workers or (2 if dev else default_workers())), "--timeout", str(timeout)]
    arguments += ["--graceful-timeout", "30", "--access-logfile", "-", "--max-requests", "5000"]
    arguments += ["--max-requests-jitter", "500", "--no-control-socket"]
    arguments += ["--reload"] if dev else ["--preload"]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, arguments)


@app.command()
def backup(
    file: Path = typer.Argument(..., help="The backup to write, e.g. certcredit-2026-06-01.tar.gz."),
) -> None:
    """Back up the whole store (every table and the uploaded files) into one .tar.gz file (docs/deploy.md)."""
    _django()
    from certcredit.services.backups import BackupError
    from certcredit.services.backups import backup as make_backup

    try:
        report = make_backup(file)
    except BackupError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{report.path}: {report.total_rows} rows from {report.database} and {report.media_files} media files")


@app.command()
def restore(
    file: Path = typer.Argument(..., help="A backup written by `certcredit backup`."),
) -> None:
    """Restore a backup into an empty database (SQLite in ./var, or DATABASE_URL) and the media folder."""
    _django()
    from certcredit.services.backups import BackupError
    from certcredit.services.backups import restore as restore_backup

    try:
        report = restore_backup(file)
    except BackupError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"{report.path}: {report.total_rows} rows restored into {report.database}, {report.media_files} media files"
    )


@token_app.command("create")
def token_create(
    email: str = typer.Argument(..., help="Whose token."),
    name: str = typer.Option("command line", help="A name to tell the token apart."),
) -> None:
    """Make a personal API token and print it once (only its digest is stored)."""
    _django()
    from certcredit.services.people import UnknownPerson, find_person
    from certcredit.services.tokens import create_token

    try:
        person = find_person(email)
    except UnknownPerson as error:
        raise fail("token create", str(error)) from None
    _token, plain = create_token(person, name)
    typer.echo(plain)
    typer.echo(
        f"API token for {person.email}; send it as 'Authorization: Bearer <token>'. It is not shown again.", err=True
    )
