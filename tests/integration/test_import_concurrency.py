"""Imports against a real store from other processes: many at once for one person, and one killed half-way.

On SQLite each test gets a migrated database file of its own (the in-memory test database cannot be shared
with another process); on PostgreSQL (``make test``'s second run) the test database itself, committed.
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.integration.test_imports import write_records_csv

pytestmark = [pytest.mark.store, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "robin@example.org"
ACTIVITIES = ("giving_back", "ways_of_working", "power_skills", "business_acumen")


class Store:
    """The store a subprocess works on, and plain SQL on it from the test."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = dict(os.environ)
        if connection.vendor == "sqlite":
            self.file = tmp_path / "store.sqlite3"
            self.env["DATABASE_URL"] = f"sqlite:///{self.file}"
            self.scenario("migrate", EMAIL)
        else:
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.env["DATABASE_URL"] = f"postgresql://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
            from certcredit.services.people import ensure_person

            ensure_person(EMAIL)

    def scenario(self, *args: str) -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-m", "tests.integration.import_scenarios", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def query(self, sql: str) -> list[tuple[object, ...]]:
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.file, timeout=20) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def writing_records(self, wal_before: int) -> bool:
        """Another process's open transaction is writing records: on PostgreSQL it holds the lock an INSERT or COPY
        into the records table takes; on SQLite its uncommitted pages have grown the write-ahead log by over 256 KB
        since ``wal_before`` bytes (``wal_size``)."""
        if connection.vendor == "sqlite":
            return self.wal_size() > wal_before + (256 << 10)
        return bool(
            self.query(
                "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'records_record'"
                " AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()"
            )
        )

    def wal_size(self) -> int:
        if connection.vendor != "sqlite":
            return 0
        wal = Path(f"{self.file}-wal")
        return wal.stat().st_size if wal.exists() else 0


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path)


def overlapping_files(folder: Path, files: int, rows: int, courses: int, seed: int = 11) -> int:
    """``files`` record files drawn from one pool of ``courses`` courses, half with an ``activity`` column
    (each course always with the same activity); returns how many distinct courses they hold together."""
    rng = random.Random(seed)
    pool = [
        {
            "date": f"2025-{c % 12 + 1:02d}-{c % 28 + 1:02d}",
            "title": f"Course {c}",
            "minutes": str(30 + c % 150),
            "format": ("in_person", "live_online")[c % 2],
            "activity": ACTIVITIES[c % len(ACTIVITIES)],
        }
        for c in range(courses)
    ]
    used: set[int] = set()
    for number in range(files):
        chosen = rng.sample(range(courses), rows)
        used.update(chosen)
        columns = ["date", "title", "minutes", "format"] + (["activity"] if number % 2 else [])
        with (folder / f"part{number:02d}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, columns, extrasaction="ignore")
            writer.writeheader()
            for c in chosen:
                row = dict(pool[c])
                if number % 4 == 3:
                    row["title"] = row["title"].upper()  # the same course, written another way
                writer.writerow(row)
    return len(used)


def test_sixteen_overlapping_imports_for_one_person_at_once_store_each_course_once_and_none_fails(
    store: Store, tmp_path: Path
) -> None:
    distinct = overlapping_files(tmp_path, files=16, rows=300, courses=700)
    files = sorted(str(p) for p in tmp_path.glob("part*.csv"))

    result = store.scenario("concurrent", EMAIL, *files)

    imports = result["imports"]
    assert [name for name, outcome in imports.items() if not outcome["ok"]] == []
    assert result["stored"] == distinct
    assert result["bases"] == distinct  # no course stored both with and without its activity
    assert sum(outcome["added"] for outcome in imports.values()) == distinct
    assert all(o["added"] + o["already_present"] == o["rows"] == 300 for o in imports.values())
    assert result["runs"] == ["finished"] * 16


def test_a_killed_import_leaves_its_started_run_and_none_of_its_records(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    write_records_csv(path, 150_000, 0.0)
    command = [str(ROOT / ".venv" / "bin" / "certcredit"), "import", "records", str(path), "--person", EMAIL]
    if not Path(command[0]).exists():
        command[0:1] = [sys.executable, "-m", "certcredit"]
    wal_before = store.wal_size()
    process = subprocess.Popen(command, env=store.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # killed once its one transaction is writing records (not after a fixed time, which a fast machine could
        # outrun and a slow one not reach): 150,000 rows take several seconds more
        deadline = time.monotonic() + 300
        while not (store.query("SELECT id FROM records_importrun") and store.writing_records(wal_before)):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the import did not begin writing records within 300 s"
            time.sleep(0.02)
        assert process.poll() is None, "the import ended before it could be killed: give it a bigger file"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert store.query("SELECT status, added FROM records_importrun") == [("started", 0)]
    assert store.query("SELECT COUNT(*) FROM records_record") == [(0,)]
    assert store.query("SELECT COUNT(*) FROM history_historyentry WHERE object_type = 'records.record'") == [(0,)]
