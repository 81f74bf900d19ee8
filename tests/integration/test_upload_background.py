"""Large record files uploaded on the web page are imported by the background worker, with a page that follows
the import; small ones are still imported in the request."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certcredit.store.records.models import ImportRun, Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]


def records_csv(rows: int) -> bytes:
    lines = ["date,title,minutes"] + [f"2026-01-{i % 28 + 1:02d},Session {i},60" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_connection(monkeypatch) -> None:
    """The worker closes a connection that is inside a transaction (as the test's is), as Django's request
    signals would; tests keep it, as Django's test client does for requests."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)


@pytest.fixture
def member(make_person, client: Client, settings, tmp_path):
    settings.UPLOAD_INLINE_BYTES = 1_000
    settings.UPLOAD_INLINE_ROWS = 20
    settings.UPLOAD_DIR = tmp_path / "uploads"
    person = make_person("big@example.org")
    client.force_login(person)
    return person


def upload(client: Client, content: bytes, name: str = "records.csv"):
    return client.post("/records/upload/", {"file": SimpleUploadedFile(name, content)})


def test_a_large_upload_waits_for_the_worker_and_its_page_shows_the_result(client, member, cli, settings) -> None:
    response = upload(client, records_csv(120))

    assert response.status_code == 302 and response["Location"].startswith("/records/upload/")
    page = client.get(response["Location"])
    assert "waiting for the importer" in page.content.decode() and Record.objects.count() == 0

    result = cli("worker", "--batch")

    assert result.exit_code == 0, result.output
    page = client.get(response["Location"]).content.decode()
    assert "120 added, 0 already there, 0 not imported" in page
    assert Record.objects.filter(person=member).count() == 120
    assert ImportRun.objects.get().status == "finished"
    assert list(settings.UPLOAD_DIR.iterdir()) == []  # the kept file is gone once imported


def test_a_small_file_with_more_rows_than_a_request_may_import_goes_to_the_worker_too(client, member) -> None:
    content = records_csv(25)[:990] + b"\n"
    assert len(content) < 1_000

    response = upload(client, content)

    assert response.status_code == 302 and response["Location"].startswith("/records/upload/")
    assert Record.objects.count() == 0


def test_a_small_file_is_still_imported_in_the_request(client, member) -> None:
    response = upload(client, records_csv(5))

    assert response.status_code == 302 and response["Location"] == "/records/"
    assert Record.objects.filter(person=member).count() == 5


def test_someone_else_cannot_see_a_members_import_page(client, member, make_person) -> None:
    location = upload(client, records_csv(120))["Location"]
    client.force_login(make_person("nosy@example.org"))

    assert client.get(location).status_code == 404


def test_a_file_over_the_upload_limit_is_refused_with_a_message(client, member, settings) -> None:
    settings.FILE_UPLOAD_MAX_BYTES = 2_000

    response = upload(client, records_csv(200))

    assert response.status_code == 200 and Record.objects.count() == 0
    assert "too big" in response.content.decode().lower() or "at most" in response.content.decode()
