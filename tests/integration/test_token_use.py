"""A token's last use is noted at most every five minutes, so a read through the API is not a write each time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from certcredit.services import tokens
from certcredit.store.accounts.models import ApiToken

pytestmark = [pytest.mark.store, pytest.mark.django_db]


def test_a_tokens_last_use_is_written_at_most_every_five_minutes(client: Client, make_person) -> None:
    person = make_person("mo@example.org")
    token, plain = tokens.create_token(person)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert client.get("/api/me", **bearer).status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None

    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/me", **bearer).status_code == 200
    assert not [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - tokens.TOUCH_EVERY - dt.timedelta(seconds=1))
    assert client.get("/api/me", **bearer).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first
