"""Compiled rulebooks cached on disk: the same program as a fresh compile, and a changed rulebook is compiled afresh."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from certcredit.cli import rulebook_cache as cache
from certcredit.rules.load import compile_program, validate_file
from certcredit.rules.load import load_program as compile_afresh

PROGRAMS = ("clm-recertification", "clm-application", "clm-application-specialist")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CERTCREDIT_CACHE_DIR", str(folder))
    cache.load_program.cache_clear()
    yield folder
    cache.load_program.cache_clear()


@pytest.mark.parametrize("program_id", PROGRAMS)
def test_a_cached_program_equals_a_fresh_compile(cache_dir: Path, program_id: str) -> None:
    first = cache.load_program(program_id)  # compiles and writes the cache
    assert len(list(cache_dir.glob(f"{program_id}-*.json"))) == 1
    cache.load_program.cache_clear()
    again = cache.load_program(program_id)  # read back from the file
    assert again is not first
    assert again == first == compile_afresh(program_id)
    assert again.versions[0].caps_of_format == first.versions[0].caps_of_format
    assert cache.program_kind(program_id) == "credits"


def test_an_edited_rulebook_is_compiled_afresh(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    programs = tmp_path / "programs"
    programs.mkdir()
    shutil.copy(cache.PROGRAMS_DIR / "clm-recertification.yaml", programs)
    monkeypatch.setattr(cache, "PROGRAMS_DIR", programs)
    monkeypatch.setattr("certcredit.rules.load.PROGRAMS_DIR", programs)
    compile_afresh.cache_clear()
    before = cache.load_program("clm-recertification")
    path = programs / "clm-recertification.yaml"
    path.write_text(path.read_text().replace("max_hours: 12", "max_hours: 10"))
    cache.load_program.cache_clear()
    compile_afresh.cache_clear()
    after = cache.load_program("clm-recertification")
    assert [c.limit for c in before.versions[0].caps] == [720, 240]
    assert [c.limit for c in after.versions[0].caps] == [600, 240]
    assert after == compile_program(validate_file(path))
    assert len(list(cache_dir.glob("clm-recertification-*.json"))) == 2
    compile_afresh.cache_clear()


def test_an_empty_cache_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERTCREDIT_CACHE_DIR", "")
    cache.load_program.cache_clear()
    assert cache.cache_dir() is None
    assert cache.load_program("clm-recertification") == compile_afresh("clm-recertification")
    assert cache.program_kind("clm-recertification") is None
    cache.load_program.cache_clear()
