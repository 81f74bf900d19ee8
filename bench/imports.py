"""Benchmark: record imports, the 10,000-row figure beside 1,000,000 rows, on SQLite and PostgreSQL.

    .venv/bin/python bench/imports.py                      # SQLite; PostgreSQL too when DATABASE_URL names one
    .venv/bin/python bench/imports.py --rows 200000 --rounds 1
    .venv/bin/python bench/imports.py --against /path/to/other/checkout/src   # A B A B against another tree

Each import runs in a fresh process on a fresh, migrated database (SQLite: a file in a temporary folder;
PostgreSQL: a database ``certcredit_bench`` made on the server DATABASE_URL names), so its peak resident memory
(``ru_maxrss``) is the import's own. CPU is the importing process's own time (the database server's is not in
it); on a busy machine wall time is the figure that drifts. Rounds alternate the baseline (10,000 rows, 5 % bad,
then re-imported: the old figure) and the large file, A B A B. Prints seconds, rows per second and peak RSS.

With ``--against OTHER/src`` the rounds alternate the large file imported by that other source tree (e.g. a
checkout of main: ``git worktree add /tmp/main main``) and by this one, A B A B, instead of the 10,000-row
baseline. CPU is user + system time of the importing process, all its threads; on PostgreSQL the server's
backend that served the import is read from ``/proc`` too (when the server runs on this machine).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EMAIL = "bench@example.org"


def measure(path: str) -> None:
    """In the child: migrate, import ``path`` (and import it again when it is the baseline), print JSON."""
    from certcredit.web import setup

    setup()
    from django.core.management import call_command
    from django.db import connection

    from certcredit.services.imports import import_records, stream_rows
    from certcredit.services.people import ensure_person

    call_command("migrate", verbosity=0)
    person, _ = ensure_person(EMAIL)
    backend = _backend_cpu() if connection.vendor == "postgresql" else None
    started, cpu = time.perf_counter(), time.process_time()
    report = import_records(stream_rows(path), person, None, Path(path).name)
    first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    server = _backend_cpu() - backend if backend is not None else None
    started = time.perf_counter()
    again = import_records(stream_rows(path), person, None, Path(path).name)
    second = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"store": connection.vendor, "rows": report.rows, "added": report.added,
                      "rejected": len(report.rejected), "seconds": first, "cpu": first_cpu, "again_added": again.added,
                      "again_seconds": second, "peak_mb": peak, "server_cpu": server}))  # fmt: skip


def _backend_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far, 0.0 if it cannot be read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write_csv(path: Path, rows: int, bad_share: float) -> None:
    from tests.integration.test_imports import write_records_csv

    write_records_csv(path, rows, bad_share)


def fresh_store(kind: str, folder: Path, pg_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if kind == "sqlite":
        target = folder / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{target}"
        return env
    assert pg_url is not None
    import psycopg

    parts = urlparse(pg_url)
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS certcredit_bench WITH (FORCE)")
        db.execute("CREATE DATABASE certcredit_bench")
    env["DATABASE_URL"] = urlunparse(parts._replace(path="/certcredit_bench"))
    return env


def run(kind: str, path: Path, folder: Path, pg_url: str | None, source: str | None = None) -> dict[str, object]:
    env = fresh_store(kind, folder, pg_url)
    if source:  # another tree's code first on the path
        env["PYTHONPATH"] = os.pathsep.join([source, *filter(None, [env.get("PYTHONPATH")])])
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(path)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} import of {path.name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def server_cpu(r: dict[str, object]) -> str:
    return f"; server CPU {r['server_cpu']:.2f} s" if r.get("server_cpu") is not None else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large file (no bad rows)")
    parser.add_argument("--rounds", type=int, default=2, help="A B rounds per store")
    parser.add_argument("--stores", default="sqlite,postgresql", help="which stores (PostgreSQL needs DATABASE_URL)")
    parser.add_argument("--against", help="another tree's src folder to time beside this one (A B A B)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    from certcredit.web import setup

    setup()
    url = os.environ.get("DATABASE_URL", "")
    pg_url = url if url.startswith(("postgres://", "postgresql://")) else None
    wanted = args.stores.split(",")
    stores = [k for k in ("sqlite", "postgresql") if k in wanted and (k == "sqlite" or pg_url)]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        baseline, large = folder / "records-10k.csv", folder / f"records-{args.rows}.csv"
        write_csv(baseline, 10_000, 0.05)
        write_csv(large, args.rows, 0.0)
        print(f"large file: {args.rows:,} rows, {large.stat().st_size / 1e6:.0f} MB; cores: {os.cpu_count()}")
        for kind in stores:
            for round_number in range(1, args.rounds + 1):
                runs = [("10,000 rows (baseline)", baseline, None), (f"{args.rows:,} rows", large, None)]
                if args.against:
                    runs = [
                        (f"{args.rows:,} rows, other tree", large, args.against),
                        (f"{args.rows:,} rows", large, None),
                    ]
                for label, path, source in runs:
                    r = run(kind, path, folder, pg_url, source)
                    rate = r["rows"] / r["seconds"] if r["seconds"] else 0.0
                    print(f"{kind:10} round {round_number} {label:24} import {r['seconds']:7.2f} s "
                          f"(CPU {r['cpu']:6.2f} s; {rate:9,.0f} rows/s, {r['added']:,} added, "
                          f"{r['rejected']:,} rejected){server_cpu(r)}; re-import {r['again_seconds']:6.2f} s "
                          f"({r['again_added']} added); peak RSS {r['peak_mb']:.0f} MB", flush=True)  # fmt: skip
        if not pg_url:
            print("PostgreSQL skipped: set DATABASE_URL=postgresql://... (scripts/pg.sh url) to measure it too")


if __name__ == "__main__":
    main()
