"""The batch's fast lane and its workers give byte for byte the output of the careful path, in input order.

The reference is the careful path line by line (``cli.batch_lines.audit_line``, which reads with orjson and audits
with ``engine.audit``), numbered as a file is read. The fast lane must either decline a line
or give exactly that line; the workers must give exactly the whole output, messages and exit status included,
wherever the chunk boundaries fall.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import subprocess
import sys
import textwrap
import typing
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certcredit.cli import audit_batch, workers
from certcredit.cli.batch_lines import BatchDefaults as _BatchDefaults
from certcredit.cli.batch_lines import audit_line as _audit_line
from certcredit.engine import bulk
from certcredit.engine.bulk import BulkAuditor
from certcredit.rules.compiled import Rulebook
from certcredit.rules.load import load_program
from certcredit.values import vocabulary
from tests.unit import audit_reference as ref

SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
PROGRAMS = ("clm-recertification", "clm-application", "clm-application-specialist")

RECORD = st.fixed_dictionaries(
    {
        "date": st.dates(dt.date(2022, 1, 1), dt.date(2026, 8, 1)).map(dt.date.isoformat),
        "minutes": st.sampled_from([30, 59, 60, 60, 90, 120, 180, 240, 480, 900]),
    },
    optional={
        "id": st.sampled_from(["a", "b", 7, "", "r\u00e9"]),
        "format": st.sampled_from(["in_person", "recorded", "self_study", "teaching", "live_online"]),
        "category": st.sampled_from(ref.CATEGORIES),
        "subject_area": st.sampled_from(ref.AREAS),
        "topic": st.sampled_from(ref.TOPICS),
        "title": st.sampled_from(["Leading Teams", "leading  teams ", "Budgets", "", " "]),
        "provider": st.just("ALA"),
        "venue": st.just("ala_conference"),
    },
)
# Records the careful path reads differently or rejects: the lane must leave them (and their person) to it.
ODD = st.one_of(
    st.just({"date": "2025-02-30", "minutes": 60}),
    st.just({"date": "2025-01-01", "minutes": "90", "subject_area": "HR"}),
    st.just({"date": "2025-01-01", "time": "9 - 10:30 am", "subject_area": "FM"}),
    st.just({"date": "2025-01-01", "minutes": 60, "format": "podcast"}),
    st.just({"date": "2025-01-01", "minutes": 60, "format": None, "subject_area": "LI"}),
    st.just({"date": " 2025-01-01", "minutes": 60, "subject_area": " HR "}),
    st.just({"date": "2025-01-01", "minutes": -5}),
    st.just({"date": "2025-01-01", "minutes": 120, "title": 5, "format": "teaching"}),
    st.just({"date": "2025-01-01", "minutes": 120, "notes": "an unknown key"}),
    st.just(["not", "an", "object"]),
)


@st.composite
def lines(draw: st.DrawFn, specialist: bool) -> bytes:
    """One batch line: mostly a well-formed person, sometimes an odd one, sometimes not a person at all."""
    shape = draw(st.integers(0, 19))
    if shape == 0:
        return draw(st.sampled_from([b"{not json", b"[1, 2]", b'{"person": "x"}', b"   ", b"", b'{"records": 5}']))
    records = draw(st.lists(RECORD, max_size=30))
    if shape == 1:
        records += draw(st.lists(ODD, min_size=1, max_size=2))
    line: dict[str, Any] = {"records": records}
    if draw(st.booleans()):
        line["person"] = draw(st.sampled_from(["ann", "b\u00f6b", "", None, 12]))
    if draw(st.integers(0, 3)):
        line["as_of"] = draw(
            st.one_of(
                st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)).map(dt.date.isoformat),
                st.sampled_from(["", "2025-13-01", "1990-01-01", "2028-02-29"]),
            )
        )
    if draw(st.integers(0, 2)) if specialist else not draw(st.integers(0, 15)):
        line["specialty"] = draw(st.sampled_from(["HR", "FM", "OM", "LI", "finance", "CM", "", "nope"]))
    return orjson.dumps(line)


def careful(data: bytes, first: int, defaults: _BatchDefaults) -> tuple[bytes, list[str], bool]:
    """The reference: every line on the careful path, numbered as a file is read."""
    out: list[bytes] = []
    messages: list[str] = []
    failed = False
    for number, raw in enumerate(io.BytesIO(data), start=first):
        if not raw.strip():
            continue
        obj, bad = _audit_line(raw, number, defaults, messages, {})
        failed = failed or bad
        out.append(orjson.dumps(obj) + b"\n")
    return b"".join(out), messages, failed


@settings(max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PROGRAMS), st.data(), st.sampled_from([None, "2025-06-30", "2026-06-30"]), st.integers(1, 50))
def test_the_fast_lane_gives_the_careful_paths_bytes_for_every_line(
    program: str, data_: st.DataObject, as_of: str | None, first: int
) -> None:
    specialist = program == "clm-application-specialist"
    people = data_.draw(st.lists(lines(specialist), min_size=1, max_size=6))
    specialty = data_.draw(st.sampled_from([None, "OM", "human_resources"] if specialist else [None] * 9 + ["HR"]))
    defaults = _BatchDefaults(program, as_of, specialty, "people.jsonl")
    data = b"\n".join(people) + b"\n"
    worker = workers._Worker(defaults, None, 0, [])
    for raw in people:
        got = worker.auditor.line(raw)
        if got is not None:
            assert got + b"\n" == careful(raw + b"\n", first, defaults)[0]
    part = worker.audit(data, lambda: first)
    output, messages, failed = careful(data, first, defaults)
    assert part.output == output
    assert list(part.messages) == messages
    assert part.failed == failed


RECERT_PERSON = {
    "person": "ann",
    "as_of": "2026-06-30",
    "records": [
        {"date": "2025-03-01", "minutes": 240, "subject_area": area, "title": f"Course {area}"} for area in ref.AREAS
    ]
    + [
        {"date": "2024-01-10", "minutes": 90, "format": "teaching", "title": "Budgets", "subject_area": "FM"},
        {"date": "2024-02-10", "minutes": 90, "format": "teaching", "title": "budgets", "subject_area": "FM"},
        {"date": "2025-05-05", "minutes": 600, "format": "self_study", "subject_area": "CM"},
        {"date": "2025-05-06", "minutes": 600, "format": "recorded", "topic": "business_ethics"},
        {"date": "2023-06-30", "minutes": 60, "subject_area": "HR"},
        {"date": "2026-07-01", "minutes": 60, "subject_area": "HR"},
        {"date": "2025-07-01", "minutes": 45, "subject_area": "HR"},
    ],
}


def test_the_fast_lane_takes_a_plain_recertification_person_and_matches_the_careful_path() -> None:
    defaults = _BatchDefaults("clm-recertification", None, None, "people.jsonl")
    raw = orjson.dumps(RECERT_PERSON)
    got = BulkAuditor(load_program("clm-recertification"), None, None).line(raw)
    assert got is not None
    assert got + b"\n" == careful(raw + b"\n", 1, defaults)[0]
    audit = orjson.loads(got)
    assert [u["reason"] for u in audit["unused"]][:3] == [
        "a repeat of record 6",
        "outside the window",
        "after the as-of date",
    ]


def test_the_fast_lane_takes_an_incomplete_applicant_but_leaves_a_complete_one_to_the_apply_by_search() -> None:
    auditor = BulkAuditor(load_program("clm-application"), "2025-06-01", None)
    short = {"records": [{"date": "2025-01-01", "minutes": 120, "category": "writing"}]}
    assert auditor.line(orjson.dumps(short)) is not None
    whole = {"records": [{"date": "2025-01-01", "minutes": 120, "category": c} for c in ref.CATEGORIES]}
    assert auditor.line(orjson.dumps(whole)) is None


def test_a_rulebook_field_the_lane_does_not_know_sends_its_people_to_the_careful_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = load_program("clm-recertification").versions[0]
    assert bulk.supports(book)

    @dataclasses.dataclass(frozen=True)
    class Extended(Rulebook):
        bonus_for_venue: int = 0

    assert not bulk.supports(Extended(**{f.name: getattr(book, f.name) for f in dataclasses.fields(book)}))
    monkeypatch.setitem(bulk._KNOWN_FIELDS, Rulebook, bulk._KNOWN_FIELDS[Rulebook] - {"repeat_formats"})
    assert not bulk.supports(book)
    assert (
        BulkAuditor(load_program("clm-recertification"), "2026-06-30", None).line(orjson.dumps(RECERT_PERSON)) is None
    )


def test_the_lanes_vocabulary_is_the_rulebooks_vocabulary() -> None:
    assert typing.get_args(bulk.Format) == vocabulary.FORMATS
    assert typing.get_args(bulk.Category) == vocabulary.CATEGORIES
    assert typing.get_args(bulk.Area) == vocabulary.SUBJECT_AREAS
    assert typing.get_args(bulk.Topic) == vocabulary.TOPICS
    assert typing.get_args(bulk.Venue) == vocabulary.VENUES


def _people_file(path: Path, count: int) -> bytes:
    """People of every kind, with blank lines, broken lines and rejected records spread across the file."""
    rows = []
    for k in range(count):
        person = dict(RECERT_PERSON, person=f"p{k}")
        person["records"] = RECERT_PERSON["records"][: 3 + k % 9]  # type: ignore[index]
        if k % 7 == 3:
            person["records"] = [*person["records"], {"date": "2025-01-01", "minutes": 60, "format": "podcast"}]
        rows.append(orjson.dumps(person))
        if k % 11 == 5:
            rows.append(b"")
        if k % 13 == 6:
            rows.append(b"{not json")
    data = b"\n".join(rows)  # no newline after the last line
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("chunk", [1, 300, 2_000, 1 << 20])
def test_workers_write_every_line_in_input_order_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes], chunk: int
) -> None:
    monkeypatch.setattr(workers, "CHUNK_BYTES", chunk)
    path = tmp_path / "people.jsonl"
    data = _people_file(path, 60)
    defaults = _BatchDefaults("clm-recertification", None, None, str(path))
    parts: list[workers.ChunkResult] = []
    workers.run(path, defaults, 2, 0, parts.append)
    written = capfdbinary.readouterr().out  # the workers' spooled parts, copied to standard output in order
    output, messages, failed = careful(data, 1, defaults)
    assert all(not p.output for p in parts)
    assert written == output
    assert [m for p in parts for m in p.messages] == messages
    assert any(p.failed for p in parts) is failed is True
    assert [orjson.loads(x)["person"] for x in written.splitlines()][:3] == ["p0", "p1", "p2"]


def test_input_from_a_pipe_goes_through_the_pipeline_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "CHUNK_BYTES", 500)
    source = tmp_path / "people.jsonl"
    data = _people_file(source, 40)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # Another process writes, as in a shell pipeline (a thread of this one would lend the forked workers its end of
    # the pipe, and the reader would never see the end of the input).
    writer = subprocess.Popen(["sh", "-c", 'cat "$0" > "$1"', str(source), str(fifo)])
    defaults = _BatchDefaults("clm-recertification", None, None, str(fifo))
    parts: list[workers.ChunkResult] = []
    workers.run(fifo, defaults, 2, 0, parts.append)
    assert writer.wait(timeout=60) == 0
    output, messages, _ = careful(data, 1, defaults)
    assert b"".join(p.output for p in parts) == output
    assert [m for p in parts for m in p.messages] == messages


def test_the_workers_run_in_processes_of_their_own_while_this_process_has_other_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    """A pool forked from a threaded process can hang for ever (a child inherits a lock another thread held), so the
    workers come from a fork server, and do so whatever threads this process has (a lock held by another thread
    throughout, here): the parts are audited by live worker processes, never by this one, and the output is the
    careful path's."""
    import multiprocessing
    import threading

    monkeypatch.setattr(workers, "CHUNK_BYTES", 700)
    path = tmp_path / "people.jsonl"
    data = _people_file(path, 50)
    defaults = _BatchDefaults("clm-recertification", None, None, str(path))
    held = threading.Lock()
    release = threading.Event()

    def hold() -> None:
        with held:
            release.wait(timeout=600)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    children: list[int] = []

    def emit(part: workers.ChunkResult) -> None:
        children.append(len(multiprocessing.active_children()))

    try:
        assert threading.active_count() > 1 and held.locked()
        assert workers._context().get_start_method() == "forkserver"
        workers.run(path, defaults, 2, 0, emit)
    finally:
        release.set()
        holder.join(timeout=60)
    assert children and min(children) >= 2  # every part arrived while the two workers were alive
    assert workers._WORKER is None  # this process audited nothing itself
    assert capfdbinary.readouterr().out == careful(data, 1, defaults)[0]


def test_the_command_line_forks_its_workers_itself_having_one_thread_and_writes_the_careful_paths_bytes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "people.jsonl"
    data = _people_file(path, 50)
    script = textwrap.dedent(
        """
        import sys
        from certcredit.cli import audit_batch, main, workers
        audit_batch.SMALL_FILE_BYTES = 0
        workers.CHUNK_BYTES = 700
        sys.stderr.write(f"START={workers._context().get_start_method()}\\n")
        sys.argv = ["certcredit", *sys.argv[1:]]
        try:
            main()
        except SystemExit as done:
            sys.stderr.write(f"EXIT={done.code}\\n")
        """
    )
    args = ["audit", str(path), "--batch", "--program", "clm-recertification", "--workers", "2"]
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, check=False, timeout=300)
    defaults = _BatchDefaults("clm-recertification", None, None, str(path))
    output, messages, _ = careful(data, 1, defaults)
    assert b"START=fork\n" in done.stderr and b"EXIT=2\n" in done.stderr, done.stderr
    assert done.stdout == output
    assert done.stderr.count(b"certcredit audit: ") == len(messages) > 0


@pytest.mark.parametrize(
    ("argv", "taken"),
    [
        (["audit", "f.jsonl", "--batch", "--program", "clm-recertification", "--as-of", "2026-06-30"], True),
        (["audit", "--batch", "f.jsonl", "--program=clm-recertification", "--workers", "2", "--stats"], True),
        (["audit", "f.jsonl", "--batch", "-p", "clm-recertification", "-f", "json"], True),
        (["audit", "f.jsonl", "--program", "clm-recertification"], False),
        (["audit", "f.jsonl", "--batch", "-pclm-recertification"], False),
        (["audit", "f.jsonl", "--batch", "--program", "clm-recertification", "--format", "table"], False),
        (["audit", "f.jsonl", "--batch", "--program", "clm-recertification", "--help"], False),
        (["audit", "f.jsonl", "g.jsonl", "--batch", "--program", "clm-recertification"], False),
        (["audit", "f.jsonl", "--batch", "--program"], False),
        (["evaluate", "f.jsonl", "--batch", "--program", "clm-recertification"], False),
    ],
)
def test_only_a_plain_batch_command_line_skips_the_typer_cli(argv: list[str], taken: bool) -> None:
    assert (audit_batch._plain_batch_arguments(argv) is not None) is taken


def test_the_plain_batch_command_gives_the_typer_clis_output_without_loading_typer(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    _people_file(path, 30)
    script = textwrap.dedent(
        """
        import sys
        from certcredit.cli import main
        sys.argv = ["certcredit", *sys.argv[1:]]
        try:
            main()
        except SystemExit as done:
            sys.stderr.write(f"EXIT={done.code} TYPER={'typer' in sys.modules}\\n")
        """
    )
    common = ["--batch", "--as-of", "2026-06-30", "--workers", "1"]
    fast = subprocess.run(
        [sys.executable, "-c", script, "audit", str(path), "--program", "clm-recertification", *common],
        capture_output=True,
        check=False,
    )
    slow = subprocess.run(
        [sys.executable, "-c", script, "audit", str(path), "-pclm-recertification", *common],
        capture_output=True,
        check=False,
    )
    assert fast.stdout == slow.stdout
    assert fast.stdout.count(b"\n") == 30 + 2  # the broken lines are reported in place
    assert fast.stderr.replace(b"TYPER=False", b"TYPER=True") == slow.stderr
    assert b"EXIT=2 TYPER=False" in fast.stderr


def test_a_file_for_two_workers_is_cut_into_enough_jobs_that_neither_idles_long_at_the_end() -> None:
    # 70 MB (24,000 people) was 17 jobs of 4 MB: the last ran alone on one core; now 32 or more, 2.2 MB each
    size = 70_000_000
    assert -(-size // workers.job_bytes(size, 2)) >= 2 * workers.JOBS_PER_WORKER
    assert workers.job_bytes(10**10, 2) == workers.CHUNK_BYTES  # never more than 4 MB a job
    assert workers.job_bytes(1_000_000, 2) == workers.MIN_CHUNK_BYTES  # nor less than 256 KB
