"""``certcredit credentials``: the daily lapse of credentials past their deadline, and a look at one credential."""

from __future__ import annotations

import datetime as dt
import json

import typer

from certcredit.cli.typer_app import app

credentials_app = typer.Typer(help="Credentials: record lapses after the recertification deadline, show one.")
app.add_typer(credentials_app, name="credentials", no_args_is_help=True)


def _django() -> None:
    from certcredit.web import setup

    setup()


@credentials_app.command("lapse")
def lapse_command(
    today: str = typer.Option("", "--today", help="The day to judge by, YYYY-MM-DD (default: today)."),
) -> None:
    """Record the lapse of every certified credential whose recertification deadline has passed (R25: no grace).

    Each lapse is written to the history ("command line"). Running it again the same day records nothing more;
    run it daily (cron or a systemd timer) so the store agrees with what /verify/<code> already says.
    """
    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError:
        typer.echo(f"error: --today: unreadable date {today!r}: use YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    _django()
    from certcredit.services.credentials import lapse_overdue

    count = lapse_overdue(None, day)
    typer.echo(f"{count} credential{'s' if count != 1 else ''} lapsed")


@credentials_app.command("show")
def show_command(code: str = typer.Argument(..., help="The verification code printed on a document.")) -> None:
    """What /verify/<code> shows, as JSON; exit status 1 for a code no certified credential has."""
    _django()
    from certcredit.services.credentials import verification

    shown = verification(code)
    if shown is None:
        typer.echo(f"error: no certified credential has the code {code!r}", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps({
        "holder": shown.holder, "credential": shown.credential, "since": str(shown.since),
        "valid_until": str(shown.valid_until) if shown.valid_until else None, "state": shown.state,
        "events": [[str(day), event] for day, event in shown.events],
    }, ensure_ascii=False))  # fmt: skip


@app.command("remind")
def remind_command(
    today: str = typer.Option("", "--today", help="The day to judge by, YYYY-MM-DD (default: today)."),
    base_url: str = typer.Option(
        "", "--base-url", help="The site's address for the links in the messages (default: CERTCREDIT_PUBLIC_URL)."
    ),
) -> None:
    """Send the reminder e-mails due today, each once: application outcomes, recertification deadlines (90, 30
    and 7 days before), the apply-by date, records ageing out, CLRM paper deadlines (90, 30 and 7 days before)
    and, to staff, CLRM paper deadlines that passed. Run it daily (cron or a systemd timer); running it twice
    sends nothing twice. People who turned reminders off get none."""
    import os

    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError:
        typer.echo(f"error: --today: unreadable date {today!r}: use YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    _django()
    from certcredit.services.reminders import remind

    url = base_url or os.environ.get("CERTCREDIT_PUBLIC_URL", "http://127.0.0.1:8000")
    report = remind(day, url)
    summary = report.as_dict()
    kinds = ", ".join(f"{n} {kind}" for kind, n in summary["by_kind"].items()) or "none due"  # type: ignore[attr-defined]
    typer.echo(f"{summary['sent']} reminder(s) sent ({kinds}); {report.unsubscribed} person(s) unsubscribed; "
               f"{report.failed} failed")  # fmt: skip
    if report.failed:
        raise typer.Exit(1)
