"""Bad requests to the API: each answer is the documented JSON error (docs/api.md), never a 500 or plain text."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from certcredit.services.tokens import create_token
from certcredit.store.accounts.models import ApiToken

pytestmark = [pytest.mark.store, pytest.mark.django_db]

HUGE = "9223372036854775808"  # 2**63: past any 64-bit integer column or OFFSET


@pytest.fixture
def auth(make_person) -> dict[str, str]:
    person = make_person("edge@example.org", "reviewer", "member")
    _token, plain = create_token(person)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.mark.parametrize("path", ["/api/sessions", "/api/records", "/api/review"])
def test_an_offset_past_64_bits_is_a_422_naming_offset(client: Client, auth, path: str) -> None:
    body = problem(client.get(f"{path}?offset={HUGE}", **auth), 422)
    assert body["field"] == "offset"


@pytest.mark.parametrize("path", ["/api/sessions", "/api/records", "/api/review"])
@pytest.mark.parametrize(("query", "field"), [("limit=0", "limit"), ("limit=1001", "limit"), ("offset=-1", "offset")])
def test_paging_outside_the_schemas_bounds_is_a_422(client: Client, auth, path: str, query: str, field: str) -> None:
    assert problem(client.get(f"{path}?{query}", **auth), 422)["field"] == field


@pytest.mark.parametrize("path", ["/api/sessions", "/api/records", "/api/review"])
def test_the_paging_bounds_are_in_the_openapi_document(client: Client, path: str) -> None:
    parameters = client.get("/api/openapi.json").json()["paths"][path]["get"]["parameters"]
    schema = {p["name"]: p["schema"] for p in parameters}
    assert (schema["limit"]["minimum"], schema["limit"]["maximum"]) == (1, 1000)
    assert (schema["offset"]["minimum"], schema["offset"]["maximum"]) == (0, 1_000_000_000)


def test_the_largest_offset_the_schema_allows_answers_an_empty_page(client: Client, auth) -> None:
    response = client.get("/api/sessions?offset=1000000000&limit=1000", **auth)
    assert response.status_code == 200 and response.json()["items"] == []


def test_a_json_body_over_the_size_limit_is_a_413(client: Client, auth, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = problem(
        client.post("/api/tokens", '{"name": "' + "x" * 2000 + '"}', content_type="application/json", **auth), 413
    )
    assert "1,000 bytes" in body["message"]
    assert ApiToken.objects.filter(name__startswith="xxx").count() == 0


@pytest.mark.parametrize("sent", ["[null, null]", "[]", '"laptop"', "42", "null"])
def test_a_token_request_whose_body_is_not_an_object_is_refused(client: Client, auth, sent: str) -> None:
    before = ApiToken.objects.count()
    body = problem(client.post("/api/tokens", sent, content_type="application/json", **auth), 422)
    assert body["field"] == "body"
    assert ApiToken.objects.count() == before


def test_a_token_name_with_a_nul_character_or_too_long_is_a_422_on_both_stores(client: Client, auth) -> None:
    for name in ("lap\x00top", "x" * 101, ""):
        body = problem(client.post("/api/tokens", {"name": name}, content_type="application/json", **auth), 422)
        assert body["field"] == "name"


def test_a_search_with_a_nul_character_is_a_422_not_a_database_error(client: Client, auth) -> None:
    assert problem(client.get("/api/sessions?search=a%00b", **auth), 422)["field"] == "search"


@pytest.mark.parametrize(
    ("path", "method", "allowed"),
    [("/api/sessions", "delete", "GET"), ("/api/sessions", "put", "GET"), ("/api/sessions", "post", "GET"),
     ("/api/records", "delete", "GET, POST"), ("/api/records", "put", "GET, POST")],
)  # fmt: skip
def test_a_method_the_path_does_not_take_is_a_json_405_with_allow(client: Client, auth, path, method, allowed) -> None:
    response = getattr(client, method)(path, **auth)
    body = problem(response, 405)
    # the framework lists a path's methods in no fixed order
    assert sorted(response["Allow"].split(", ")) == allowed.split(", ")
    assert all(m in body["message"] for m in allowed.split(", "))


def test_progress_without_as_of_names_the_missing_field(client: Client, auth) -> None:
    body = problem(client.get("/api/progress?program=clm-application", **auth), 422)
    assert body["field"] == "as_of"
    assert body["message"] == "as_of is required"


def test_an_unknown_api_path_is_a_json_404(client: Client, auth) -> None:
    problem(client.get("/api/nothing-here", **auth), 404)


def test_a_body_that_is_not_json_is_a_json_400(client: Client, auth) -> None:
    problem(client.post("/api/tokens", "{not json", content_type="application/json", **auth), 400)


def test_the_api_docs_page_loads_swagger_ui_from_the_app_not_a_cdn(client: Client) -> None:
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui.css" in page
    assert "cdn" not in page.lower() and "https://" not in page
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(asset), asset


def test_the_review_bodys_enumerations_are_the_vocabularys() -> None:
    from typing import get_args

    from certcredit.services.reviews import REVIEW_VERDICTS, vocabulary
    from certcredit.web.api import ReviewIn

    def allowed(key: str) -> set[str]:
        return set(get_args(ReviewIn.model_fields[key].annotation)) - {""}

    assert allowed("verdict") == set(REVIEW_VERDICTS)
    assert allowed("category") == set(vocabulary.CATEGORIES)
    assert allowed("subject_area") == set(vocabulary.SUBJECT_AREAS)
    assert allowed("topic") == set(vocabulary.TOPICS)
