"""A member's own records by form and by API: added, edited and deleted through the one record reading, each
change in the history with who and when, never another member's; and "I attended" from the catalogue, once."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from certcredit.io.readers import Row
from certcredit.services.imports import import_sessions
from certcredit.services.tokens import create_token
from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]

GOOD = {"title": "Plain writing", "date": "2026-03-10", "minutes": "90", "format": "in_person", "category": "writing"}


def bearer(person) -> dict[str, str]:
    _token, plain = create_token(person)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def history_of(record_id: int) -> list[tuple[str, str]]:
    entries = HistoryEntry.objects.filter(object_type="records.record", object_id=str(record_id)).order_by("id")
    return [(e.action, e.actor_label) for e in entries]


@pytest.fixture
def mo(make_person):
    return make_person("mo@example.org")


@pytest.fixture
def ann(make_person):
    return make_person("ann@example.org")


def signed_in(client: Client, person) -> Client:
    client.force_login(person)
    return client


# --- by form ----------------------------------------------------------------------------------------------------


def test_a_member_adds_a_record_by_form_and_its_page_shows_who_added_it_and_when(client: Client, mo) -> None:
    response = signed_in(client, mo).post("/records/new/", GOOD)
    record = Record.objects.get(person=mo)
    assert response.status_code == 302 and response["Location"] == f"/records/{record.pk}/"
    assert (record.date, record.minutes, record.category, record.title) == (dt.date(2026, 3, 10), 90, "writing",
                                                                            "Plain writing")  # fmt: skip
    assert history_of(record.pk) == [("create", "mo@example.org")]
    page = client.get(f"/records/{record.pk}/").content.decode()
    assert 'id="history"' in page and "mo@example.org" in page and ">Added <" in page


def test_each_problem_is_shown_beside_its_field_with_the_typed_values_and_nothing_is_stored(client: Client, mo) -> None:
    typed = GOOD | {"date": "2026-02-30", "minutes": "ninety", "category": "", "subject_area": "", "title": "Mine"}
    html = signed_in(client, mo).post("/records/new/", typed).content.decode()
    assert Record.objects.count() == 0
    # the one reading's own words, each in the field it belongs to
    date_field = html[html.index('for="id_date"') : html.index('for="id_minutes"')]
    minutes_field = html[html.index('for="id_minutes"') : html.index('for="id_time"')]
    assert "date &#x27;2026-02-30&#x27; does not exist" in date_field and 'value="2026-02-30"' in date_field
    assert "minutes must be a whole number, not &#x27;ninety&#x27;" in minutes_field
    assert 'value="ninety"' in minutes_field and 'value="Mine"' in html


def test_a_record_with_neither_date_nor_duration_is_told_so_at_each_field(client: Client, mo) -> None:
    html = signed_in(client, mo).post("/records/new/", {"title": "Something"}).content.decode()
    date_field = html[html.index('for="id_date"') : html.index('for="id_minutes"')]
    minutes_field = html[html.index('for="id_minutes"') : html.index('for="id_time"')]
    assert "no date: a record needs one" in date_field and "no duration: give minutes or a time range" in minutes_field


def test_a_printed_time_range_gives_the_minutes_when_minutes_are_empty(client: Client, mo) -> None:
    signed_in(client, mo).post("/records/new/", GOOD | {"minutes": "", "time": "9 – 10:30 A.M."})
    record = Record.objects.get(person=mo)
    assert record.minutes == 90 and record.time_text == "9 – 10:30 A.M."


def test_the_same_record_twice_is_refused_with_the_one_it_repeats(client: Client, mo) -> None:
    signed_in(client, mo).post("/records/new/", GOOD)
    html = client.post("/records/new/", GOOD).content.decode()
    assert "you already have this record" in html and Record.objects.count() == 1


def test_a_member_edits_and_deletes_their_record_and_the_history_keeps_both_with_who(client: Client, mo) -> None:
    signed_in(client, mo).post("/records/new/", GOOD)
    record = Record.objects.get(person=mo)
    form = client.get(f"/records/{record.pk}/edit/").content.decode()
    assert 'value="Plain writing"' in form and 'value="2026-03-10"' in form
    assert client.post(f"/records/{record.pk}/edit/", GOOD | {"minutes": "120"}).status_code == 302
    record.refresh_from_db()
    assert record.minutes == 120
    change = HistoryEntry.objects.get(object_id=str(record.pk), action="change")
    assert (change.before["minutes"], change.after["minutes"], change.actor_label) == (90, 120, "mo@example.org")
    assert client.post(f"/records/{record.pk}/delete/").status_code == 302
    assert not Record.objects.filter(pk=record.pk).exists()
    assert history_of(record.pk) == [("create", "mo@example.org"), ("change", "mo@example.org"),
                                     ("delete", "mo@example.org")]  # fmt: skip
    gone = HistoryEntry.objects.get(object_id=str(record.pk), action="delete")
    assert gone.before["title"] == "Plain writing" and gone.after is None


def test_a_member_can_never_see_edit_or_delete_another_members_record(client: Client, mo, ann) -> None:
    signed_in(client, ann).post("/records/new/", GOOD)
    theirs = Record.objects.get(person=ann)
    signed_in(client, mo)
    for path in (f"/records/{theirs.pk}/", f"/records/{theirs.pk}/edit/", f"/records/{theirs.pk}/delete/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/records/{theirs.pk}/edit/", GOOD | {"minutes": "600"}).status_code == 404
    assert client.post(f"/records/{theirs.pk}/delete/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.minutes == 90 and history_of(theirs.pk) == [("create", "ann@example.org")]


def test_staff_may_correct_a_members_record_and_the_history_names_the_staff_member(
    client: Client, mo, make_person
) -> None:
    signed_in(client, mo).post("/records/new/", GOOD)
    record = Record.objects.get(person=mo)
    boss = make_person("boss@example.org", "staff")
    assert signed_in(client, boss).post(f"/records/{record.pk}/edit/", GOOD | {"minutes": "60"}).status_code == 302
    assert history_of(record.pk) == [("create", "mo@example.org"), ("change", "boss@example.org")]


# --- by API -----------------------------------------------------------------------------------------------------


def test_the_api_adds_replaces_and_deletes_ones_own_record_with_its_history(client: Client, mo) -> None:
    auth = bearer(mo)
    made = client.post("/api/records", {"date": "2026-03-10", "minutes": 90, "title": "API course"},
                       content_type="application/json", **auth)  # fmt: skip
    assert made.status_code == 201, made.content
    ident = made.json()["id"]
    assert made.json()["minutes"] == 90 and made.json()["format"] == "in_person"
    replaced = client.put(f"/api/records/{ident}", {"date": "2026-03-11", "minutes": "120", "title": "API course",
                          "category": "communication"}, content_type="application/json", **auth)  # fmt: skip
    assert replaced.status_code == 200 and replaced.json()["category"] == "communication"
    listed = client.get(f"/api/records/{ident}/history", **auth).json()
    assert [(e["action"], e["who"]) for e in listed] == [("change", "mo@example.org"), ("create", "mo@example.org")]
    assert listed[0]["before"]["minutes"] == 90 and listed[0]["after"]["minutes"] == 120
    assert client.delete(f"/api/records/{ident}", **auth).status_code == 204
    assert client.get(f"/api/records/{ident}/history", **auth).status_code == 404  # gone for the API
    assert history_of(ident)[-1] == ("delete", "mo@example.org")


def test_the_api_names_the_field_at_fault_and_keeps_nothing(client: Client, mo) -> None:
    auth = bearer(mo)
    cases = {
        "date": {"date": "2026-13-01", "minutes": 60},
        "minutes": {"date": "2026-01-01", "minutes": 0},
        "category": {"date": "2026-01-01", "minutes": 60, "category": "cooking"},
        "activity": {"date": "2026-01-01", "minutes": 60, "activity": "9lives"},
    }
    for field, body in cases.items():
        response = client.post("/api/records", body, content_type="application/json", **auth)
        assert response.status_code == 422 and response.json()["field"] == field, (field, response.json())
    assert client.post("/api/records", [1], content_type="application/json", **auth).status_code == 422
    assert Record.objects.count() == 0


def test_the_api_never_touches_another_members_record(client: Client, mo, ann) -> None:
    made = client.post("/api/records", {"date": "2026-03-10", "minutes": 90}, content_type="application/json",
                       **bearer(ann)).json()  # fmt: skip
    auth = bearer(mo)
    assert client.put(f"/api/records/{made['id']}", {"date": "2026-03-10", "minutes": 5},
                      content_type="application/json", **auth).status_code == 404  # fmt: skip
    assert client.delete(f"/api/records/{made['id']}", **auth).status_code == 404
    assert client.get(f"/api/records/{made['id']}/history", **auth).status_code == 404
    assert Record.objects.get(pk=made["id"]).minutes == 90


def test_the_same_record_twice_by_api_is_a_conflict(client: Client, mo) -> None:
    auth = bearer(mo)
    body = {"date": "2026-03-10", "minutes": 90, "title": "Twice"}
    assert client.post("/api/records", body, content_type="application/json", **auth).status_code == 201
    again = client.post("/api/records", body, content_type="application/json", **auth)
    assert again.status_code == 409 and "already have this record" in again.json()["message"]


# --- "I attended" -----------------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(make_person):
    staff = make_person("cat@example.org", "staff")
    past = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    later = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    rows = [
        Row(1, 1, {"title": "Clear letters", "date": past, "minutes": 120, "category": "writing"}, "item"),
        Row(2, 2, {"title": "Next month's talk", "date": later, "minutes": 60}, "item"),
        Row(3, 3, {"title": "Undated talk", "description": "when is it?"}, "item"),
    ]
    assert import_sessions(rows, staff, "catalogue.json").ok
    from certcredit.store.catalog.models import Session

    return {s.title: s for s in Session.objects.all()}


def test_i_attended_adds_a_record_linked_to_the_session_once(client: Client, mo, catalogue) -> None:
    session = catalogue["Clear letters"]
    signed_in(client, mo)
    assert client.post(f"/sessions/{session.pk}/attend/").status_code == 302
    record = Record.objects.get(person=mo)
    assert (record.session_id, record.title, record.minutes, record.category) == (session.pk, "Clear letters", 120, "")
    assert history_of(record.pk) == [("attend", "mo@example.org")]
    page = client.get("/sessions/").content.decode()
    assert "✓ Attended: in your records" in page
    client.post(f"/sessions/{session.pk}/attend/")
    assert Record.objects.filter(person=mo).count() == 1
    second = client.post(f"/api/sessions/{session.pk}/attend", **bearer(mo))
    assert second.status_code == 409 and "already said you attended" in second.json()["message"]


def test_a_session_not_yet_held_or_without_a_date_cannot_be_attended(client: Client, mo, catalogue) -> None:
    auth = bearer(mo)
    soon = catalogue["Next month's talk"]
    later = client.post(f"/api/sessions/{soon.pk}/attend", **auth)
    assert later.status_code == 422 and later.json()["field"] == "session" and "once it has taken place" in later.text
    undated = client.post(f"/api/sessions/{catalogue['Undated talk'].pk}/attend", **auth)
    assert undated.status_code == 422 and "no date or length" in undated.json()["message"]
    assert client.post("/api/sessions/999999/attend", **auth).status_code == 404
    assert Record.objects.count() == 0
    page = signed_in(client, mo).get("/sessions/").content.decode()
    assert page.count(">I attended</button>") == 1  # only the session already held, with a length


def test_a_session_attended_takes_the_credit_of_its_decision_on_the_progress_page(
    client: Client, mo, catalogue
) -> None:
    session = catalogue["Clear letters"]
    client.post(f"/api/sessions/{session.pk}/attend", **bearer(mo))
    report = json.loads(
        client.get(
            "/api/progress", {"program": "clm-application", "as_of": dt.date.today().isoformat()}, **bearer(mo)
        ).content
    )
    assert [(a["requirement"], a["hours"]) for a in report["allocations"]] == [("writing", 2.0)]


def test_the_record_page_has_one_history_and_a_plain_title(client: Client, mo) -> None:
    signed_in(client, mo).post("/records/new/", GOOD)
    record = Record.objects.get(person=mo)
    page = client.get(f"/records/{record.pk}/").content.decode()
    assert page.count('id="history"') == 1
    assert "<title>Plain writing · certcredit</title>" in page
