"""Benchmark: import a generated 10,000-row records CSV (5 % bad rows) and re-import it; prints seconds.

Runs against a throw-away test database on the configured store (SQLite, or PostgreSQL via DATABASE_URL):
    .venv/bin/python bench/imports.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from certcredit.web import setup

    setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from tests.integration.test_imports import write_records_csv

    from certcredit.services.imports import import_records, load_rows
    from certcredit.services.people import ensure_person

    databases = setup_databases(verbosity=0, interactive=False)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "records.csv"
            write_records_csv(path, 10_000, 0.05)
            person, _ = ensure_person("bench@example.org")
            started = time.perf_counter()
            rows = load_rows(path)
            read = time.perf_counter() - started
            report = import_records(rows, person, None, str(path))
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = import_records(load_rows(path), person, None, str(path))
            second = time.perf_counter() - started
        print(f"store: {connection.vendor}")
        print(f"10,000 rows read in {read:.2f} s; import ({report.added} added, {len(report.rejected)} rejected) "
              f"in {first:.2f} s; re-import ({again.added} added) in {second:.2f} s")  # fmt: skip
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
