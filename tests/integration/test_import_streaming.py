"""Record files are read a block at a time; the rows, their positions and their lines are exactly what reading
the whole file gives (``certcredit.io.readers.read_text``), however the blocks fall."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certcredit.io.readers import FileFormatError, read_text
from certcredit.services import imports
from certcredit.services.imports import stream_rows

cell = st.text(alphabet=st.sampled_from('ab ,"\n\r\t1é'), max_size=8)
line = st.one_of(st.lists(cell, min_size=1, max_size=4), st.just([]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(line, max_size=40), block=st.integers(min_value=1, max_value=7))
def test_a_csv_read_in_blocks_gives_the_rows_positions_and_lines_of_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[list[str]], block: int
) -> None:
    path = tmp_path / "records.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "date", "note\nwith a break"])
        for cells in rows:
            if cells:
                writer.writerow(cells)
            else:
                handle.write("\n")  # a blank line: skipped, not counted as a row
    monkeypatch.setattr(imports, "BLOCK_LINES", block)

    whole = list(read_text(path.read_text(encoding="utf-8"), "csv", name=str(path)))

    assert list(stream_rows(path)) == whole


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(
        st.one_of(
            st.just(""),
            st.just("{broken"),
            st.just("[1]"),
            st.builds(json.dumps, st.dictionaries(st.sampled_from("abc"), st.text(max_size=5))),
        )
    ),
    block=st.integers(min_value=1, max_value=5),
)
def test_a_json_lines_file_read_in_blocks_gives_what_the_whole_file_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, items: list[str], block: int
) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(items) + "\n", encoding="utf-8")
    monkeypatch.setattr(imports, "BLOCK_LINES", block)

    assert list(stream_rows(path)) == list(read_text(path.read_text(encoding="utf-8"), "jsonl", name=str(path)))


def test_a_file_that_is_not_utf8_further_on_stops_the_import_with_the_file_named(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "records.csv"
    path.write_bytes(b"date,minutes\n" + b"2026-01-01,60\n" * 3 + b"2026-01-02,\xff\n")
    monkeypatch.setattr(imports, "BLOCK_LINES", 1)

    with pytest.raises(FileFormatError, match=r"records\.csv: not UTF-8 text \(invalid start byte"):
        list(stream_rows(path))


def test_a_quote_that_never_closes_far_into_the_file_is_named_at_its_line_in_the_whole_file(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "records.csv"
    good = "".join(f"2026-01-{i % 28 + 1:02d},Session {i},60\n" for i in range(20))
    path.write_text("date,title,minutes\n" + good + '2026-02-01,"Never closed,60\n' + good, encoding="utf-8")
    monkeypatch.setattr(imports, "BLOCK_LINES", 5)
    with pytest.raises(FileFormatError) as whole:
        list(read_text(path.read_text(encoding="utf-8"), "csv", name=str(path)))

    with pytest.raises(FileFormatError) as streamed:
        list(stream_rows(path))

    assert (streamed.value.line, str(streamed.value)) == (whole.value.line, str(whole.value)) == (22, str(whole.value))


def test_an_empty_csv_is_refused_as_the_whole_file_reader_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text("", encoding="utf-8")

    with pytest.raises(FileFormatError, match="the file is empty"):
        list(stream_rows(path))
