"""A busy database is 503 with ``Retry-After`` on pages and in the API (the documented JSON error); any other
database error stays a 500 that says nothing of the internals."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, OperationalError
from django.test import Client

from certcredit.services import queries
from certcredit.services.tokens import create_token
from certcredit.web.busy import is_busy

pytestmark = [pytest.mark.store, pytest.mark.django_db]


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("postgres said no")
        self.sqlstate = sqlstate


def _from_postgres(sqlstate: str) -> OperationalError:
    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = _PgError(sqlstate)
    return error


def test_busy_means_sqlites_lock_and_postgresqls_retry_states_only() -> None:
    assert is_busy(OperationalError("database is locked"))
    assert is_busy(_from_postgres("55P03")) and is_busy(_from_postgres("40001")) and is_busy(_from_postgres("40P01"))
    assert not is_busy(_from_postgres("42P01"))  # undefined table: a bug, not a busy database
    assert not is_busy(IntegrityError("UNIQUE constraint failed")) and not is_busy(ValueError("database is locked"))


@pytest.fixture
def signed_in(client: Client, make_person):
    person = make_person("mo@example.org")
    client.force_login(person)
    return person


def locked(*_args, **_kwargs):
    raise OperationalError("database is locked")


def test_a_page_meeting_a_locked_database_answers_503_with_retry_after(client: Client, signed_in, monkeypatch) -> None:
    monkeypatch.setattr(queries, "person_seen_by", locked)
    response = client.get("/progress/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "try again in 5 seconds" in response.content.decode()


def test_the_api_meeting_a_locked_database_answers_503_with_its_json_error(
    client: Client, signed_in, monkeypatch
) -> None:
    _token, plain = create_token(signed_in)
    monkeypatch.setattr(queries, "person_seen_by", locked)
    response = client.get(
        "/api/progress", {"program": "clm-application", "as_of": "2026-06-01"}, HTTP_AUTHORIZATION=f"Bearer {plain}"
    )
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {"message": "the database is busy with another change; try again in 5 seconds"}


def test_another_database_error_in_the_api_is_a_500_without_details(client: Client, signed_in, monkeypatch) -> None:
    _token, plain = create_token(signed_in)

    def broken(*_args, **_kwargs):
        raise DatabaseError('relation "secret_table" does not exist')

    monkeypatch.setattr(queries, "person_seen_by", broken)
    response = client.get(
        "/api/progress", {"program": "clm-application", "as_of": "2026-06-01"}, HTTP_AUTHORIZATION=f"Bearer {plain}"
    )
    assert response.status_code == 500 and "secret_table" not in response.content.decode()
    assert "Retry-After" not in response
