"""``certcredit worker``: runs the background tasks (large record uploads through the web)."""

from __future__ import annotations

import typer

from certcredit.cli.typer_app import app


@app.command()
def worker(
    batch: bool = typer.Option(False, "--batch", help="Run the tasks waiting now, then stop (for cron or tests)."),
    interval: float = typer.Option(1.0, "--interval", help="Seconds between looks for new tasks."),
) -> None:
    """Run queued tasks: large record files uploaded on the web page are imported here, one after another.

    Keep one running beside the web server (docs/reliability.md); a task waits in the database until it runs.
    """
    from certcredit.web import setup

    setup()
    from django.core.management import call_command

    call_command("db_worker", batch=batch, interval=interval, verbosity=1)
