"""Fuzz the REST API with Schemathesis: thousands of generated requests, valid and invalid, to every operation.

    .venv/bin/python bench/fuzz.py [--calls 6000] [--seed 1]

In-process, through the WSGI app, on a fresh SQLite database in a temporary folder (or the PostgreSQL server
``DATABASE_URL`` names: a scratch database ``certcredit_fuzz`` is created there and dropped afterwards), signed
in with a token of a person who is member, reviewer and staff, so every endpoint is reached past its
authentication. The calls are shared equally among the operations, half valid (``positive``) and half invalid
(``negative``: data the schema refuses, which must be refused). Each answer is checked as
tests/integration/test_api_schema.py checks it; failures are counted by check and printed, the first of each
kind in full. Prints the counts; exit status 1 if any server error or schema mismatch was found.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
    "missing_required_header",
)
#: Schemathesis's failure classes by what they count as; every other failure (an undocumented status code, a body
#: or content type or header the schema does not describe, malformed JSON) is a schema mismatch
KINDS = {
    "ServerError": "server error",
    "AcceptedNegativeData": "invalid data accepted",
    "MissingHeaderNotRejected": "invalid data accepted",
    "IgnoredAuth": "authentication ignored",
    "UnsupportedMethodResponse": "wrong answer to a method the path does not take",
    "AllowHeaderMismatch": "wrong answer to a method the path does not take",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--calls", type=int, default=6000, help="requests to aim for, shared among the operations (default 6000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="the random seed (the same seed, the same requests)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="certcredit-fuzz-") as scratch:
        _django(Path(scratch))
        try:
            return _run(args.calls, args.seed)
        finally:
            _drop_scratch_database()


def _django(scratch: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certcredit.web.settings")
    os.environ["CERTCREDIT_VAR"] = str(scratch)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        os.environ["DATABASE_URL"] = _scratch_database(url)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'fuzz.sqlite3'}"
    import logging

    import django
    from django.core.management import call_command

    django.setup()
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # the 4xx answers are the point, not news
    call_command("migrate", interactive=False, verbosity=0)


def _scratch_database(url: str) -> str:
    """A fresh database ``certcredit_fuzz`` on the server ``url`` names, so the fuzz never touches real data."""
    import psycopg

    base, _, _name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS certcredit_fuzz")
        conn.execute("CREATE DATABASE certcredit_fuzz")
    os.environ["CERTCREDIT_FUZZ_SERVER"] = base
    return f"{base}/certcredit_fuzz"


def _drop_scratch_database() -> None:
    base = os.environ.get("CERTCREDIT_FUZZ_SERVER")
    if not base:
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS certcredit_fuzz")


def _signed_in() -> dict[str, str]:
    from certcredit.io.readers import Row
    from certcredit.services.imports import import_records, import_sessions
    from certcredit.services.people import ensure_person
    from certcredit.services.tokens import create_token

    person, _ = ensure_person("fuzz@example.org", "Fuzz", "a-long-fuzz-password", ("member", "reviewer", "staff"))
    sessions = [
        Row(i, i, {"title": f"Session {i}", "date": f"2026-0{i}-10", "minutes": 75}, "item") for i in range(1, 6)
    ]
    import_sessions(sessions, person, "fuzz.json")
    records = [
        Row(i, i, {"title": f"Record {i}", "date": f"2026-0{i}-12", "minutes": 90, "category": "writing"}, "item")
        for i in range(1, 6)
    ]
    import_records(records, person, person, "fuzz.json")
    _token, plain = create_token(person)
    return {"Authorization": f"Bearer {plain}"}


def _run(calls: int, seed: int) -> int:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seed_of
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import CHECKS, load_all_checks

    from certcredit.web.wsgi import application

    load_all_checks()
    checks = CHECKS.get_by_names(CHECK_NAMES)
    headers = _signed_in()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    runs = [(op, mode) for op in operations for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    each = -(-calls // len(runs))
    made: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    shown: set[str] = set()
    unsatisfiable: list[str] = []
    started = time.perf_counter()
    for operation, mode in runs:
        tally = Tally(made, failed, statuses, shown)
        runner = settings(
            max_examples=each,
            deadline=None,
            database=None,
            phases=[Phase.generate],  # no shrinking: each call counts once
            suppress_health_check=list(HealthCheck),
        )(
            given(case=operation.as_strategy(generation_mode=mode))(
                _one_call(operation, mode, each, headers, checks, tally)
            )
        )
        try:
            seed_of(seed)(runner)()
        except Unsatisfiable:  # e.g. no invalid request exists for an operation without parameters
            unsatisfiable.append(f"{operation.label} ({mode.value})")
    elapsed = time.perf_counter() - started
    total = sum(made.values())
    server_errors = failed["server error"]
    mismatches = failed["schema mismatch"]
    print(f"schemathesis {schemathesis.__version__}: {total} calls to {len(operations)} operations in {elapsed:.1f} s")
    print(f"  statuses: {', '.join(f'{code}: {n}' for code, n in sorted(statuses.items()))}")
    print(f"  server errors: {server_errors}")
    print(f"  schema mismatches: {mismatches}")
    print(f"  invalid data accepted: {failed['invalid data accepted']}")
    print(f"  authentication ignored: {failed['authentication ignored']}")
    print(f"  wrong answer to a method the path does not take: {failed[KINDS['AllowHeaderMismatch']]}")
    kinds = {name: n for name, n in failed.items() if name[:1].isupper()}
    if kinds:
        print(f"  failures by kind: {', '.join(f'{name}: {n}' for name, n in sorted(kinds.items()))}")
    if unsatisfiable:
        print(f"  nothing to generate for: {', '.join(unsatisfiable)}")
    for label, n in sorted(made.items()):
        print(f"    {label}: {n} calls")
    return 1 if sum(n for name, n in failed.items() if name[:1].isupper()) else 0


@dataclass
class Tally:
    made: Counter[str]
    failed: Counter[str]
    statuses: Counter[int]
    shown: set[str]


def _one_call(operation: Any, mode: Any, each: int, headers: dict[str, str], checks: list[Any], tally: Tally) -> Any:
    """The body Hypothesis runs for each generated case of one operation and mode: call, check, count."""
    done = [0]

    def fuzz(case: Any) -> None:
        if done[0] >= each:
            return
        done[0] += 1
        tally.made[operation.label] += 1
        response = case.call(headers=headers)
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # a FailureGroup (a BaseExceptionGroup): one failure per check that failed
            for failure in getattr(error, "exceptions", [error]):
                name = type(failure).__name__
                tally.failed[KINDS.get(name, "schema mismatch")] += 1
                tally.failed[name] += 1
                if name not in tally.shown:
                    tally.shown.add(name)
                    print(f"--- first {name}: {operation.label} ({mode.value})\n{failure}\n", file=sys.stderr)

    return fuzz


if __name__ == "__main__":
    raise SystemExit(main())
