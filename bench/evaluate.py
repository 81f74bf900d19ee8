"""Measure the session evaluator: quality on the held-out set and the guide's ten examples, then speed.

    .venv/bin/python bench/evaluate.py [--heldout FILE] [--real-heldout FILE] [--seeds FILE] [--repeat N] [--plot PNG]

Definitions (all shares are of ALL items in the set):
- right: the decision and category are the ones RULES.md gives for the item's label (bank.expected);
  ``needs_review`` is right only where review is expected (no known duration).
- wrong decision: ``qualifies`` where the item should not qualify, or qualifies in another category.
  (A ``does_not_qualify`` for a qualifying item is not "wrong" here; it lowers "right".)
- review: ``needs_review`` where a decision was expected.
Calibration (each set): expected calibration error of the category head's confidence in its best label, over
the sessions whose label says what they teach (ten equal-width bins), and on the real held-out part a
reliability plot (``--plot``, default docs/evaluator-reliability.png).
Subject area: on the real held-out sessions whose area the association itself gave, how often the evaluator's
area is that area.
Speed: warm latency per session of about 80 words (one at a time, model loaded) beside the bare forward pass of
the embedding model on the same word pieces, measured alternately in the same loop; throughput over the
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the trainer's package, from the checkout

from training.bank import HELDOUT_PATH, LabelledSession, labelled_from_row, read_bank
from training.real import REAL_HELDOUT_PATH, read_real

from certcredit.evaluate.batch import default_evaluator
from certcredit.evaluate.features import feature_inputs, session_features
from certcredit.evaluate.model import LABELS
from certcredit.evaluate.sessions import Evaluation, SessionFacts

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


def quality(name: str, bank: list[LabelledSession]) -> list[Evaluation]:
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
    return results


def calibration(bank: list[LabelledSession], plot: Path | None = None, title: str = "") -> None:
    """Expected calibration error of the category head's top probability, and a reliability plot."""
    evaluator = default_evaluator()
    items = [item for item in bank if item.teaches_focus]
    if not items:
        return
    vectors = session_features(
        evaluator.embedder, *feature_inputs([item.session for item in items]), evaluator.model.hashing
    )
    probs = evaluator.model.category.probabilities(vectors)
    labels = evaluator.model.category.labels
    confidence = probs.max(axis=1)
    correct = np.array([labels[int(np.argmax(p))] == item.label for p, item in zip(probs, items, strict=True)])
    edges = np.linspace(0.0, 1.0, 11)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, 9)
    ece = 0.0
    rows = []
    for b in range(10):
        mask = which == b
        if mask.any():
            gap = abs(correct[mask].mean() - confidence[mask].mean())
            ece += mask.mean() * gap
            rows.append((edges[b], edges[b + 1], int(mask.sum()), confidence[mask].mean(), correct[mask].mean()))
    print(
        f"calibration of the category head ({len(items)} sessions whose label says what they teach): "
        f"expected calibration error {ece:.3f}; focus accuracy {correct.mean():.1%}"
    )
    for low, high, count, conf, acc in rows:
        print(f"    confidence {low:.1f}–{high:.1f}: {count:4d} sessions, mean confidence {conf:.2f}, right {acc:.0%}")
    if plot is not None:
        reliability_plot(rows, ece, len(items), plot, title)


def reliability_plot(
    rows: list[tuple[float, float, int, float, float]], ece: float, n: int, path: Path, title: str
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(4.8, 4.2), dpi=100)
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfectly calibrated")
    axis.bar(
        [(low + high) / 2 for low, high, *_ in rows],
        [acc for *_, acc in rows],
        width=0.09,
        color="#4a7ab5",
        edgecolor="black",
        linewidth=0.5,
        label="share right in the bin",
    )
    for low, high, count, _conf, acc in rows:
        axis.annotate(str(count), ((low + high) / 2, acc), ha="center", va="bottom", fontsize=7)
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1.05)
    axis.set_xlabel("confidence of the best label")
    axis.set_ylabel("share whose best label is right")
    axis.set_title(f"{title}\n{n} sessions, ECE {ece:.3f} (counts above bars)", fontsize=9)
    axis.legend(loc="upper left", fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)
    print(f"reliability plot written to {path}")


def official_areas(bank: list[LabelledSession], results: list[Evaluation]) -> None:
    pairs = [(item, result) for item, result in zip(bank, results, strict=True) if item.area_official]
    if not pairs:
        print("subject area: no held-out session carries an area the association gave")
        return
    right = sum(result.subject_area == item.subject_area for item, result in pairs)
    print(f"subject area right on the association's own filings: {right}/{len(pairs)} = {right / len(pairs):.1%}")
    for item, result in pairs:
        if result.subject_area != item.subject_area:
            print(f"    {item.session.title!r}: filed {item.subject_area}, given {result.subject_area}")


def eighty_words(bank: list[LabelledSession]) -> list[SessionFacts]:
    """Each session's text stretched or cut to 80 words (title included), to time a typical brochure entry."""
    sessions = []
    for item in bank:
        words = item.session.description.split() or item.session.title.split()
        needed = 80 - len(item.session.title.split())
        body = (words * (needed // max(len(words), 1) + 1))[:needed]
        sessions.append(SessionFacts(item.session.id, item.session.title, " ".join(body), 60))
    return sessions


def speed(bank: list[LabelledSession], repeat: int) -> None:
    evaluator = default_evaluator()
    sample = eighty_words(bank)
    evaluator.evaluate(sample[:4])  # warm
    embedder = evaluator.embedder
    feeds = [forward_feed(embedder, session) for session in sample]
    timings, forward = [], []
    for _ in range(repeat):
        for session, feed in zip(sample, feeds, strict=True):  # A B A B: the evaluator, then the bare pass
            start = time.perf_counter()
            evaluator.evaluate([session])
            timings.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            embedder._session.run(["last_hidden_state"], feed)
            forward.append((time.perf_counter() - start) * 1000)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n== speed (onnxruntime, 2 threads; {os.cpu_count()} cores visible, load average {load})")
    print(
        f"warm latency, one 80-word session at a time: p50 {np.percentile(timings, 50):.1f} ms, "
        f"p95 {np.percentile(timings, 95):.1f} ms ({len(timings)} runs)"
    )
    print(
        f"bare forward pass of the embedding model on the same word pieces (same loop, alternated): "
        f"p50 {np.percentile(forward, 50):.1f} ms, p95 {np.percentile(forward, 95):.1f} ms; "
        f"ratio of the p50s {np.percentile(timings, 50) / np.percentile(forward, 50):.2f}×"
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


def forward_feed(embedder: object, session: SessionFacts) -> dict[str, np.ndarray]:
    """The onnxruntime inputs the evaluator builds for one session (tokenised once, outside the timing)."""
    _, _, texts = feature_inputs([session])
    encoding = embedder._tokenizer.encode_batch(texts)  # type: ignore[attr-defined]
    ids = np.array([e.ids for e in encoding], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": np.array([e.attention_mask for e in encoding], dtype=np.int64)}
    if "token_type_ids" in embedder._inputs:  # type: ignore[attr-defined]
        feed["token_type_ids"] = np.zeros_like(ids)
    return feed


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
    parser.add_argument("--heldout", type=Path, default=HELDOUT_PATH)
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--real-heldout", type=Path, default=REAL_HELDOUT_PATH)
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "evaluator-reliability.png")
    parser.add_argument("--repeat", type=int, default=3, help="latency passes over the held-out set")
    parser.add_argument("--no-speed", action="store_true", help="quality and calibration only")
    args = parser.parse_args()
    heldout = read_bank(args.heldout) if args.heldout.exists() else []
    if heldout:
        quality(f"held-out set ({args.heldout.name})", heldout)
        calibration(heldout)
    else:
        print(f"no held-out file at {args.heldout}", file=sys.stderr)
    if args.real_heldout.exists():
        real = read_real(args.real_heldout)
        results = quality(f"real held-out part ({args.real_heldout}, published text, sites never trained on)", real)
        calibration(real, args.plot, "Category head on the real held-out part")
        official_areas(real, results)
    if args.seeds.exists():
        quality("the guide's ten worked examples", seed_bank(args.seeds))
    if args.no_speed:
        return 0
    speed(heldout or seed_bank(args.seeds), args.repeat)
    cold_start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
