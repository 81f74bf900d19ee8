"""Web pages: sign-in, who may see which records, the upload form and its errors, admin changes in history."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]


@pytest.fixture
def member(make_person):
    return make_person("mo@example.org")


def upload(client: Client, name: str, content: bytes):
    return client.post("/records/upload/", {"file": SimpleUploadedFile(name, content)})


def test_pages_need_a_signed_in_person(client: Client) -> None:
    for url in ("/", "/records/", "/sessions/", "/records/upload/", "/tokens/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_signing_in_with_email_and_password_shows_the_home_page(client: Client, member) -> None:
    response = client.post("/login/", {"username": "mo@example.org", "password": "a-long-test-password"}, follow=True)
    assert response.status_code == 200
    assert "Welcome, Mo" in response.content.decode()


def test_a_wrong_password_re_shows_the_form_with_an_error(client: Client, member) -> None:
    response = client.post("/login/", {"username": "mo@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "correct" in response.content.decode()  # Django's "Please enter a correct email and password"


def test_uploading_a_file_imports_the_members_own_records(client: Client, member) -> None:
    client.force_login(member)
    response = upload(client, "mine.csv", b"date,title,minutes\n2026-01-05,Drafting,90\n")
    assert response.status_code == 302
    assert list(Record.objects.filter(person=member).values_list("title", flat=True)) == ["Drafting"]
    assert "Drafting" in client.get("/records/").content.decode()


def test_a_file_of_an_unknown_kind_re_shows_the_form_with_the_error_beside_the_field(client: Client, member) -> None:
    client.force_login(member)
    response = upload(client, "mine.xlsx", b"whatever")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="field has-error"' in page and "Use a .csv, .json, .jsonl or .ics file." in page
    assert Record.objects.count() == 0


def test_an_unreadable_json_upload_names_the_problem_beside_the_field(client: Client, member) -> None:
    client.force_login(member)
    page = upload(client, "mine.json", b"[{").content.decode()
    assert "not valid JSON" in page and "has-error" in page


def test_an_upload_with_bad_rows_stores_the_good_ones_and_lists_the_bad_with_their_lines(client, member) -> None:
    client.force_login(member)
    response = upload(client, "mine.csv", b"date,title,minutes\n2026-01-05,Good,90\n,No date,60\n")
    page = response.content.decode()
    assert "1 added" in page and "line 3" in page and "no date" in page
    assert Record.objects.filter(person=member).count() == 1


def test_a_member_cannot_open_another_members_record_or_list(client: Client, member, make_person) -> None:
    other = make_person("ot@example.org")
    theirs = Record.objects.create(person=other, date="2026-01-01", minutes=60, title="Private", natural_key="k")
    client.force_login(member)
    assert client.get(f"/records/{theirs.pk}/").status_code == 404
    assert client.get("/records/?person=ot@example.org").status_code == 403
    assert "Private" not in client.get("/records/").content.decode()


def test_staff_may_list_a_members_records(client: Client, member, make_person) -> None:
    staff = make_person("st@example.org", "staff")
    Record.objects.create(person=member, date="2026-01-01", minutes=60, title="Visible to staff", natural_key="k")
    client.force_login(staff)
    assert "Visible to staff" in client.get("/records/?person=mo@example.org").content.decode()


def test_attaching_evidence_is_kept_in_history_and_served_only_to_the_owner(
    client, member, make_person, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    record = Record.objects.create(person=member, date="2026-01-01", minutes=60, title="With proof", natural_key="k")
    client.force_login(member)
    proof = SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 proof")
    assert client.post(f"/records/{record.pk}/", {"evidence": proof}).status_code == 302
    entry = HistoryEntry.objects.get(action="attach evidence", object_id=str(record.pk))
    assert entry.actor_label == "mo@example.org" and entry.before["evidence"] == ""
    assert b"".join(client.get(f"/records/{record.pk}/evidence/").streaming_content) == b"%PDF-1.4 proof"
    client.force_login(make_person("snoop@example.org"))
    assert client.get(f"/records/{record.pk}/evidence/").status_code == 404


def test_a_staff_change_in_the_admin_is_written_to_history_with_who(client: Client, member, make_person) -> None:
    staff = make_person("admin@example.org", "staff")
    staff.is_superuser = True
    staff.save()
    record = Record.objects.create(person=member, date="2026-01-01", minutes=60, title="Old title", natural_key="k")
    client.force_login(staff)
    response = client.post(
        f"/admin/records/record/{record.pk}/change/",
        {"person": member.pk, "date": "2026-01-01", "title": "New title", "minutes": 60, "format": "in_person",
         "description": "", "time_text": "", "category": "", "subject_area": "", "topic": "", "venue": "",
         "provider": "", "external_id": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = HistoryEntry.objects.get(object_type="records.record", action="update")
    assert (entry.actor_label, entry.before["title"], entry.after["title"]) == (
        "admin@example.org",
        "Old title",
        "New title",
    )


def test_an_unknown_page_outside_the_api_is_an_html_404(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_upload_over_the_size_limit_is_refused_beside_the_field(client: Client, member, settings) -> None:
    settings.FILE_UPLOAD_MAX_BYTES = 10
    client.force_login(member)
    page = upload(client, "mine.csv", b"date,title,minutes\n2026-01-05,Drafting,90\n").content.decode()
    assert "larger than" in page and "has-error" in page
    assert Record.objects.count() == 0


def test_a_staff_member_may_use_the_admin_and_a_member_may_not(client: Client, member, make_person) -> None:
    client.force_login(make_person("desk@example.org", "staff"))
    assert client.get("/admin/records/record/").status_code == 200
    assert client.get("/admin/history/historyentry/").status_code == 200
    client.force_login(member)
    assert client.get("/admin/records/record/").status_code == 302  # to the admin's sign-in
