"""The ``certcredit`` command: thin edges over the service layer and the pure core.

Each sub-command lives in its own module and registers itself on ``app``; heavy imports (Django, the model,
solvers) happen inside the commands that need them, so ``audit --batch`` starts fast. A plain
``audit FILE --batch …`` does not even load Typer: ``main`` hands it to ``cli.audit_batch`` directly.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from certcredit.cli.typer_app import app as app


def __getattr__(name: str) -> Any:
    """``certcredit.cli.app``, the Typer application, built on first use (Typer costs ~0.1 s to load)."""
    if name == "app":
        from certcredit.cli.typer_app import app as app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _register() -> None:
    """Import the command modules; each adds its commands to ``app``."""
    from certcredit.cli import commands  # noqa: F401


def main() -> None:
    import gc

    # Importing the batch's modules allocates much and frees almost nothing, so the cycle collector would only
    # walk the new objects again and again (about a tenth of their import time); it runs again once they are in.
    gc.disable()
    try:
        from certcredit.cli.audit_batch import fast_main
    finally:
        gc.enable()
    code = fast_main(sys.argv[1:])
    if code is not None:
        raise SystemExit(code)
    from certcredit.cli.typer_app import app as app

    _register()
    app()
