"""The store keeps a record's activity end to end: imports, the record page, the API, exports, history and the
audit of stored records (a PMI member's giving-back hours count for Giving Back, as in the CLI audit of a file)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client

from certcredit.engine.report import audit_json
from certcredit.io.writers import render
from certcredit.services.access import Forbidden
from certcredit.services.audits import progress
from certcredit.services.exports import record_rows
from certcredit.services.imports import import_records, load_rows, load_upload
from certcredit.services.tokens import create_token
from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]

PMI_CSV = """id,date,title,minutes,activity
r1,2024-01-10,Agile estimating,600,Ways of Working
r2,2024-02-10,Negotiation workshop,600,power-skills
r3,2024-03-10,Reading a market,540,business_acumen
r4,2024-04-10,Mentoring chapter members,720,Giving Back
r5,2024-05-10,Talk at a local meetup,180,giving_back
"""
PMI_END = "2026-06-30"


@pytest.fixture
def member(make_person):
    return make_person("pat@example.org")


def bearer(person) -> dict[str, str]:
    _token, plain = create_token(person)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def stored(person) -> dict[str, str]:
    return dict(Record.objects.filter(person=person).values_list("external_id", "activity"))


def one_record(person, activity: str = "", title: str = "Chapter newsletter") -> Record:
    rows = load_upload("one.json", json.dumps([{"date": "2026-03-01", "title": title, "minutes": 90,
                                                 "activity": activity}]).encode())  # fmt: skip
    import_records(rows, person, person, "one.json")
    return Record.objects.get(person=person, title=title)


# --- imports ---------------------------------------------------------------------------------------------------


def test_an_imported_activity_is_kept_normalised_and_a_reimport_adds_nothing(tmp_path: Path, member) -> None:
    path = tmp_path / "pmi.csv"
    path.write_text(PMI_CSV, encoding="utf-8")

    first = import_records(load_rows(path), member, member, str(path))
    again = import_records(load_rows(path), member, member, str(path))

    assert (first.added, first.ok) == (5, True)
    assert stored(member) == {
        "r1": "ways_of_working",
        "r2": "power_skills",
        "r3": "business_acumen",
        "r4": "giving_back",
        "r5": "giving_back",
    }
    assert (again.added, again.already_present) == (0, 5)


def test_a_malformed_activity_rejects_its_row_naming_file_line_and_reason(tmp_path: Path, member, cli) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "date,title,minutes,activity\n2026-01-05,Good one,60,giving back\n2026-01-06,Bad one,60,Giving Back!\n",
        encoding="utf-8",
    )

    result = cli("import", "records", str(path), "--person", "pat@example.org")

    assert result.exit_code == 2
    assert f"{path}: line 3: activity 'Giving Back!' is not an activity identifier" in result.stderr
    assert list(Record.objects.filter(person=member).values_list("title", "activity")) == [("Good one", "giving_back")]


def test_a_file_without_activities_re_imported_after_they_were_set_adds_nothing(client: Client, member) -> None:
    plain = b"id,date,title,minutes\nr4,2024-04-10,Mentoring chapter members,720\n"
    import_records(load_upload("plain.csv", plain), member, member, "plain.csv")
    record = Record.objects.get(person=member)
    client.force_login(member)
    client.post(f"/records/{record.pk}/", {"change": "activity", "activity": "giving_back"})

    again = import_records(load_upload("plain.csv", plain), member, member, "plain.csv")
    with_activity = import_records(load_upload("pmi.csv", PMI_CSV.encode()), member, member, "pmi.csv")

    assert (again.added, again.already_present) == (0, 1)
    assert (with_activity.added, with_activity.already_present) == (4, 1)
    assert Record.objects.filter(person=member, title="Mentoring chapter members").count() == 1


def test_a_file_naming_an_activity_for_a_record_stored_without_one_leaves_it_alone(member) -> None:
    plain = b"date,title,minutes\n2024-04-10,Mentoring chapter members,720\n"
    import_records(load_upload("plain.csv", plain), member, member, "plain.csv")

    report = import_records(load_upload("pmi.csv", PMI_CSV.encode()), member, member, "pmi.csv")

    assert (report.added, report.already_present) == (4, 1)
    assert Record.objects.get(person=member, title="Mentoring chapter members").activity == ""


def test_one_course_split_across_two_talent_areas_is_two_records_not_a_repeat(member) -> None:
    # PMI: a course split across areas is entered one line per area; the lines differ only in their activity.
    rows = load_upload(
        "split.jsonl",
        b'{"date": "2025-05-05", "title": "Leading agile teams", "minutes": 90, "activity": "ways_of_working"}\n'
        b'{"date": "2025-05-05", "title": "Leading agile teams", "minutes": 90, "activity": "power_skills"}\n',
    )
    report = import_records(rows, member, member, "split.jsonl")
    assert (report.added, report.already_present) == (2, 0)
    assert sorted(Record.objects.filter(person=member).values_list("activity", flat=True)) == [
        "power_skills",
        "ways_of_working",
    ]


@pytest.mark.parametrize("kind", ["csv", "json", "jsonl", "ics"])
def test_exported_records_carry_their_activity_into_another_store(kind: str, member, make_person) -> None:
    one_record(member, "Giving Back")
    one_record(member, "", title="Budget basics")
    text = render(record_rows(member), kind)
    other = make_person("sam@example.org")

    into_other = import_records(load_upload(f"x.{kind}", text.encode()), other, other, f"x.{kind}")
    into_same = import_records(load_upload(f"x.{kind}", text.encode()), member, member, f"x.{kind}")

    assert "giving_back" in text
    assert (into_other.added, into_other.ok) == (2, True)
    assert dict(Record.objects.filter(person=other).values_list("title", "activity")) == {
        "Chapter newsletter": "giving_back",
        "Budget basics": "",
    }
    assert (into_same.added, into_same.already_present) == (0, 2)


# --- the record page -------------------------------------------------------------------------------------------


def test_the_record_list_and_page_show_the_activity(client: Client, member) -> None:
    record = one_record(member, "giving_back")
    client.force_login(member)
    assert "giving_back" in client.get("/records/").content.decode()
    page = client.get(f"/records/{record.pk}/").content.decode()
    assert "<code>giving_back</code>" in page
    assert 'name="activity" value="giving_back"' in page


def test_the_member_sets_the_activity_on_the_record_page_and_history_keeps_before_and_after(
    client: Client, member
) -> None:
    record = one_record(member)
    client.force_login(member)

    response = client.post(f"/records/{record.pk}/", {"change": "activity", "activity": "Giving Back"})

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.activity == "giving_back"
    assert record.natural_key.endswith("|giving_back")
    entry = HistoryEntry.objects.get(object_type="records.record", object_id=str(record.pk), action="change activity")
    assert (entry.actor_label, entry.before["activity"], entry.after["activity"]) == (
        "pat@example.org",
        "",
        "giving_back",
    )


def test_a_malformed_activity_is_shown_beside_the_field_with_what_was_typed(client: Client, member) -> None:
    record = one_record(member, "power_skills")
    client.force_login(member)

    response = client.post(f"/records/{record.pk}/", {"change": "activity", "activity": "Giving Back!"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Giving Back!"' in page
    assert "is not an activity identifier" in page and 'role="alert"' in page
    record.refresh_from_db()
    assert record.activity == "power_skills"
    assert not HistoryEntry.objects.filter(action="change activity").exists()


def test_a_member_cannot_change_another_members_activity(client: Client, member, make_person) -> None:
    record = one_record(member, "power_skills")
    client.force_login(make_person("snoop@example.org"))

    response = client.post(f"/records/{record.pk}/", {"change": "activity", "activity": "giving_back"})

    assert response.status_code == 404
    record.refresh_from_db()
    assert record.activity == "power_skills"


def test_staff_may_change_a_members_activity_and_history_names_the_staff_member(
    client: Client, member, make_person
) -> None:
    record = one_record(member)
    client.force_login(make_person("boss@example.org", "staff"))

    assert client.post(f"/records/{record.pk}/", {"change": "activity", "activity": "giving-back"}).status_code == 302

    record.refresh_from_db()
    entry = HistoryEntry.objects.get(action="change activity", object_id=str(record.pk))
    assert (record.activity, entry.actor_label, entry.after["activity"]) == (
        "giving_back",
        "boss@example.org",
        "giving_back",
    )


def test_a_staff_change_of_activity_in_the_admin_is_normalised_keyed_and_in_history(
    client: Client, member, make_person
) -> None:
    staff = make_person("admin@example.org", "staff")
    staff.is_superuser = True
    staff.save()
    record = one_record(member)
    client.force_login(staff)

    response = client.post(
        f"/admin/records/record/{record.pk}/change/",
        {"person": member.pk, "date": "2026-03-01", "title": record.title, "minutes": 90, "format": "in_person",
         "description": "", "time_text": "", "category": "", "subject_area": "", "topic": "", "venue": "",
         "provider": "", "external_id": "", "activity": "Giving Back"},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    record.refresh_from_db()
    assert (record.activity, record.natural_key.endswith("|giving_back")) == ("giving_back", True)
    entry = HistoryEntry.objects.get(object_type="records.record", action="update", object_id=str(record.pk))
    assert (entry.actor_label, entry.before["activity"], entry.after["activity"]) == (
        "admin@example.org",
        "",
        "giving_back",
    )


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_lists_the_activity_and_null_for_none(client: Client, member) -> None:
    one_record(member, "Giving Back")
    one_record(member, title="Budget basics")
    items = client.get("/api/records", **bearer(member)).json()["items"]
    assert {i["title"]: i["activity"] for i in items} == {"Chapter newsletter": "giving_back", "Budget basics": None}


def test_the_api_sets_and_clears_the_activity_of_ones_own_record(client: Client, member) -> None:
    record = one_record(member)
    auth = bearer(member)

    set_it = client.patch(f"/api/records/{record.pk}", {"activity": "Giving Back"}, "application/json", **auth)
    clear_it = client.patch(f"/api/records/{record.pk}", {"activity": None}, "application/json", **auth)

    assert set_it.status_code == 200 and set_it.json()["activity"] == "giving_back"
    assert set_it.json()["title"] == "Chapter newsletter" and set_it.json()["minutes"] == 90
    assert clear_it.status_code == 200 and clear_it.json()["activity"] is None
    actions = HistoryEntry.objects.filter(action="change activity").order_by("id")
    assert [(e.before["activity"], e.after["activity"]) for e in actions] == [("", "giving_back"), ("giving_back", "")]


def test_the_api_refuses_a_malformed_activity_with_a_json_message(client: Client, member) -> None:
    record = one_record(member, "power_skills")
    response = client.patch(f"/api/records/{record.pk}", {"activity": "3d!"}, "application/json", **bearer(member))
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert "not an activity identifier" in response.json()["message"]
    record.refresh_from_db()
    assert record.activity == "power_skills"


def test_the_api_needs_the_activity_key_and_a_token(client: Client, member) -> None:
    record = one_record(member, "power_skills")
    missing = client.patch(f"/api/records/{record.pk}", {}, "application/json", **bearer(member))
    anonymous = client.patch(f"/api/records/{record.pk}", {"activity": "giving_back"}, "application/json")
    assert (missing.status_code, anonymous.status_code) == (422, 401)
    assert "message" in missing.json() and "message" in anonymous.json()
    record.refresh_from_db()
    assert record.activity == "power_skills"


def test_a_member_cannot_change_another_members_record_through_the_api(client: Client, member, make_person) -> None:
    record = one_record(member, "power_skills")
    snoop = make_person("snoop@example.org")
    response = client.patch(
        f"/api/records/{record.pk}", {"activity": "giving_back"}, "application/json", **bearer(snoop)
    )
    assert response.status_code == 404 and response.json()["message"] == f"no record {record.pk}"
    record.refresh_from_db()
    assert record.activity == "power_skills"


def test_staff_may_change_a_members_record_through_the_api(client: Client, member, make_person) -> None:
    record = one_record(member)
    staff = make_person("boss@example.org", "staff")
    response = client.patch(
        f"/api/records/{record.pk}", {"activity": "giving_back"}, "application/json", **bearer(staff)
    )
    assert response.status_code == 200 and response.json()["activity"] == "giving_back"


def test_a_session_patch_without_the_csrf_token_is_refused(member) -> None:
    record = one_record(member)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    response = browser.patch(f"/api/records/{record.pk}", {"activity": "giving_back"}, "application/json")
    assert response.status_code in (401, 403)
    record.refresh_from_db()
    assert record.activity == ""


def test_an_activity_that_would_make_two_records_one_is_a_409_and_changes_nothing(client: Client, member) -> None:
    rows = load_upload(
        "split.jsonl",
        b'{"date": "2025-05-05", "title": "Leading", "minutes": 90, "activity": "ways_of_working"}\n'
        b'{"date": "2025-05-05", "title": "Leading", "minutes": 90, "activity": "power_skills"}\n',
    )
    import_records(rows, member, member, "split.jsonl")
    power = Record.objects.get(person=member, activity="power_skills")

    response = client.patch(
        f"/api/records/{power.pk}", {"activity": "Ways of Working"}, "application/json", **bearer(member)
    )

    assert response.status_code == 409 and "same record with activity ways_of_working" in response.json()["message"]
    power.refresh_from_db()
    assert power.activity == "power_skills"


def test_the_openapi_document_lists_the_record_change(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "patch" in paths["/api/records/{record_id}"]


# --- the audit of stored records -------------------------------------------------------------------------------


def test_a_store_backed_pmi_audit_counts_giving_back_and_matches_the_cli_audit_of_the_file(
    tmp_path: Path, member, cli
) -> None:
    # By hand: Education 10 + 10 + 9 = 29 (each area at least 8, 6 short of 35); Giving Back 12 + 3 = 15 (under
    # its 25); total 44, 16 short of 60; the 16 more needed also cover Education's 6.
    path = tmp_path / "pmi.csv"
    path.write_text(PMI_CSV, encoding="utf-8")
    import_records(load_rows(path), member, member, str(path))

    result = progress(member, member, "pmi-pmp-renewal", dt.date.fromisoformat(PMI_END)).audit
    from_file = cli("audit", str(path), "--program", "pmi-pmp-renewal", "--as-of", PMI_END, "--format", "json")

    counted = {s.id: s.counted_hours for s in result.requirements}
    assert (counted["giving_back"], counted["education"], counted["total"]) == (15, 29, 44)
    assert result.hours_needed == 16 and not result.unused
    assert from_file.exit_code == 0, from_file.stderr
    expected = json.loads(from_file.stdout)
    expected.pop("outlook")  # the CLI adds its outlook around the audit object
    assert audit_json(result) == expected


def test_only_the_member_or_staff_may_audit_the_stored_records(member, make_person) -> None:
    one_record(member, "giving_back")
    with pytest.raises(Forbidden):
        progress(make_person("snoop@example.org"), member, "pmi-pmp-renewal", dt.date(2026, 6, 30))
    boss = make_person("boss@example.org", "staff")
    staff_view = progress(boss, member, "pmi-pmp-renewal", dt.date(2026, 6, 30)).audit
    assert {s.id: s.counted_hours for s in staff_view.requirements}["giving_back"] == 1.5


def test_the_migration_to_one_key_keeps_the_record_with_the_activity_and_writes_the_removal_to_history(
    make_person,
) -> None:
    import importlib

    from django.apps import apps
    from django.db import connection

    from certcredit.store import guards
    from certcredit.store.history.models import HistoryEntry

    migration = importlib.import_module("certcredit.store.records.migrations.0003_one_key_and_import_attempts")
    member, other = make_person("dup@example.org"), make_person("nodup@example.org")
    guards.apply(connection, "records", install=False)  # the state concurrent imports could leave before
    day = dt.date(2026, 3, 1)
    blank = Record.objects.create(person=member, date=day, minutes=60, title="Course", evidence="evidence/x.pdf")
    tagged = Record.objects.create(person=member, date=day, minutes=60, title="course", activity="giving_back")
    alone = Record.objects.create(person=other, date=day, minutes=60, title="Course")

    migration.resolve_duplicates(apps, None)
    guards.apply(connection, "records", install=True)

    assert sorted(Record.objects.values_list("pk", flat=True)) == sorted([tagged.pk, alone.pk])
    assert Record.objects.get(pk=tagged.pk).evidence.name == "evidence/x.pdf"  # moved, not lost
    removal = HistoryEntry.objects.get(action="delete", object_id=str(blank.pk))
    assert (removal.before["title"], removal.actor_label) == ("Course", "migration records 0003")


def test_the_database_refuses_a_record_without_an_activity_beside_the_same_one_with_one(make_person) -> None:
    from django.db import IntegrityError, transaction

    member = make_person("twice@example.org")
    day = dt.date(2026, 3, 1)
    Record.objects.create(person=member, date=day, minutes=60, title="Course", activity="giving_back")
    Record.objects.create(person=member, date=day, minutes=60, title="Course", activity="power_skills")
    with pytest.raises(IntegrityError, match="one_record_per_key"), transaction.atomic():
        Record.objects.bulk_create(
            [
                Record(
                    person=member,
                    date=day,
                    minutes=60,
                    title="COURSE",
                    base_key="r|2026-03-01|course|60|in_person",
                    natural_key="r|2026-03-01|course|60|in_person",
                )
            ]
        )
    assert Record.objects.filter(person=member).count() == 2
