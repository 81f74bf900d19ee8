"""The REST API: open health, authenticated /me, people see only their own records, errors are JSON."""

from __future__ import annotations

import pytest
from django.test import Client

from certcredit.io.readers import Row
from certcredit.services.imports import import_records
from certcredit.services.tokens import create_token, revoke_token

pytestmark = [pytest.mark.store, pytest.mark.django_db]


def rows(*titles: str) -> list[Row]:
    return [
        Row(i, i, {"title": t, "date": "2026-02-0" + str(i), "minutes": 60}, "item") for i, t in enumerate(titles, 1)
    ]


@pytest.fixture
def people(make_person):
    alice = make_person("alice@example.org")
    bob = make_person("bob@example.org")
    staff = make_person("boss@example.org", "staff")
    import_records(rows("Alice learns drafting", "Alice learns budgets"), alice, alice, "a.csv")
    import_records(rows("Bob learns listening"), bob, bob, "b.csv")
    return alice, bob, staff


def bearer(person) -> dict[str, str]:
    _token, plain = create_token(person)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_health_is_open_and_says_ok(client: Client) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_me_without_credentials_is_a_401_with_a_json_message(client: Client) -> None:
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "sign in" in response.json()["message"]


def test_me_with_a_token_gives_the_person_and_roles(client: Client, people) -> None:
    _alice, _bob, staff = people
    response = client.get("/api/me", **bearer(staff))
    assert response.json() == {"email": "boss@example.org", "name": "Boss", "roles": ["staff"]}


def test_me_with_a_session_gives_the_signed_in_person(client: Client, people) -> None:
    alice, _bob, _staff = people
    client.force_login(alice)
    assert client.get("/api/me").json()["email"] == "alice@example.org"


def test_a_revoked_or_made_up_token_is_refused(client: Client, people) -> None:
    alice, _bob, _staff = people
    token, plain = create_token(alice)
    revoke_token(alice, token.pk)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer cc_made-up").status_code == 401


def test_only_the_tokens_digest_is_stored(people) -> None:
    alice, _bob, _staff = people
    token, plain = create_token(alice)
    token.refresh_from_db()
    assert plain not in (token.digest, token.prefix) and len(token.digest) == 64


def test_a_member_sees_only_their_own_records(client: Client, people) -> None:
    alice, _bob, _staff = people
    response = client.get("/api/records", **bearer(alice))
    body = response.json()
    assert body["person"] == "alice@example.org"
    assert sorted(item["title"] for item in body["items"]) == ["Alice learns budgets", "Alice learns drafting"]


def test_a_member_asking_for_another_members_records_gets_403_and_none_of_them(client: Client, people) -> None:
    alice, _bob, _staff = people
    response = client.get("/api/records?person=bob@example.org", **bearer(alice))
    assert response.status_code == 403
    assert "Bob" not in response.content.decode()
    assert response.json()["message"] == "only staff may see another person's records"


def test_staff_may_read_another_persons_records(client: Client, people) -> None:
    _alice, _bob, staff = people
    body = client.get("/api/records?person=bob@example.org", **bearer(staff)).json()
    assert [item["title"] for item in body["items"]] == ["Bob learns listening"]


def test_staff_asking_for_an_unknown_person_gets_a_json_404(client: Client, people) -> None:
    _alice, _bob, staff = people
    response = client.get("/api/records?person=nobody@example.org", **bearer(staff))
    assert response.status_code == 404
    assert "nobody@example.org" in response.json()["message"]


def test_a_bad_query_value_is_a_422_with_a_message_and_the_errors(client: Client, people) -> None:
    alice, _bob, _staff = people
    response = client.get("/api/sessions?limit=lots", **bearer(alice))
    assert response.status_code == 422
    assert response.json()["message"].startswith("limit: Input should be a valid integer")
    assert response.json()["field"] == "limit"
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]


def test_an_unknown_api_path_is_a_json_404_not_an_html_page(client: Client) -> None:
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {"message": "not found"}


def test_an_unexpected_error_inside_the_api_is_a_json_500_without_a_traceback(client: Client, people, monkeypatch):
    from certcredit.services import queries

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(queries, "sessions", broken)
    alice, _bob, _staff = people
    response = client.get("/api/sessions", **bearer(alice))
    assert response.status_code == 500
    assert response.json() == {"message": "internal error; it has been logged"}


def test_sessions_need_a_signed_in_person(client: Client, people) -> None:
    alice, _bob, _staff = people
    assert client.get("/api/sessions").status_code == 401
    assert client.post("/api/tokens", {"name": "x"}, content_type="application/json").status_code == 401
    assert client.get("/api/sessions", **bearer(alice)).json()["count"] == 0


def test_a_session_post_without_the_csrf_token_is_refused(people) -> None:
    alice, _bob, _staff = people
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_a_session_post_with_the_csrf_token_makes_a_token(people) -> None:
    alice, _bob, _staff = people
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    browser.get("/tokens/")  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.post("/api/tokens", {"name": "laptop"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201
    assert response.json()["token"].startswith("cc_")


def test_the_openapi_document_lists_the_endpoints(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/health", "/api/me", "/api/records", "/api/sessions"} <= set(paths)
