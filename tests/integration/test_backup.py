"""``certcredit backup`` and ``restore``: a round trip gives back every row and every uploaded file.

The store under test (SQLite, or PostgreSQL on the second run of ``make test``) is backed up in-process; the
backup is restored by the command, in a subprocess, into a new database of the same kind (a new SQLite file, or a
new PostgreSQL database on the same server), backed up again from there, and the two backups compared row by row
and file by file."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from certcredit.services.backups import DATA, DATA_BY_KEY, MANIFEST, BackupError, backup, restore
from certcredit.services.decisions import decide
from certcredit.services.imports import import_records, load_upload
from certcredit.services.records import attach_evidence
from certcredit.services.tokens import create_token
from certcredit.store.accounts.models import ApiToken
from certcredit.store.catalog.models import Session
from certcredit.store.records.models import Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]

BIN = Path(sys.executable).parent
RECORDS = """id,date,title,minutes,category
w1,2025-09-10,Plain writing,120,writing
talk,2025-11-01,Leading teams,90,
"""


@pytest.fixture
def stocked(make_person, settings, tmp_path: Path):
    """A member with records (one linked to a decided session), evidence, an API token and their history."""
    settings.MEDIA_ROOT = tmp_path / "media"
    session = Session.objects.create(
        title="Leading teams", date="2025-11-01", minutes=90, natural_key="2025-11-01|Leading teams"
    )
    member = make_person("mo@example.org")
    make_person("desk@example.org", "staff")
    assert import_records(load_upload("mine.csv", RECORDS.encode()), member, member, "mine.csv").ok
    decide(None, session, "evaluated", "qualifies", "communication", "CM", confidence=0.875, analysis="clear")
    record = Record.objects.get(person=member, external_id="w1")
    attach_evidence(member, record, SimpleUploadedFile("proof.pdf", b"%PDF-1.4 proof \x00\xff"))
    token, _plain = create_token(member, "laptop")
    # a time under a millisecond past the second: Django's own JSON would round it away
    used = dt.datetime(2026, 5, 4, 3, 2, 1, 412, tzinfo=dt.UTC)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=used)
    return member


def rows(archive: Path) -> dict[tuple[str, object], dict]:
    with tarfile.open(archive, "r:gz") as opened:
        found = {}
        for name in (DATA_BY_KEY, DATA):
            member = opened.extractfile(name)
            assert member is not None
            for row in json.loads(member.read()):
                found[(row["model"], row.get("pk"))] = row["fields"]
        return found


def media(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as opened:
        return {
            m.name: opened.extractfile(m).read()  # type: ignore[union-attr]
            for m in opened.getmembers()
            if m.name.startswith("media/") and m.isfile()
        }


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a new, empty database of the kind under test (and a new media folder)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CERTCREDIT_DEBUG")}
    env.update(CERTCREDIT_VAR=str(tmp_path / "restored"), CERTCREDIT_MEDIA=str(tmp_path / "restored-media"))
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    name = "certcredit_restore_" + secrets.token_hex(4)
    server = os.environ["DATABASE_URL"]  # a connection of its own: CREATE DATABASE runs outside transactions
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunparse(urlparse(server)._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_new_database_gives_back_every_row_and_file(
    stocked, empty_store: dict[str, str], tmp_path: Path
) -> None:
    first = tmp_path / "first.tar.gz"
    report = backup(first)
    assert first.stat().st_mode & 0o777 == 0o600  # password hashes inside: the owner's only
    assert report.rows["records.Record"] == 2 and report.rows["history.HistoryEntry"] >= 4 and report.media_files == 1

    run = {"env": empty_store, "cwd": tmp_path, "capture_output": True, "text": True, "timeout": 300}
    restored = subprocess.run([BIN / "certcredit", "restore", str(first)], **run)  # type: ignore[call-overload]
    assert restored.returncode == 0, restored.stderr
    assert f"{report.total_rows} rows restored" in restored.stdout
    second = tmp_path / "second.tar.gz"
    again = subprocess.run([BIN / "certcredit", "backup", str(second)], **run)  # type: ignore[call-overload]
    assert again.returncode == 0, again.stderr

    assert rows(second) == rows(first)
    tokens = [fields for (model, _pk), fields in rows(second).items() if model == "accounts.apitoken"]
    assert [t["last_used_at"] for t in tokens] == ["2026-05-04T03:02:01.000412Z"]
    assert (
        media(second)
        == media(first)
        == {f"media/{Record.objects.get(external_id='w1').evidence.name}": b"%PDF-1.4 proof \x00\xff"}
    )
    evidence = Path(empty_store["CERTCREDIT_MEDIA"]) / Record.objects.get(external_id="w1").evidence.name
    assert evidence.read_bytes() == b"%PDF-1.4 proof \x00\xff"


def test_a_restore_into_a_database_that_holds_data_changes_nothing(stocked, tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    backup(archive)
    before = rows(archive)
    with pytest.raises(BackupError, match=r"the database is not empty .*nothing was changed"):
        restore(archive)
    backup(archive)
    assert rows(archive) == before


def test_a_media_file_that_would_leave_the_media_folder_is_refused_before_anything_is_restored(
    stocked, tmp_path: Path
) -> None:
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as made:
        for name, data in (
            (MANIFEST, json.dumps({"format": 1, "rows": {}}).encode()),
            (DATA, b"[]"),
            (DATA_BY_KEY, b"[]"),
            ("media/../../outside.txt", b"x"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            made.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match="outside the media folder"):
        restore(archive)
    assert not (tmp_path / "outside.txt").exists()


def test_a_file_that_is_not_a_backup_is_named_in_the_error(cli, tmp_path: Path) -> None:
    other = tmp_path / "notes.tar.gz"
    with tarfile.open(other, "w:gz") as made:
        info = tarfile.TarInfo("notes.txt")
        made.addfile(info, io.BytesIO(b""))
    result = cli("restore", str(other))
    assert result.exit_code == 1 and f"{other}: not a certcredit backup" in result.stderr
    result = cli("restore", str(tmp_path / "missing.tar.gz"))
    assert result.exit_code == 1 and "cannot read the backup" in result.stderr
