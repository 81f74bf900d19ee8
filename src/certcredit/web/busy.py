"""A busy database answers 503 with ``Retry-After``, never 500.

SQLite lets one writer in at a time: while a long import holds the write lock, another write waits for the busy
timeout (``CERTCREDIT_SQLITE_BUSY_TIMEOUT``, settings.py) and then fails with "database is locked". PostgreSQL
fails the same way on a lock or statement timeout, a deadlock or a serialization failure. None of these is the
server's fault or the request's: the client should simply try again a little later, which is what 503 with
``Retry-After`` says. Reads never wait on SQLite in WAL mode, and token authentication does not write for every
request (``services.tokens``), so only requests that write meet this.

Three places turn such an error into that answer: the API's exception handler (``web.api``, the documented JSON
``{"message": ...}``), ``BusyDatabaseMiddleware`` for the pages' views, and the 500 handler
(``web.views.server_error``) for what fails after a view (a session saved on the way out).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

log = logging.getLogger("certcredit.web")

#: seconds a client is asked to wait before trying again
RETRY_AFTER = 5
MESSAGE = f"the database is busy with another change; try again in {RETRY_AFTER} seconds"
#: SQLSTATEs of PostgreSQL's "try again" failures: serialization, deadlock, lock not available, query cancelled
#: (statement or lock timeout)
_RETRY_STATES = frozenset({"40001", "40P01", "55P03", "57014"})
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def is_busy(error: BaseException | None) -> bool:
    """Whether ``error`` is a database's "busy, try again" failure (not a bug, not bad input)."""
    if not isinstance(error, DatabaseError):
        return False
    text = str(error).lower()
    if any(phrase in text for phrase in _SQLITE_BUSY):
        return True
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in _RETRY_STATES or getattr(cause, "pgcode", None) in _RETRY_STATES


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: the API's JSON error under ``/api/``, else the error page."""
    log.warning("database busy on %s %s: answered 503", request.method, request.path)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"message": MESSAGE}, status=503)
    else:
        context = {"title": "Busy, try again shortly", "message": MESSAGE}
        response = HttpResponse(loader.render_to_string("error.html", context, request), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class BusyDatabaseMiddleware:
    """A page whose view meets a busy database answers 503 with ``Retry-After`` (module docstring)."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_response(request) if is_busy(exception) else None
