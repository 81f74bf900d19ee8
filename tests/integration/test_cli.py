"""The store's CLI commands: demo (idempotent), token create, export then re-import adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from certcredit.services.tokens import person_for_token
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Decision, Program, Session
from certcredit.store.records.models import Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]


def test_demo_prints_the_logins_and_a_second_run_adds_nothing(cli) -> None:
    first = cli("demo")
    counts = (Person.objects.count(), Session.objects.count(), Record.objects.count(), Decision.objects.count())
    second = cli("demo")

    assert first.exit_code == second.exit_code == 0
    for login in ("member@example.org", "member-demo-pass", "staff@example.org", "staff-demo-pass"):
        assert login in first.stdout
    assert "already there" in second.stdout
    # 7 past sessions (3 designated, 4 decided by the evaluator) and 15 upcoming ones, all designated
    assert counts == (4, 22, 5, 22)
    assert (Person.objects.count(), Session.objects.count(), Record.objects.count(), Decision.objects.count()) == counts
    assert sorted(Program.objects.values_list("id", flat=True)) == [
        "clm-application",
        "clm-application-specialist",
        "clm-recertification",
        "clrm",
    ]
    linked = Record.objects.filter(session__isnull=False).values_list("title", "session__title")
    assert len(linked) == 3 and all(title == session for title, session in linked)
    staff = Person.objects.get(email="staff@example.org")
    assert staff.roles == ["staff"] and staff.is_staff and staff.check_password("staff-demo-pass")


def test_token_create_prints_a_token_that_signs_in_as_that_person(cli, make_person) -> None:
    make_person("tok@example.org")
    result = cli("token", "create", "tok@example.org")
    assert result.exit_code == 0
    assert person_for_token(result.stdout.strip()).email == "tok@example.org"
    assert cli("token", "create", "nobody@example.org").exit_code == 2


@pytest.mark.parametrize("suffix", ["csv", "json", "jsonl", "ics"])
def test_exported_sessions_and_records_re_imported_add_nothing(cli, suffix: str, tmp_path: Path) -> None:
    cli("demo")
    sessions_file, records_file = tmp_path / f"sessions.{suffix}", tmp_path / f"records.{suffix}"
    assert cli("export", "sessions", str(sessions_file)).exit_code == 0
    assert cli("export", "records", str(records_file), "--person", "member@example.org").exit_code == 0

    sessions = cli("import", "sessions", str(sessions_file), "--json")
    records = cli("import", "records", str(records_file), "--person", "member@example.org", "--json")

    assert sessions.exit_code == 0, sessions.stderr
    assert records.exit_code == 0, records.stderr
    assert '"added": 0, "already_present": 22' in sessions.stdout
    assert '"added": 0, "already_present": 5' in records.stdout


def test_an_import_that_collides_with_another_one_says_so_and_exits_1(cli, make_person, tmp_path, monkeypatch):
    from django.db import IntegrityError

    from certcredit.services import imports

    def colliding(*_args, **_kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(imports, "import_records", colliding)
    make_person("col@example.org")
    path = tmp_path / "records.csv"
    path.write_text("date,title,minutes\n2026-01-05,Drafting,90\n")
    result = cli("import", "records", str(path), "--person", "col@example.org")
    assert result.exit_code == 1
    assert "nothing was kept" in result.stderr
