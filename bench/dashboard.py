"""Benchmark: the staff dashboard on PostgreSQL for N members with R records each (default 10,000 x 200).

    CERTCREDIT_PG_PORT=54337 .venv/bin/python bench/dashboard.py [--people 10000] [--records 200] [--rounds 200]
        [--reaudit] [--careful-every K]

Builds the data in a database ``certcredit_bench_dashboard`` on the server ``scripts/pg.sh`` runs (started when
needed; the data is kept for the next run and built again with ``--rebuild`` or another size): the members, their
records (COPY), a CLM credential for a third of them (some lapsed, some ending within 90 days), then the standings
by the real re-audit of everyone (the background task's function, timed). Then it times the dashboard page at
each filter, its CSV export and, as the baseline measured in the same run, ``GET /api/me``, alternating
(A B A B) through Django's test client in this process: p50, p95 and p99 in milliseconds. Figures only: nothing
here asserts a time.

``--reaudit`` first times the re-audit of everyone both ways on the same data, in the same run: the background
task's function (the batch engine's fast lane, standings written in bulk), then the careful per-person path the
task took before (``standings.refresh_person`` for each person: the full audit with its outlook, one transaction
each), then the task again (A B A); it prints the seconds and people per second of each, and whether the careful
path wrote the same standings as the fast one. ``--careful-every K`` runs the careful path on every K-th person
only (its figure is then per person, beside the fast path's on the same people).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DB = "certcredit_bench_dashboard"
CATEGORIES = ["writing", "communication", "self_management", "information_technology", "organizational_development"]
FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Max", "Nia", "Oto"]
LAST = ["Smith", "Okafor", "Garcia", "Nguyen", "Khan", "Rossi", "Novak", "Silva", "Berg", "Moreau", "Tanaka"]


def server_url() -> str:
    env = {**os.environ, "CERTCREDIT_PG_PORT": os.environ.get("CERTCREDIT_PG_PORT", "54337")}
    subprocess.run([str(ROOT / "scripts" / "pg.sh"), "start"], check=True, env=env)
    url = subprocess.run([str(ROOT / "scripts" / "pg.sh"), "url"], check=True, env=env, capture_output=True, text=True)
    return url.stdout.strip()


def setup_django(url: str) -> None:
    import psycopg

    base, _, _name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone():
            conn.execute(f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"{base}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certcredit.web.settings")
    os.environ.setdefault("CERTCREDIT_VAR", str(ROOT / "var" / "bench-dashboard"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def built(people: int, records: int) -> bool:
    from certcredit.store.accounts.models import Person
    from certcredit.store.records.models import Record
    from certcredit.store.standings.models import Standing

    have = Person.objects.filter(email__startswith="bench-").exclude(email="bench-staff@example.org").count()
    return have == people and Record.objects.count() == people * records and Standing.objects.count() > 0


def wipe() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'django_migrations'"
        )
        tables = [name for (name,) in cursor.fetchall()]
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


def build(people: int, records: int, seed: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from certcredit.services.credentials import new_code
    from certcredit.services.people import ensure_person
    from certcredit.store.accounts.models import Person, Role, RoleGrant
    from certcredit.store.credentials.models import Credential

    rng = random.Random(seed)
    today = dt.date.today()
    started = time.perf_counter()
    wipe()
    ensure_person("bench-staff@example.org", "Bench Staff", "bench-staff-pass", (Role.STAFF,))
    unusable = make_password(None)
    with transaction.atomic():
        made = Person.objects.bulk_create(
            [
                Person(
                    email=f"bench-{n:05d}@example.org",
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}",
                    password=unusable,
                )
                for n in range(people)
            ],
            batch_size=2000,
        )
        RoleGrant.objects.bulk_create([RoleGrant(person=p, role=Role.MEMBER) for p in made], batch_size=2000)
    print(f"  {people} members in {time.perf_counter() - started:.1f} s", flush=True)
    now = timezone.now()
    columns = ("person_id", "date", "title", "description", "minutes", "time_text", "format", "category",
               "subject_area", "topic", "venue", "provider", "activity", "evidence", "external_id", "natural_key",
               "base_key", "source_file", "source_line", "created_at")  # fmt: skip
    started = time.perf_counter()
    for start in range(0, len(made), 500):
        copying = f"COPY records_record ({', '.join(columns)}) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(copying) as copy:
            for person in made[start : start + 500]:
                # a pace of its own for each person: some far ahead, some who stopped years ago
                span = rng.choice([400, 900, 1500, 3000])
                stopped = rng.choice([0, 0, 0, 300, 800])
                for n in range(records):
                    day = today - dt.timedelta(days=stopped + rng.randint(1, span))
                    category = rng.choice(CATEGORIES) if rng.random() < 0.8 else ""
                    key = f"bench|{person.pk}|{n}"
                    copy.write_row((person.pk, day, f"Course {n % 40}", "", rng.choice([30, 60, 90, 120]), "",
                                        "in_person", category, "", "", "", "", "", "", f"b{n}", key, key,
                                        "bench.csv", str(n + 1), now))  # fmt: skip
    print(f"  {people * records} records in {time.perf_counter() - started:.1f} s", flush=True)
    # a third hold the CLM: most certified with their cycle ending in 0-3 years, some lapsed
    credentials = []
    for person in made[::3]:
        lapsed = rng.random() < 0.15
        ends = today + dt.timedelta(days=rng.randint(-400, -1) if lapsed else rng.randint(1, 3 * 365))
        credentials.append(Credential(person=person, family="clm", status="lapsed" if lapsed else "certified",
                                      code=new_code(), certified_on=ends - dt.timedelta(days=3 * 365),
                                      anniversary=ends, cycle=1, valid_until=ends))  # fmt: skip
    Credential.objects.bulk_create(credentials, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def reaudit() -> float:
    from certcredit.services import standings
    from certcredit.store.accounts.models import Person
    from certcredit.store.standings.models import Reaudit

    staff = Person.objects.get(email="bench-staff@example.org")
    run = Reaudit.objects.create(started_by=staff)
    started = time.perf_counter()
    standings.reaudit_everyone.call(run.pk)
    return time.perf_counter() - started


def careful(ids: list[int]) -> float:
    """The re-audit as the task ran it before: each person's careful audit and standing, one at a time."""
    from certcredit.services import standings
    from certcredit.store.accounts.models import Person

    started = time.perf_counter()
    for start in range(0, len(ids), 200):
        people = Person.objects.in_bulk(ids[start : start + 200])
        for pk in ids[start : start + 200]:
            standings.refresh_person(people[pk])
    return time.perf_counter() - started


def snapshot(ids: list[int] | None = None) -> dict[int, tuple[Any, ...]]:
    from certcredit.store.standings.models import Standing

    fields = ("program", "status", "counted_hours", "required_hours", "hours_needed", "deadline", "as_of", "records")
    rows = Standing.objects.all() if ids is None else Standing.objects.filter(person_id__in=ids)
    return {row[0]: row[1:] for row in rows.values_list("person_id", *fields)}


def compare_reaudits(every: int) -> None:
    from certcredit.services import standings

    ids = list(standings.everyone().values_list("pk", flat=True))
    sample = ids[::every]
    print(f"re-audit of everyone, {len(ids)} people; the careful path on {len(sample)} of them", flush=True)
    fast = [reaudit()]
    print(f"  A fast lane (the task), everyone:      {fast[-1]:8.1f} s  {len(ids) / fast[-1]:8.1f} people/s",
          flush=True)  # fmt: skip
    after_fast = snapshot(sample)
    seconds = careful(sample)
    print(f"  B careful, one person at a time:       {seconds:8.1f} s  {len(sample) / seconds:8.1f} people/s",
          flush=True)  # fmt: skip
    same = snapshot(sample) == after_fast
    fast.append(reaudit())
    print(f"  A fast lane (the task), everyone:      {fast[-1]:8.1f} s  {len(ids) / fast[-1]:8.1f} people/s",
          flush=True)  # fmt: skip
    per_fast = min(fast) / len(ids) * 1000
    per_careful = seconds / len(sample) * 1000
    print(f"  per person: fast {per_fast:.2f} ms, careful {per_careful:.1f} ms ({per_careful / per_fast:.0f}x); "
          f"careful path wrote the same standings as the fast lane: {same}", flush=True)  # fmt: skip
    timed_lanes = reaudit_paths()
    print(f"  people by path in the fast re-audit: {timed_lanes}", flush=True)


def reaudit_paths() -> dict[str, int]:
    from certcredit.services import reaudit, standings

    lanes = reaudit.Lanes()
    ids = list(standings.everyone().values_list("pk", flat=True))[:500]
    for start in range(0, len(ids), reaudit.CHUNK):
        reaudit.assess_chunk(ids[start : start + reaudit.CHUNK], dt.date.today(), lanes)
    return {f"{k} (of the first {len(ids)})": v for k, v in lanes.paths.items()}


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {q[49]:7.1f}  p95 {q[94]:7.1f}  p99 {q[98]:7.1f} ms"


def timed(client: Any, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    size = len(b"".join(response.streaming_content)) if response.streaming else len(response.content)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, size


def measure(rounds: int) -> None:
    from django.db import connection
    from django.test import Client

    from certcredit.store.accounts.models import Person
    from certcredit.store.standings.models import Standing

    client = Client()
    client.force_login(Person.objects.get(email="bench-staff@example.org"))
    counts = dict(Standing.objects.values_list("status").annotate(n=__import__("django").db.models.Count("id")))
    print(f"standings: {Standing.objects.count()} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
    pages = [
        ("page, no filter", "/staff/"),
        ("page, behind", "/staff/?status=behind"),
        ("page, recertification + expiring", "/staff/?program=clm-recertification&status=expiring"),
        ("page, search 'okafor'", "/staff/?q=okafor"),
        ("page, behind, page 40", "/staff/?status=behind&page=40"),
    ]
    exports = [
        ("CSV, behind", "/staff/export.csv?status=behind"),
        ("CSV, recertification + expiring", "/staff/export.csv?program=clm-recertification&status=expiring"),
    ]
    baseline = ("baseline GET /api/me", "/api/me")
    for _ in range(10):  # warm: templates, connections, caches
        for _, url in [*pages, *exports, baseline]:
            timed(client, url)
    print(f"PostgreSQL {connection.pg_version}; {rounds} rounds per page, each beside a baseline request")
    for label, url, n in [*[(a, b, rounds) for a, b in pages], *[(a, b, max(20, rounds // 5)) for a, b in exports]]:
        mine, base, size = [], [], 0
        for _ in range(n):  # A B A B
            elapsed, size = timed(client, url)
            mine.append(elapsed)
            base.append(timed(client, baseline[1])[0])
        print(f"{label:38s} {percentiles(mine)}   ({size / 1024:.0f} KiB)")
        print(f"{'  ' + baseline[0]:38s} {percentiles(base)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--reaudit", action="store_true", help="time the re-audit both ways first (A B A)")
    parser.add_argument("--careful-every", type=int, default=1, help="the careful path on every K-th person")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    setup_django(server_url())
    if args.rebuild or not built(args.people, args.records):
        print(f"building {args.people} members x {args.records} records ...", flush=True)
        build(args.people, args.records, args.seed)
        seconds = reaudit()
        print(f"  re-audit of everyone (the background task's function): {seconds:.1f} s", flush=True)
    if args.reaudit:
        compare_reaudits(max(1, args.careful_every))
    measure(args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
