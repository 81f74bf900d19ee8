"""Commands that prepare and serve the store and the web app: ``migrate``, ``demo``, ``serve``, ``token``."""

from __future__ import annotations

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


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve the web app and the API (a development server: one machine, a few users)."""
    _django()
    from django.core.management import call_command

    call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True)


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
