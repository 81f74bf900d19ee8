"""Benchmark: ``certcredit audit --batch`` on N recertification people against the MILP reference of the tests.

    .venv/bin/python bench/audit.py [--people N] [--sample 300] [--workers 2] [--seed 7]

Generates N people (20-40 records each: every format, topics, repeats of taught courses, records outside the
cycle and after it, short sessions; cycle ends vary per line), runs the batch command end to end as a
subprocess (timed: start-up, parsing, auditing, writing), then times the test suite's independent MILP reference
(tests/unit/audit_reference.py) on a sample and checks that both agree on it. Prints people per second and the
ratio. Figures only: nothing here asserts a time.

With ``--against OTHER/src`` the batch runs ``--rounds`` times on that tree's code and on this one, alternating
(A B A B), and each is printed with its CPU a person and its ratios to the one reference run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CYCLE_ENDS = ["2024-06-30", "2024-11-30", "2025-06-30", "2025-11-30", "2026-06-30", "2026-11-30"]
AREAS = ["HR", "FM", "OM", "LI", "CM"]
CATEGORIES = ["writing", "communication", "self_management", "information_technology", "organizational_development"]
FORMATS = ["in_person"] * 12 + ["live_online"] * 4 + ["recorded"] * 2 + ["self_study"] * 2 + ["teaching"] * 1
MINUTES = [45, 60, 60, 60, 75, 90, 90, 90, 120, 120, 180, 240]
TITLES = ["Budgeting Basics", "budgeting  basics", "Hiring Well", "Leading Teams", "Cyber Hygiene", "Ethics Now"]


def _pool(rng: random.Random, end: str, size: int) -> list[bytes]:
    """Serialized records for one cycle end: dates mostly inside the cycle, some before it, a few after."""
    last = dt.date.fromisoformat(end)
    first = last - dt.timedelta(days=3 * 365)
    pool = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.06:
            day = first - dt.timedelta(days=rng.randint(0, 400))
        elif roll < 0.09:
            day = last + dt.timedelta(days=rng.randint(1, 60))
        else:
            day = first + dt.timedelta(days=rng.randint(1, (last - first).days))
        record: dict[str, object] = {"date": day.isoformat(), "minutes": rng.choice(MINUTES)}
        fmt = rng.choice(FORMATS)
        if fmt != "in_person":
            record["format"] = fmt
        if rng.random() < 0.3:
            record["category"] = rng.choice(CATEGORIES)
            if rng.random() < 0.3:
                record["subject_area"] = rng.choice(AREAS)
        else:
            record["subject_area"] = rng.choices(AREAS, weights=[3, 1, 3, 3, 4])[0]
        if rng.random() < 0.08:
            record["topic"] = rng.choice(["business_ethics", "substance_abuse"])
        record["title"] = rng.choice(TITLES) if fmt == "teaching" else f"Session {rng.randint(1, 10**6)}"
        pool.append(orjson.dumps(record))
    return pool


#: what a line of the specialist application names as its specialty (ids and some of the rulebook's aliases)
SPECIALTIES = ["HR", "FM", "OM", "LI", "finance", "human_resources", "systems", "marketing"]


def generate(path: Path, people: int, seed: int, program: str = "clm-recertification") -> None:
    """``people`` lines of ``program`` (the specialist application's lines name a specialty), the same every time."""
    rng = random.Random(seed)
    pools = {end: _pool(rng, end, 20_000) for end in CYCLE_ENDS}
    with path.open("wb") as out:
        for number in range(people):
            end = CYCLE_ENDS[number % len(CYCLE_ENDS)]
            records = b",".join(rng.choices(pools[end], k=rng.randint(20, 40)))
            extra = b""
            if program == "clm-application-specialist":
                extra = b',"specialty":"%s"' % SPECIALTIES[number % len(SPECIALTIES)].encode()
            out.write(b'{"person":"p%d","as_of":"%s"%s,"records":[%s]}\n' % (number, end.encode(), extra, records))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _adopt_orphans() -> None:
    """Make this process the reaper of its descendants' orphans (Linux ``PR_SET_CHILD_SUBREAPER``): the batch's
    workers come from a fork server, which outlives the batch command by a moment and so is not its waited-for
    child; adopted and reaped here (``_reap_orphans``), its CPU and its workers' count in ``RUSAGE_CHILDREN``."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _reap_orphans(timeout: float = 30.0) -> None:
    """Wait for the orphans adopted during the last batch (its fork server ends when the command does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.01)


def run_batch(path: Path, workers: int, source: str | None = None) -> tuple[float, float, list[bytes], str]:
    command = [sys.executable, "-m", "certcredit", "audit", str(path), "--batch", "--program", "clm-recertification"]
    command += ["--as-of", "2026-06-30", "--stats"]
    if workers:
        command += ["--workers", str(workers)]
    with tempfile.TemporaryFile() as out:
        cpu = _children_cpu()
        started = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": source} if source else None  # another tree's code first
        done = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, check=False, env=env)
        elapsed = time.perf_counter() - started
        _reap_orphans()
        cpu = _children_cpu() - cpu
        out.seek(0)
        lines = out.read().splitlines()
    if done.returncode != 0:
        raise SystemExit(f"batch failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return elapsed, cpu, lines, done.stderr.decode().strip()


def run_reference(path: Path, sample: int) -> tuple[float, float, list[float]]:
    from tests.unit import audit_reference as ref

    people = []
    with path.open("rb") as handle:
        for _, raw in zip(range(sample), handle, strict=False):
            data = orjson.loads(raw)
            records = [
                ref.Ref(
                    k,
                    dt.date.fromisoformat(r["date"]),
                    int(r["minutes"]),
                    r.get("format", "in_person"),
                    r.get("category"),
                    r.get("subject_area"),
                    r.get("topic"),
                    r.get("title", ""),
                )
                for k, r in enumerate(data["records"], start=1)
            ]
            people.append((dt.date.fromisoformat(data["as_of"]), records))
    cpu = time.process_time()
    started = time.perf_counter()
    needed = [ref.recert_needed(records, as_of) / 60 for as_of, records in people]
    return time.perf_counter() - started, time.process_time() - cpu, needed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=300, help="people the MILP reference solves")
    parser.add_argument("--workers", type=int, default=0, help="batch workers (default: one per core)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--against", help="another tree's src folder: its batch is timed beside this one's, A B A B")
    parser.add_argument("--rounds", type=int, default=2, help="A B rounds with --against")
    args = parser.parse_args()
    _adopt_orphans()
    if args.against:
        compare(args)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.jsonl"
        started = time.perf_counter()
        generate(path, args.people, args.seed)
        size = path.stat().st_size / 1e6
        print(f"generated {args.people} people ({size:.0f} MB) in {time.perf_counter() - started:.1f} s", flush=True)
        load = os.getloadavg()
        elapsed, batch_cpu, lines, stats = run_batch(path, args.workers)
        if len(lines) != args.people:
            raise SystemExit(f"expected {args.people} output lines, got {len(lines)}")
        audits = [orjson.loads(line) for line in lines[: args.sample]]
        complete = sum(1 for line in lines if b'"complete":true' in line)
        batch_rate = args.people / elapsed
        print(f"batch:     {elapsed:8.2f} s  {batch_rate:10.0f} people/s  ({complete / args.people:.0%} complete)")
        print(f"           {stats}; CPU {batch_cpu:.1f} s, {1e6 * batch_cpu / args.people:.0f} us a person")
        ref_time, ref_cpu, needed = run_reference(path, args.sample)
        ref_rate = len(needed) / ref_time
        print(f"reference: {ref_time:8.2f} s  {ref_rate:10.0f} people/s  (MILP, {len(needed)} people, one process)")
        print(f"           CPU {ref_cpu:.1f} s, {1e6 * ref_cpu / len(needed):.0f} us a person")
        disagree = sum(1 for a, n in zip(audits, needed, strict=True) if abs(a["hours_needed"] - n) > 1e-3)
        print(f"agreement on the sample: {len(needed) - disagree}/{len(needed)}")
        print(f"ratio:     {batch_rate / ref_rate:8.0f}x end to end (people/s)")
        cpu_ratio = (ref_cpu / len(needed)) / (batch_cpu / args.people)
        print(f"           {cpu_ratio:8.0f}x in CPU time a person (less sensitive to other load on the machine)")
        after = os.getloadavg()
        print(
            f"load average (1, 5, 15 min) before the batch: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, at the end: "
            f"{after[0]:.2f} {after[1]:.2f} {after[2]:.2f} on {os.cpu_count()} CPUs"
        )


def compare(args: argparse.Namespace) -> None:
    """The batch on the other tree and on this one, alternating, beside one run of the reference."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.jsonl"
        generate(path, args.people, args.seed)
        print(f"{args.people} people, {path.stat().st_size / 1e6:.0f} MB; load average {os.getloadavg()[0]:.1f}")
        runs: list[tuple[str, float, float, list[bytes]]] = []
        for round_number in range(1, args.rounds + 1):
            for label, source in (("other", args.against), ("this", None)):
                elapsed, cpu, lines, _stats = run_batch(path, args.workers, source)
                runs.append((f"{label} {round_number}", elapsed, cpu, lines))
        ref_time, ref_cpu, needed = run_reference(path, args.sample)
        ref_us, ref_rate = 1e6 * ref_cpu / len(needed), len(needed) / ref_time
        print(f"reference: {ref_us:.0f} us CPU a person, {ref_rate:.0f} people/s ({len(needed)} people, MILP)")
        first = runs[0][3]
        for label, elapsed, cpu, lines in runs:
            same = "same output" if lines == first else "OUTPUT DIFFERS"
            print(f"{label:8} {elapsed:8.2f} s  CPU {cpu:6.2f} s = {1e6 * cpu / args.people:5.0f} us a person; "
                  f"{args.people / elapsed / ref_rate:5.0f}x end to end, {ref_us / (1e6 * cpu / args.people):5.0f}x "
                  f"in CPU; {cpu / elapsed:.2f} cores busy; {same}")  # fmt: skip
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
