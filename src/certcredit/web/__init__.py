"""The Django project: store (models, migrations), web pages, the REST API under ``/api/`` and the admin."""

from __future__ import annotations

import os


def setup() -> None:
    """Configure Django once, for the CLI and scripts that use the store outside a web server."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certcredit.web.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
