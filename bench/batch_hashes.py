"""Fingerprints of ``certcredit audit --batch`` on generated people of each CLM program, to compare two trees.

    .venv/bin/python bench/batch_hashes.py [--people 100000] [--seed 7] [--keep FOLDER]

Generates the same people every time (bench/audit.py's generator, a fixed seed; the specialist program's lines
carry a specialty, some by an alias; odd and malformed lines are mixed in), runs the batch command on each file
and prints one line per program: the SHA-256 of standard output, of standard error and the exit status.
Run it on two trees and compare the lines: equal lines mean byte-identical batch output.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit import generate  # bench/audit.py, beside this file

PROGRAMS = ("clm-application", "clm-application-specialist", "clm-recertification")

#: lines mixed in after every 500th person so that the careful path and its errors are in the fingerprint too
ODD_LINES = [
    b'{"person":"odd-ids","as_of":"2025-06-30","specialty":"FM","records":[{"id":7,"date":"2024-02-01","minutes":90,'
    b'"category":"writing"},{"id":"","date":"2024-03-01","minutes":120,"subject_area":"HR"},{"id":"x","date":'
    b'"2024-03-01","minutes":60,"format":"teaching","title":"Hiring Well"}]}',
    b'{"person":"odd-values","as_of":"2025-06-30","specialty":"HR","records":[{"date":"2024-02-30","minutes":60},'
    b'{"date":"2024-02-01","minutes":0,"category":"writing"},{"date":"2024-02-01","minutes":59,"subject_area":"LI"},'
    b'{"date":"2024-02-01","minutes":100000000,"subject_area":"OM"},{"date":"2024-02-01","minutes":60,'
    b'"format":"webinar"},{"date":"2024-02-01","minutes":"60"},"not a record"]}',
    b'{"person":"odd-line","records":[]}',
    b'{"person":7,"as_of":"2026-06-30","specialty":"finance","records":[]}',
    b"not json at all",
    b"",
    b'{"person":"no-records","as_of":"2026-06-30"}',
    b'{"person":"bad-as-of","as_of":"2026-6-30","specialty":"LI","records":[]}',
    b'{"person":"bad-specialty","as_of":"2026-06-30","specialty":"chef","records":[]}',
]


def add_odd_lines(path: Path, every: int = 500) -> None:
    """After every ``every``-th line, one of ``ODD_LINES`` (in turn)."""
    lines = path.read_bytes().splitlines(keepends=True)
    with path.open("wb") as out:
        for number, line in enumerate(lines, 1):
            out.write(line)
            if number % every == 0:
                out.write(ODD_LINES[(number // every) % len(ODD_LINES)] + b"\n")


def fingerprint(path: Path, program: str) -> tuple[str, str, int, float]:
    command = [sys.executable, "-m", "certcredit", "audit", str(path), "--batch", "--program", program, "--stats"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    out = hashlib.sha256(done.stdout).hexdigest()
    err = hashlib.sha256(done.stderr).hexdigest()
    return out, err, done.returncode, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the generated files here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for program in PROGRAMS:
            path = folder / f"{program}-{args.people}-{args.seed}.jsonl"
            if not path.exists():
                generate(path, args.people, args.seed, program)
                add_odd_lines(path)
            out, err, status, elapsed = fingerprint(path, program)
            print(f"{program}: stdout {out} stderr {err} exit {status}  ({elapsed:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
