"""Benchmark: the CPU of one audit and of its outlook, for a CLM applicant with 300 records.

    .venv/bin/python bench/outlook.py [--records 300] [--repeats 10] [--against OLD_OUTLOOK.py]

Times (process CPU, median of ``--repeats``, interleaved) ``audit`` and ``outlook`` on the same generated
records; with ``--against`` another version of ``engine/outlook.py`` (e.g. the previous release's, from
``git show REV:src/certcredit/engine/outlook.py > /tmp/old_outlook.py``) is timed in the same loop and must give
the same outlook. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from certcredit.engine import outlook
from certcredit.engine.audit import audit
from certcredit.engine.records import EducationRecord, record_from_row
from certcredit.rules.load import load_program

CATEGORIES = ["writing", "communication", "self_management", "information_technology", "organizational_development"]


def records(count: int, as_of: dt.date) -> list[EducationRecord]:
    rng = random.Random(1)
    rows = [
        {
            "id": f"r{n}",
            "date": (as_of - dt.timedelta(days=rng.randint(0, 3 * 365))).isoformat(),
            "title": f"Session {n}",
            "minutes": rng.choice([60, 90, 120, 180]),
            "category": rng.choice(CATEGORIES),
        }
        for n in range(count)
    ]
    return [record_from_row(row, position) for position, row in enumerate(rows, start=1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--against", type=Path, help="another outlook.py to time beside this one")
    args = parser.parse_args()
    program, as_of = load_program("clm-application"), dt.date(2026, 6, 1)
    mine = records(args.records, as_of)
    result = audit(program, mine, as_of)
    timed: dict[str, Callable[[], Any]] = {
        "audit": lambda: audit(program, mine, as_of),
        "outlook": lambda: outlook.outlook(program, mine, result, as_of),
    }
    if args.against:
        spec = importlib.util.spec_from_file_location("other_outlook", args.against)
        assert spec is not None and spec.loader is not None
        other = importlib.util.module_from_spec(spec)
        sys.modules["other_outlook"] = other  # dataclasses look their module up while the class is made
        spec.loader.exec_module(other)
        assert repr(other.outlook(program, mine, result, as_of)) == repr(timed["outlook"]()), "the outlooks differ"
        timed[f"outlook ({args.against.name})"] = lambda: other.outlook(program, mine, result, as_of)
    seconds: dict[str, list[float]] = {name: [] for name in timed}
    for _ in range(args.repeats):
        for name, run in timed.items():
            started = time.process_time()
            run()
            seconds[name].append(time.process_time() - started)
    print(f"clm-application, {args.records} records, complete: {result.complete}; CPU ms, median of {args.repeats}")
    for name, values in seconds.items():
        print(f"  {name:<32} {1000 * sorted(values)[len(values) // 2]:8.1f}")


if __name__ == "__main__":
    main()
