"""The review queue: needs_review sessions reach reviewers, a review removes them, members are kept out."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from certcredit.services.decisions import decide, decision_for, with_applying
from certcredit.services.reviews import queue
from certcredit.services.tokens import create_token
from certcredit.store.catalog.models import Session
from certcredit.store.history.models import HistoryEntry

pytestmark = [pytest.mark.store, pytest.mark.django_db]

_keys = itertools.count()


def stored_session(title: str, minutes: int | None = 90) -> Session:
    return Session.objects.create(title=title, minutes=minutes, natural_key=f"s|{next(_keys)}")


def unsure(title: str, analysis: str = "The focus lies between two categories.") -> Session:
    session = stored_session(title)
    decide(None, session, "evaluated", "needs_review", confidence=0.52, analysis=analysis)
    return session


@pytest.fixture
def reviewer(make_person):
    return make_person("riley@example.org", "reviewer", "member")


@pytest.fixture
def member(make_person):
    return make_person("mo@example.org")


def bearer(person) -> dict[str, str]:
    _token, plain = create_token(person)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_only_sessions_whose_applying_decision_is_needs_review_are_queued_oldest_first(reviewer, make_person):
    staff = make_person("desk@example.org", "staff")
    first = unsure("Waiting longest")
    second = unsure("Waiting since later")
    decided = stored_session("Evaluated and sure")
    decide(None, decided, "evaluated", "qualifies", "writing", confidence=0.97)
    designated = unsure("Unsure, but designated afterwards")
    decide(staff, designated, "designated", "qualifies", "communication")
    reviewed = unsure("Already reviewed")
    decide(reviewer, reviewed, "reviewed", "does_not_qualify")
    stored_session("Never evaluated")
    assert list(queue(reviewer)) == [first, second]


def test_the_annotated_applying_decision_agrees_with_decision_for_on_every_precedence_case(reviewer, make_person):
    """with_applying (one query for a list) against decision_for (the reference, three queries a session)."""
    staff = make_person("desk@example.org", "staff")
    kinds = {"evaluated": None, "reviewed": reviewer, "designated": staff}
    for n, combination in enumerate(itertools.product((False, True), repeat=3)):
        session = stored_session(f"case {n}")
        for present, (kind, actor) in zip(combination, kinds.items(), strict=True):
            if present:  # two of each kind: the later one must win
                decide(actor, session, kind, "does_not_qualify")
                decide(actor, session, kind, "qualifies", "writing")
    annotated = {s.pk: s.applying_id for s in with_applying(Session.objects.all())}
    expected = {s.pk: getattr(decision_for(s), "pk", None) for s in Session.objects.all()}
    assert annotated == expected and sum(v is None for v in expected.values()) == 1


def test_a_reviewers_decision_on_the_page_removes_the_session_and_is_in_history_with_the_reviewer(client, reviewer):
    session = unsure("Leading from the middle", analysis="Between organizational development and none.")
    client.force_login(reviewer)
    listing = client.get("/review/").content.decode()
    assert "Leading from the middle" in listing and "Between organizational development and none." in listing
    assert "0.52" in listing
    page = client.get(f"/review/{session.pk}/").content.decode()
    assert "The evaluator&#x27;s analysis" in page or "The evaluator's analysis" in page
    response = client.post(
        f"/review/{session.pk}/",
        {"verdict": "qualifies", "category": "organizational_development", "subject_area": "CM", "note": "Teaches it."},
    )
    assert response.status_code == 302 and response["Location"] == "/review/"
    applying = decision_for(session)
    assert applying is not None
    assert (applying.kind, applying.verdict, applying.category, applying.decided_by) == (
        "reviewed",
        "qualifies",
        "organizational_development",
        reviewer,
    )
    assert applying.analysis == "Teaches it."
    entry = HistoryEntry.objects.get(object_type="catalog.decision", object_id=str(applying.pk))
    assert (entry.actor, entry.actor_label, entry.action) == (reviewer, "riley@example.org", "decide")
    assert (entry.after["verdict"], entry.after["analysis"], entry.at.date()) == (
        "qualifies",
        "Teaches it.",
        applying.decided_at.date(),
    )
    after = client.get("/review/").content.decode()
    assert "Nothing to review." in after and f'href="/review/{session.pk}/"' not in after


def test_a_qualifying_review_without_a_category_is_re_shown_with_the_error_beside_the_field(client, reviewer):
    session = unsure("Plan your week")
    client.force_login(reviewer)
    response = client.post(f"/review/{session.pk}/", {"verdict": "qualifies", "topic": "", "note": "My reasons"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="field has-error"' in page and "A qualifying session needs its Management Category." in page
    assert "My reasons</textarea>" in page and 'value="qualifies" required id="id_verdict_0" checked' in page
    assert decision_for(session).kind == "evaluated"


def test_a_review_naming_a_category_for_a_session_that_does_not_qualify_is_refused(client, reviewer):
    session = unsure("Plan your week")
    client.force_login(reviewer)
    page = client.post(f"/review/{session.pk}/", {"verdict": "does_not_qualify", "category": "writing"})
    assert "Only a qualifying session has a Management Category" in page.content.decode()
    assert decision_for(session).kind == "evaluated"


def test_the_queue_needs_a_signed_in_person(client) -> None:
    response = client.get("/review/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/api/review").status_code == 401


def test_a_member_can_neither_see_nor_post_to_the_queue(client, member):
    session = unsure("Plan your week")
    client.force_login(member)
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/{session.pk}/").status_code == 403
    assert client.post(f"/review/{session.pk}/", {"verdict": "does_not_qualify"}).status_code == 403
    assert "Review queue" not in client.get("/sessions/").content.decode()
    api = Client()
    assert api.get("/api/review", **bearer(member)).status_code == 403
    response = api.post(
        f"/api/sessions/{session.pk}/review", {"verdict": "qualifies", "category": "writing"},
        content_type="application/json", **bearer(member),
    )  # fmt: skip
    assert response.status_code == 403 and "reviewers" in response.json()["message"]
    assert decision_for(session).kind == "evaluated"


def test_a_reviewer_reviews_through_the_api_and_the_session_leaves_the_api_queue(client, reviewer):
    session = unsure("Meeting notes that get read", analysis="Writing or communication?")
    auth = bearer(reviewer)
    listed = client.get("/api/review", **auth).json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["id"] == session.pk and item["decision"]["verdict"] == "needs_review"
    assert (item["decision"]["analysis"], item["decision"]["confidence"]) == ("Writing or communication?", 0.52)
    response = client.post(
        f"/api/sessions/{session.pk}/review", {"verdict": "qualifies", "category": "writing", "note": "Drafting."},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["category"], body["decided_by"]) == ("reviewed", "writing", "riley@example.org")
    assert client.get("/api/review", **auth).json()["count"] == 0
    shown = client.get("/api/sessions", **auth).json()["items"][0]["decision"]
    assert (shown["kind"], shown["verdict"], shown["decided_by"]) == ("reviewed", "qualifies", "riley@example.org")


def test_a_bad_api_review_is_a_422_naming_the_field_and_an_unknown_session_a_404(client, reviewer):
    session = unsure("Plan your week")
    auth = bearer(reviewer)
    response = client.post(
        f"/api/sessions/{session.pk}/review", {"verdict": "qualifies", "subject_area": "XX", "category": "writing"},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert response.status_code == 422 and response.json()["field"] == "subject_area"
    missing = client.post(
        "/api/sessions/999999/review", {"verdict": "does_not_qualify"}, content_type="application/json", **auth
    )
    assert missing.status_code == 404 and "no session" in missing.json()["message"]
    assert decision_for(session).kind == "evaluated"


def test_a_designated_session_cannot_be_reviewed_as_the_review_would_never_apply(client, reviewer, make_person):
    session = stored_session("Designated drafting")
    decide(make_person("desk@example.org", "staff"), session, "designated", "qualifies", "writing")
    response = client.post(
        f"/api/sessions/{session.pk}/review", {"verdict": "does_not_qualify"},
        content_type="application/json", **bearer(reviewer),
    )  # fmt: skip
    assert response.status_code == 409 and "designat" in response.json()["message"]


def test_the_sessions_page_shows_the_applying_decision_and_who_took_it(client, member, reviewer):
    session = unsure("Plan your week")
    decide(reviewer, session, "reviewed", "qualifies", "self_management")
    client.force_login(member)
    page = client.get("/sessions/").content.decode()
    assert "Self-Management" in page or "Self Management" in page
    assert "Reviewed by riley@example.org" in page


def test_the_openapi_document_lists_the_review_endpoints(client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/review"] and "post" in paths["/api/sessions/{session_id}/review"]
    responses = paths["/api/sessions/{session_id}/review"]["post"]["responses"]
    assert {"201", "403", "404", "409", "422"} <= set(responses)
