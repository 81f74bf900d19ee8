"""The WSGI application ``certcredit serve`` runs under gunicorn (any WSGI server may run it the same way).

Outside development (``CERTCREDIT_DEBUG=1``, settings.py) it refuses to start with the built-in development
``SECRET_KEY``: sessions, CSRF tokens and password-reset links would be signed with a key anyone can read.
Once loaded it imports the URL routes (views, the API and its schemas) and the allocator of nested programs and
reads the shipped rulebooks, so that no first request pays for them (with ``--preload``, the workers share them).
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certcredit.web.settings")


def check_secret_key() -> None:
    """Refuse the development key outside development (module docstring)."""
    from django.conf import settings

    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            "CERTCREDIT_SECRET_KEY is not set: the web server does not start outside development without its own "
            "secret key (docs/deploy.md); for development, set CERTCREDIT_DEBUG=1 or run `certcredit serve --dev`"
        )


def warm_up() -> None:
    """Read what the first progress request would otherwise read (module docstring)."""
    import scipy.optimize  # noqa: F401  (the exact allocator's solver, imported by the engine on first use)
    from django.db import connections
    from django.urls import get_resolver

    from certcredit.services.audits import record_programs

    get_resolver().url_patterns  # noqa: B018  (imports the views, the API and its schemas)
    record_programs()
    connections.close_all()  # none should be open, and none may be shared by the workers gunicorn forks


check_secret_key()
application = get_wsgi_application()
warm_up()
