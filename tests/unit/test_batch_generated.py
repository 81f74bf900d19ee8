"""The batch command gives, byte for byte, the careful path's output on the benchmark's generated people.

The people come from ``bench/audit.py``'s generator (a fixed seed; every CLM program, the specialist's lines with
a specialty) with ``bench/batch_hashes.py``'s odd lines mixed in (ids as numbers, impossible dates, minutes 0, 59
and huge, unknown formats, lines that are not people). The batch runs as the command does (two workers, ranges
small enough that many boundaries fall inside the file); the reference audits every line alone on the careful path
(``engine.audit``), numbered as a file is read.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from certcredit.cli import workers
from certcredit.cli.batch_lines import BatchDefaults
from tests.unit.test_audit_bulk import careful

BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench_module(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))  # batch_hashes.py imports audit.py beside it
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.parametrize("program", ["clm-application", "clm-application-specialist", "clm-recertification"])
def test_the_batch_gives_the_careful_paths_bytes_on_generated_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes], program: str
) -> None:
    hashes = bench_module("batch_hashes")
    path = tmp_path / "people.jsonl"
    hashes.generate(path, 240, 11, program)
    hashes.add_odd_lines(path, every=12)
    data = path.read_bytes()
    monkeypatch.setattr(workers, "CHUNK_BYTES", 40_000)
    defaults = BatchDefaults(program, None, None, str(path))
    parts: list[workers.ChunkResult] = []
    workers.run(path, defaults, 2, 0, parts.append)
    written = capfdbinary.readouterr().out
    output, messages, failed = careful(data, 1, defaults)
    assert written == output
    assert [m for p in parts for m in p.messages] == messages
    assert any(p.failed for p in parts) is failed is True
    audited = sum(1 for line in output.splitlines() if b'"rules_version"' in line)
    assert sum(count for p in parts for count in p.methods.values()) == audited >= 240  # each allocation counted
    assert output.count(b"\n") == len([line for line in data.splitlines() if line.strip()])
