"""Measure the session evaluator: quality on the held-out set and the guide's ten examples, then speed.

    .venv/bin/python bench/evaluate.py [--heldout FILE] [--seeds FILE] [--repeat N]

Definitions (all shares are of ALL items in the set):
- right: the decision and category are the ones RULES.md gives for the item's label (bank.expected);
  ``needs_review`` is right only where review is expected (no known duration).
- wrong decision: ``qualifies`` where the item should not qualify, or qualifies in another category.
  (A ``does_not_qualify`` for a qualifying item is not "wrong" here; it lowers "right".)
- review: ``needs_review`` where a decision was expected.
Speed: warm latency per session of about 80 words (one at a time, model loaded), throughput over the
whole held-out set, cold start (CLI to first answer, minus the bare interpreter's start), peak RSS of the CLI.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from certcredit.evaluate.bank import HELDOUT_FILE, LABELS, LabelledSession, data_path, labelled_from_row, read_bank
from certcredit.evaluate.batch import default_evaluator
from certcredit.evaluate.sessions import Session

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "data" / "seed-examples.jsonl"
REVIEW = "review"


def seed_bank(path: Path) -> list[LabelledSession]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        seed = json.loads(line)
        row = {k: seed[k] for k in ("id", "title", "description", "time")}
        row["label"] = seed["expected_category"] or "none"
        items.append(labelled_from_row(row, number))
    return items


def quality(name: str, bank: list[LabelledSession]) -> None:
    results = default_evaluator().evaluate([item.session for item in bank])
    right = wrong = review = 0
    confusion: Counter[tuple[str, str]] = Counter()
    misses = []
    for item, result in zip(bank, results, strict=True):
        expected, expected_category = item.expected()
        got = (result.decision, result.category)
        want_cell = REVIEW if expected == "needs_review" else (expected_category or "none")
        got_cell = REVIEW if result.decision == "needs_review" else (result.category or "none")
        confusion[(want_cell, got_cell)] += 1
        if got == (expected, expected_category):
            right += 1
        else:
            misses.append(
                f"    {item.session.id} {item.session.title!r}: expected {want_cell}, got {got_cell} "
                f"(confidence {result.confidence:.2f})"
            )
            if result.decision == "needs_review":
                review += 1
            elif result.decision == "qualifies":
                wrong += 1
    n = len(bank)
    print(f"\n== {name}: {n} sessions")
    print(
        f"right {right}/{n} = {right / n:.1%}   wrong decisions {wrong}/{n} = {wrong / n:.1%}   "
        f"review {review}/{n} = {review / n:.1%}"
    )
    decided = n - review
    if decided:
        print(f"right among decided: {right}/{decided} = {right / decided:.1%}")
    cells = [*LABELS, REVIEW]
    print("confusion (rows: expected, columns: decided):")
    print("  " + " " * 27 + "".join(f"{c[:8]:>9}" for c in cells))
    for want in cells:
        if any(confusion[(want, g)] for g in cells):
            print(f"  {want:27}" + "".join(f"{confusion[(want, g)]:>9}" for g in cells))
    if misses:
        print("  not right:")
        print("\n".join(misses))


def eighty_words(bank: list[LabelledSession]) -> list[Session]:
    """Each session's text stretched or cut to 80 words (title included), to time a typical brochure entry."""
    sessions = []
    for item in bank:
        words = item.session.description.split() or item.session.title.split()
        needed = 80 - len(item.session.title.split())
        body = (words * (needed // max(len(words), 1) + 1))[:needed]
        sessions.append(Session(item.session.id, item.session.title, " ".join(body), 60))
    return sessions


def speed(bank: list[LabelledSession], repeat: int) -> None:
    evaluator = default_evaluator()
    sample = eighty_words(bank)
    evaluator.evaluate(sample[:4])  # warm
    timings = []
    for _ in range(repeat):
        for session in sample:
            start = time.perf_counter()
            evaluator.evaluate([session])
            timings.append((time.perf_counter() - start) * 1000)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n== speed (onnxruntime, 2 threads; {os.cpu_count()} cores visible, load average {load})")
    print(
        f"warm latency, one 80-word session at a time: p50 {np.percentile(timings, 50):.1f} ms, "
        f"p95 {np.percentile(timings, 95):.1f} ms ({len(timings)} runs)"
    )
    sessions = [item.session for item in bank]
    start = time.perf_counter()
    evaluator.evaluate(sessions)
    elapsed = time.perf_counter() - start
    words = statistics.mean(len(s.text.split()) for s in sessions)
    print(
        f"throughput over the set as written ({len(sessions)} sessions, {words:.0f} words on average): "
        f"{len(sessions) / elapsed:.1f} sessions/s"
    )
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def cold_start(runs: int = 3) -> None:
    exe = Path(sys.executable)
    cli = exe.with_name("certcredit")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one.jsonl"
        path.write_text(
            json.dumps(
                {
                    "title": "Grammar for Legal Staff",
                    "time": "9 – 10 A.M.",
                    "description": "Commas, clauses and usage for memos.",
                }
            )
            + "\n"
        )
        bare, full = [], []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([str(exe), "-c", "pass"], check=True)
            bare.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([str(cli), "evaluate", str(path), "--format", "json"], check=True, capture_output=True)
            full.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n== cold start: CLI to first answer {statistics.median(full):.2f} s, bare interpreter "
        f"{statistics.median(bare):.2f} s, difference {statistics.median(full) - statistics.median(bare):.2f} s "
        f"(median of {runs}; load average {load})"
    )
    print(f"peak RSS of the CLI run: {peak:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--heldout", type=Path, default=data_path(HELDOUT_FILE))
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--repeat", type=int, default=3, help="latency passes over the held-out set")
    args = parser.parse_args()
    heldout = read_bank(args.heldout) if args.heldout.exists() else []
    if heldout:
        quality(f"held-out set ({args.heldout.name})", heldout)
    else:
        print(f"no held-out file at {args.heldout}", file=sys.stderr)
    if args.seeds.exists():
        quality("the guide's ten worked examples", seed_bank(args.seeds))
    speed(heldout or seed_bank(args.seeds), args.repeat)
    cold_start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
