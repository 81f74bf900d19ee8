"""Schemathesis against ``/api/openapi.json``: generated requests, valid and invalid, to every operation, signed in
as a reviewer with staff rights (so every endpoint is reached), through the WSGI app in-process.

Each answer must be no server error and must match the document: a status code it lists, JSON where it says
JSON, a body that fits the schema of that status; a request the schema refuses must be refused (4xx). A bounded
run (a few dozen requests an operation, derandomised so it is the same every time); ``bench/fuzz.py`` runs
thousands. Marked ``store``: ``make test`` runs it again on PostgreSQL, where NUL characters and 64-bit
overflows are refused by the database itself.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from certcredit.io.readers import Row
from certcredit.services.imports import import_records, import_sessions
from certcredit.services.tokens import create_token

pytestmark = [pytest.mark.store, pytest.mark.django_db]

#: the checks a run counts: server errors and schema mismatches, and invalid data accepted
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
    "missing_required_header",
)


def schema_checks() -> list:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return CHECKS.get_by_names(CHECK_NAMES)


def _schema():
    """The document as the app serves it (read at collection: building it touches no database)."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()  # the app itself; certcredit.web.wsgi is the server's, which wants a key

    return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


schema = _schema()


@pytest.fixture
def in_process(db: None):
    """Requests through the WSGI handler keep the test's database connection, as Django's test client does:
    the handler would otherwise close it after each request (PostgreSQL, ``CONN_MAX_AGE``)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def signed_in(make_person, in_process) -> dict[str, str]:
    """A reviewer who is also staff and a provider, with a few sessions and records, so list endpoints have
    something to page."""
    person = make_person("fuzz@example.org", "reviewer", "staff", "member")
    # also a provider, so the provider's endpoints are reached past their 403
    from certcredit.services.people import grant_role
    from certcredit.store.accounts.models import Organization

    grant_role(person, "provider", Organization.objects.create(name="Fuzz Training", kind="provider"))
    sessions = [
        Row(i, i, {"title": f"Session {i}", "date": f"2026-0{i}-10", "minutes": 60 + i}, "item") for i in range(1, 4)
    ]
    import_sessions(sessions, person, "fuzz.json")
    records = [
        Row(i, i, {"title": f"Record {i}", "date": f"2026-0{i}-12", "minutes": 90, "category": "writing"}, "item")
        for i in range(1, 4)
    ]
    import_records(records, person, person, "fuzz.json")
    _token, plain = create_token(person)
    return {"Authorization": f"Bearer {plain}"}


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_its_schema_says(case, signed_in) -> None:
    case.call_and_validate(headers=signed_in, checks=schema_checks())
