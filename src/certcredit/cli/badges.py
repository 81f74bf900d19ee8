"""``certcredit keys`` (the Open Badges signing keys) and ``certcredit verify FILE`` (check a badge)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import typer

from certcredit.cli.typer_app import app

keys_app = typer.Typer(help="Open Badges signing keys: create one, rotate it, list them.")
app.add_typer(keys_app, name="keys", no_args_is_help=True)

#: exit statuses of ``certcredit verify``
VALID, REJECTED, UNREADABLE = 0, 1, 2


def _django() -> None:
    from certcredit.web import setup

    setup()


def _made(rotated: bool) -> None:
    from certcredit.services import badges

    try:
        key = badges.create_key(None, rotate=rotated)
    except ValueError as error:
        typer.echo(f"error: {error} (certcredit keys rotate)", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{'rotated: ' if rotated else ''}created key {key.kid} (active); public at {badges.jwks_url()}")


@keys_app.command("create")
def create_command(
    if_missing: bool = typer.Option(
        False, "--if-missing", help="Do nothing (exit 0) when an active key exists: for set-up scripts."
    ),
) -> None:
    """Create the first Ed25519 signing key (refused when an active key exists: use rotate)."""
    _django()
    if if_missing:
        from certcredit.services import badges

        active = badges.active_key()
        if active is not None:
            typer.echo(f"active key {active.kid} kept")
            return
    _made(False)


@keys_app.command("rotate")
def rotate_command() -> None:
    """Make a new active key and retire the old one. Retired keys stay in the published key set, so badges
    they signed still verify; new badges are signed with the new key."""
    _django()
    _made(True)


@keys_app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help="One JSON object per key.")) -> None:
    """Every key, newest first: kid, created, active or retired (and when), badges signed."""
    _django()
    from certcredit.services import badges

    for key in badges.signing_keys():
        shown = {
            "kid": key.kid,
            "created": key.created_at.isoformat(timespec="seconds"),
            "state": "retired" if key.retired_at else "active",
            "retired": key.retired_at.isoformat(timespec="seconds") if key.retired_at else None,
            "badges": key.badges.count(),
        }
        if as_json:
            typer.echo(json.dumps(shown))
        else:
            retired = f" since {shown['retired']}" if shown["retired"] else ""
            typer.echo(f"{key.kid}  created {shown['created']}  {shown['state']}{retired}  {shown['badges']} badge(s)")
    if not badges.signing_keys().exists():
        typer.echo("no signing key yet: certcredit keys create", err=True)


@app.command("verify")
def verify_command(
    file: str = typer.Argument(..., help="A badge as downloaded: the VC-JWT (.jwt), or '-' to read standard input."),
    at: str = typer.Option("", "--at", help="Judge at this moment, ISO 8601 (default: now)."),
    as_json: bool = typer.Option(False, "--json", help="The answer as JSON: verified, reason, message, credential."),
) -> None:
    """Check an Open Badge against this issuer: the signature and key, the issuer, the dates (not yet valid,
    expired) and the status lists (revoked, suspended), read from this site's own store.

    Exit status: 0 valid; 1 rejected (the reason is printed); 2 the file cannot be read."""
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"error: {file}: cannot read the badge: {error}", err=True)
        raise typer.Exit(UNREADABLE) from None
    try:
        moment = dt.datetime.fromisoformat(at) if at else None
    except ValueError:
        typer.echo(f"error: --at: unreadable moment {at!r}: use ISO 8601, e.g. 2027-01-15T12:00:00+00:00", err=True)
        raise typer.Exit(UNREADABLE) from None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    if text.lstrip().startswith("{"):
        typer.echo(
            f"error: {file}: this is the badge's JSON without its signature; verify the .jwt file (the VC-JWT)",
            err=True,
        )
        raise typer.Exit(UNREADABLE)
    _django()
    from certcredit.services import badges

    result = badges.verify(text, moment)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    elif result.verified:
        typer.echo(f"{file}: {result.message}")
    else:
        typer.echo(f"{file}: rejected: {result.reason}: {result.message}")
    raise typer.Exit(VALID if result.verified else REJECTED)
