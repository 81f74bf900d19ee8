"""Import scenarios run in a separate process against a real store (``DATABASE_URL``), printing JSON.

    python -m tests.integration.import_scenarios migrate EMAIL
    python -m tests.integration.import_scenarios concurrent EMAIL FILE...

``concurrent`` imports every FILE for one person at once, one thread (and one database connection) each, all
released together; it prints how each import ended and what the store then holds. Tests run it in a process
of its own because SQLite's in-memory test database cannot be shared between connections.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path


def migrate(email: str) -> dict[str, object]:
    from django.core.management import call_command

    from certcredit.services.people import ensure_person

    call_command("migrate", verbosity=0)
    person, _ = ensure_person(email)
    return {"person": person.pk}


def concurrent(email: str, files: list[str]) -> dict[str, object]:
    from django.db import connection

    from certcredit.services.imports import import_records, stream_rows
    from certcredit.services.people import find_person
    from certcredit.store.records.models import ImportRun, Record

    person = find_person(email)
    barrier = threading.Barrier(len(files))
    outcomes: dict[str, dict[str, object]] = {}

    def run(path: str) -> None:
        from django.db import connection as own

        try:
            rows = stream_rows(path)
            barrier.wait()
            report = import_records(rows, person, None, Path(path).name)
            outcomes[path] = {
                "ok": True,
                "rows": report.rows,
                "added": report.added,
                "already_present": report.already_present,
                "rejected": len(report.rejected),
                "attempts": report.attempts,
            }
        except Exception as error:  # the scenario reports every failure instead of stopping at the first
            outcomes[path] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        finally:
            own.close()

    threads = [threading.Thread(target=run, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = list(Record.objects.filter(person=person).values_list("base_key", "activity"))
    result = {
        "vendor": connection.vendor,
        "imports": outcomes,
        "stored": len(stored),
        "bases": len({base for base, _activity in stored}),
        "runs": sorted(ImportRun.objects.filter(person=person).values_list("status", flat=True)),
    }
    connection.close()
    return result


def main(argv: list[str]) -> None:
    from certcredit.web import setup

    setup()
    command, email, *files = argv
    result = migrate(email) if command == "migrate" else concurrent(email, files)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
