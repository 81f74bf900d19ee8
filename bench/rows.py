"""Benchmark: reading rows, on the three paths that read them (the audit's ``record_from_row``, the store's
``record_fields``, the evaluator's ``session_from_row``).

    .venv/bin/python bench/rows.py [--rows 50000] [--repeat 5]

Generates rows of two shapes: the common one a batch meets (date, minutes, format, designations, a title, an
id) and a fuller one (description, provider, time, venue, activity), and prints the best of ``--repeat`` runs
in microseconds per row for each reader. Only public functions that have kept their names are called, so the
same command can time an older tree (``PYTHONPATH=/path/to/old/src``) beside this one. Figures only: nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.append(str(ROOT / "src"))

FORMATS = ["in_person", "in_person", "live_online", "recorded", "self_study"]
CATEGORIES = [None, None, "writing", "communication", "self_management"]
AREAS = [None, "HR", "FM", "OM", "LI", "CM"]


def common(rng: random.Random, n: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": f"r{n}",
        "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "minutes": rng.choice([45, 60, 90, 120, 180]),
        "title": rng.choice(["Budgeting Basics", "Hiring Well", "Leading Teams", "Cyber Hygiene"]),
        "format": rng.choice(FORMATS),
    }
    if (category := rng.choice(CATEGORIES)) is not None:
        row["category"] = category
    if (area := rng.choice(AREAS)) is not None:
        row["subject_area"] = area
    return row


def fuller(rng: random.Random, n: int) -> dict[str, Any]:
    row = common(rng, n)
    row.update(
        description="A working session on the matter in its title, with examples from practice. " * 3,
        provider="Association of Legal Administrators",
        time="9 – 10:30 A.M.",
        venue="ala_conference",
        activity="Giving Back",
    )
    return row


def best(read: Callable[[dict[str, Any], int], object], rows: list[dict[str, Any]], repeat: int) -> float:
    """Best of ``repeat`` runs, microseconds a row (the best run is the one least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for position, row in enumerate(rows, start=1):
            read(row, position)
        times.append(time.perf_counter() - started)
    return 1e6 * min(times) / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import certcredit
    from certcredit.engine.records import record_from_row
    from certcredit.evaluate.sessions import session_from_row
    from certcredit.io.rows import record_fields

    rng = random.Random(7)
    shapes = {
        "common": [common(rng, n) for n in range(args.rows)],
        "fuller": [fuller(rng, n) for n in range(args.rows)],
    }
    readers: dict[str, Callable[[dict[str, Any], int], object]] = {
        "audit record_from_row": record_from_row,
        "store record_fields": lambda row, _position: record_fields(row),
        "evaluator session_from_row": session_from_row,
    }
    print(f"certcredit from {Path(certcredit.__file__).parent}; {args.rows} rows a shape, best of {args.repeat}")
    for shape, rows in shapes.items():
        for name, read in readers.items():
            print(f"{shape:7s} {name:28s} {best(read, rows, args.repeat):7.2f} us a row")


if __name__ == "__main__":
    main()
