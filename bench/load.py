"""Benchmark: the production server under load. ``GET /api/progress`` beside ``GET /api/me``, same run.

    .venv/bin/python bench/load.py [--clients 1,8,32] [--requests 400] [--seconds 20] [--workers 0] [--rounds 2]
    .venv/bin/python bench/load.py --in-process 30      # no server: CPU of an uncached progress answer

Prepares its own SQLite database in a temporary folder (a CLM applicant with 300 records, a PMI member with 300
records; an API token each), starts ``certcredit serve`` (gunicorn, WhiteNoise) on a free loopback port, and
measures, at each number of concurrent clients (threads, each one request at a time, a new connection each, as
the sync workers close them):

* ``me``: ``GET /api/me`` (token authentication and a small JSON answer), the baseline;
* ``progress``: ``GET /api/progress`` for the CLM applicant (the same request again: cached after the first);
* ``progress-uncached``: the same with a new as-of date on every request, so each is audited afresh;
* ``pmi``: ``GET /api/progress`` for the PMI member (nested program, the exact allocator);
* ``pmi-uncached``: the same with a new as-of date (cycle end) on every request, each audited afresh.

Each run stops at ``--requests`` requests or ``--seconds`` seconds, whichever comes first; the endpoints
alternate (me, progress, ..., me, progress, ...) for ``--rounds`` rounds, and the figures pool the rounds. It
prints requests per second and the p50/p95/p99 latency of each, and each one's cost against ``me`` (p50 ratio).
Nothing here asserts a time; the server is stopped at the end. Loopback only.

With ``--against OTHER/src`` a second server runs that tree's code on the same database, and every run is made
against it and then against this tree with the same requests (rows marked ``(other)``; each tree's ``p50 / me``
is against its own ``me``), so a baseline is measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CATEGORIES = ["writing", "communication", "self_management", "information_technology", "organizational_development"]
ACTIVITIES = ["ways_of_working", "power_skills", "business_acumen", "giving_back"]
TODAY = dt.date.today()
PMI_CYCLE_END = dt.date(TODAY.year + 1, 3, 31)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def records_csv(rng: random.Random, end: dt.date, activities: bool) -> bytes:
    """300 records over the three years before ``end``: CLM categories, or PMI activities."""
    lines = ["id,date,title,minutes,category,activity"]
    for number in range(300):
        day = end - dt.timedelta(days=rng.randint(0, 3 * 365 - 1))
        minutes = rng.choice([60, 60, 90, 120, 180])
        if activities:
            lines.append(f"r{number},{day},Session {number},{minutes},,{rng.choice(ACTIVITIES)}")
        else:
            lines.append(f"r{number},{day},Session {number},{minutes},{rng.choice(CATEGORIES)},")
    return ("\n".join(lines) + "\n").encode()


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate the new database and load the two members; their tokens by name."""
    os.environ.update(env)
    from certcredit.web import setup

    setup()
    from django.core.management import call_command

    from certcredit.services.imports import import_records, load_upload
    from certcredit.services.people import ensure_person
    from certcredit.services.tokens import create_token

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(10)
    tokens = {}
    for name, end, activities in (("clm", TODAY, False), ("pmi", PMI_CYCLE_END, True)):
        person, _ = ensure_person(f"{name}@example.org", name.upper(), "bench-password-long", ("member",))
        report = import_records(load_upload(f"{name}.csv", records_csv(rng, end, activities)), person, person, name)
        assert report.added == 300, report
        tokens[name] = create_token(person, "bench")[1]
    return tokens


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0


def load(port: int, paths: list[str], token: str, clients: int, requests: int, seconds: float) -> Run:
    """``clients`` threads send the paths in turn (cycling) until ``requests`` are done or ``seconds`` pass."""
    run = Run()
    lock = threading.Lock()
    sent = [0]
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    def client() -> None:
        while time.monotonic() < stop:
            with lock:
                if sent[0] >= requests:
                    return
                path = paths[sent[0] % len(paths)]
                sent[0] += 1
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
            finally:
                connection.close()
            took = time.perf_counter() - started
            with lock:
                run.latencies.append(took)
                run.errors += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - began
    return run


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def in_process(count: int) -> None:
    """The service's uncached progress answer, CPU milliseconds a request (median of ``count``, after a first)."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"CERTCREDIT_VAR": str(Path(folder) / "var"), "CERTCREDIT_CACHE_DIR": str(Path(folder) / "cache")}
        os.environ.pop("DATABASE_URL", None)
        prepare(env)
        from certcredit.services.audits import progress_json
        from certcredit.store.accounts.models import Person

        for name, program, end in (("clm", "clm-application", TODAY), ("pmi", "pmi-pmp-renewal", PMI_CYCLE_END)):
            person = Person.objects.get(email=f"{name}@example.org")
            progress_json(person, person, program, end)
            spent = []
            for back in range(1, count + 1):  # a new as-of date each time: audited afresh
                started = time.process_time()
                progress_json(person, person, program, end - dt.timedelta(days=back))
                spent.append(time.process_time() - started)
            print(f"{program}: uncached progress, CPU {1000 * percentile(spent, 0.5):.1f} ms a request (median of "
                  f"{count}, in process, 300 records)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--requests", type=int, default=400, help="at most this many requests a run")
    parser.add_argument("--seconds", type=float, default=20.0, help="at most this long a run")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: two per core, and one)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--against", help="another tree's src folder: a second server runs it and each run alternates (A B A B)"
    )
    parser.add_argument(
        "--in-process",
        type=int,
        metavar="N",
        help="no server: the CPU of N uncached progress answers (CLM, PMI) called in this process, then stop",
    )
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]
    if args.in_process:
        in_process(args.in_process)
        return

    with tempfile.TemporaryDirectory() as folder:
        env = {
            "CERTCREDIT_VAR": str(Path(folder) / "var"),
            "CERTCREDIT_SECRET_KEY": "bench-only-" + "x" * 40,
            "CERTCREDIT_CACHE_DIR": str(Path(folder) / "cache"),
        }
        base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CERTCREDIT_DEBUG")}
        tokens = prepare(env)
        # the server(s): "" runs this tree; "other" (with --against) the other tree, on the same database
        trees = {"": None, **({"other": args.against} if args.against else {})}
        servers: dict[str, tuple[int, subprocess.Popen[bytes], Any]] = {}
        try:
            for label, source in trees.items():
                port = free_port()
                command = [str(BIN / "certcredit"), "serve", "--port", str(port)]
                command += ["--workers", str(args.workers)] if args.workers else []
                log = (Path(folder) / f"server-{label or 'this'}.log").open("w")
                extra = {"PYTHONPATH": source} if source else {}
                server = subprocess.Popen(
                    command, env={**base, **env, **extra}, cwd=folder, stdout=log, stderr=subprocess.STDOUT
                )
                servers[label] = (port, server, log)
                deadline = time.monotonic() + 300  # a busy machine starts gunicorn slowly
                while load(port, ["/api/health"], "", 1, 1, 5).errors:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(
                            "the server did not start:\n" + (Path(folder) / f"server-{label or 'this'}.log").read_text()
                        )
                    time.sleep(0.2)
            clm = {"program": "clm-application", "as_of": TODAY.isoformat()}
            endpoints = {
                "me": (["/api/me"], tokens["clm"]),
                "progress": ([f"/api/progress?{urlencode(clm)}"], tokens["clm"]),
                "progress-uncached": (
                    [
                        f"/api/progress?{urlencode({**clm, 'as_of': (TODAY - dt.timedelta(days=d)).isoformat()})}"
                        for d in range(1, 3000)
                    ],
                    tokens["clm"],
                ),
                "pmi": (
                    [f"/api/progress?{urlencode({'program': 'pmi-pmp-renewal', 'as_of': PMI_CYCLE_END.isoformat()})}"],
                    tokens["pmi"],
                ),
                "pmi-uncached": (
                    [
                        f"/api/progress?{urlencode({'program': 'pmi-pmp-renewal', 'as_of': str(PMI_CYCLE_END - day)})}"
                        for day in (dt.timedelta(days=d) for d in range(1, 3000))
                    ],
                    tokens["pmi"],
                ),
            }
            names = [f"{name} ({label})" if label else name for name in endpoints for label in servers]
            for port, _server, _log in servers.values():
                for paths, token in endpoints.values():  # the first of each (cold caches) is not measured
                    load(port, paths[:1], token, 1, 1, 30)
            print(f"server: certcredit serve (gunicorn, {args.workers or 'default'} workers), SQLite; {os.cpu_count()} "
                  f"cores seen; runs of at most {args.requests} requests or {args.seconds:.0f} s, "
                  f"{args.rounds} rounds alternating; load average before: {os.getloadavg()[0]:.1f}")  # fmt: skip
            print(f"{'clients':>7} {'endpoint':<26} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
                  f"{'p99 ms':>8} {'errors':>6} {'p50 / me':>9}")  # fmt: skip
            offset = 0
            for clients in levels:
                pooled: dict[str, Run] = {name: Run() for name in names}
                for _round in range(args.rounds):
                    for name, (paths, token) in endpoints.items():
                        turn = paths[offset:] + paths[:offset] if len(paths) > 1 else paths
                        most = 0
                        for label, (port, _server, _log) in servers.items():  # the same requests to each tree
                            done = load(port, turn, token, clients, args.requests, args.seconds)
                            most = max(most, len(done.latencies))
                            run = pooled[f"{name} ({label})" if label else name]
                            run.latencies += done.latencies
                            run.seconds += done.seconds
                            run.errors += done.errors
                        offset = (offset + most) % len(paths) if len(paths) > 1 else offset
                for name, run in pooled.items():
                    me_p50 = percentile(pooled["me (other)" if name.endswith("(other)") else "me"].latencies, 0.5)
                    p50 = percentile(run.latencies, 0.5)
                    print(f"{clients:>7} {name:<26} {len(run.latencies):>8} {len(run.latencies) / run.seconds:>8.1f} "
                          f"{1000 * p50:>8.1f} {1000 * percentile(run.latencies, 0.95):>8.1f} "
                          f"{1000 * percentile(run.latencies, 0.99):>8.1f} {run.errors:>6} "
                          f"{p50 / me_p50:>8.1f}x")  # fmt: skip
            print(f"load average after: {os.getloadavg()[0]:.1f} (other processes share the cores: compare each "
                  "endpoint with `me`, measured in the same run, not with another run)")  # fmt: skip
        finally:
            for _port, server, log in servers.values():
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                log.close()


if __name__ == "__main__":
    main()
