"""CSV cells a spreadsheet would run as formulas are written with a leading quote, and read back as they were."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from certcredit.cli import _register, app
from certcredit.io.readers import Row, read_text
from certcredit.io.writers import escape_cell, render, unescape_cell

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\tindented", "\rreturn", '=HYPERLINK("http://x","y")', "-"]
PLAIN = ["-5", "-1.25", "2026-01-05", "Drafting", "", "'quoted text", "a=b", "12"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_cell_starting_with_a_formula_character_gets_a_leading_quote(value: str) -> None:
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", PLAIN)
def test_negative_numbers_dates_and_plain_text_are_written_as_they_are(value: str) -> None:
    assert escape_cell(value) == value


def test_numbers_that_are_not_text_pass_through() -> None:
    assert (escape_cell(-3), escape_cell(1.5), escape_cell(None)) == (-3, 1.5, None)


@given(st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "'", "a", "1", ".", " "]), max_size=8))
def test_unescaping_gives_back_exactly_what_was_escaped(value: str) -> None:
    assert unescape_cell(escape_cell(value)) == value


def test_an_exported_csv_holds_no_formula_and_reads_back_to_the_same_rows() -> None:
    rows = [{"title": "=HYPERLINK(\"http://evil\",\"click\")", "date": "2026-01-05", "minutes": 60,
             "description": "@cmd", "provider": "-Acme", "venue": "+x"}]  # fmt: skip
    text = render(rows, "csv")
    cells = next(iter(csv.DictReader(io.StringIO(text))))
    assert cells["title"].startswith("'=") and cells["description"] == "'@cmd"
    assert cells["provider"] == "'-Acme" and cells["venue"] == "'+x"
    assert cells["date"] == "2026-01-05" and cells["minutes"] == "60"
    (read,) = [r for r in read_text(text, "csv") if isinstance(r, Row)]
    assert read.data == {k: str(v) for k, v in rows[0].items()}


@pytest.mark.model
def test_evaluate_as_csv_escapes_a_title_that_is_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"id": "=1+2", "title": '=HYPERLINK("http://x")', "minutes": 90}) + "\n")
    _register()
    result = CliRunner().invoke(app, ["evaluate", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["id"] == "'=1+2" and row["title"] == '\'=HYPERLINK("http://x")'
    assert row["minutes"] == "90" and not row["credit_hours"].startswith("'")
