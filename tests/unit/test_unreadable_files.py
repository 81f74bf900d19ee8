"""Files that cannot be read as a whole: one error line naming the command, the file and the line; exit 2;
nothing merged, dropped or half-read. (Rows that are read but invalid are another matter: row validation.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from certcredit.cli import _register, app
from certcredit.io.readers import FileFormatError, Row, read_rows

UNCLOSED = (
    "date,title,minutes\n"
    "2026-01-05,Plain drafting,90\n"
    '2026-02-05,"Budgets for firms,60\n'
    "2026-03-05,Listening at work,75\n"
    "2026-04-05,Inbox triage,60\n"
)


def run(*args: str) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_quote_that_never_closes_is_a_file_error_at_the_line_where_it_opens(tmp_path: Path) -> None:
    path = write(tmp_path / "records.csv", UNCLOSED)
    with pytest.raises(FileFormatError) as raised:
        list(read_rows(path))
    assert raised.value.line == 3
    assert str(raised.value).startswith(f"{path}: line 3: a quoted cell starts in this row")


def test_a_quote_closing_in_the_middle_of_a_cell_is_named_at_its_rows_first_line(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", 'title,minutes\nOne,60\n"Two\nstill two" and more,60\nThree,60\n')
    with pytest.raises(FileFormatError) as raised:
        list(read_rows(path))
    assert raised.value.line == 3 and "line 4" in raised.value.reason


def test_a_quoted_cell_over_several_lines_is_still_one_good_row(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", 'title,description\n"One","first\nsecond"\nTwo,plain\n')
    rows = list(read_rows(path))
    assert [(r.line, r.data["title"]) for r in rows if isinstance(r, Row)] == [(2, "One"), (4, "Two")]


def test_evaluate_refuses_a_csv_with_an_unclosed_quote_naming_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "sessions.csv", UNCLOSED)
    code, stdout, stderr = run("evaluate", str(path))
    assert code == 2
    assert stdout == ""
    assert stderr.startswith(f"certcredit evaluate: {path}: line 3: a quoted cell starts in this row")


def test_audit_refuses_a_csv_with_an_unclosed_quote_rather_than_dropping_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "records.csv", UNCLOSED)
    code, stdout, stderr = run("audit", str(path), "--program", "clm-application", "--as-of", "2026-06-01")
    assert code == 2
    assert stdout == ""
    assert stderr.startswith(f"certcredit audit: {path}: line 3: a quoted cell starts in this row")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("empty.csv", "", "a CSV file needs a header row"),
        ("blank.csv", "\n  \n", "a CSV file needs a header row"),
        ("empty.json", "", "a JSON file holds a list of objects ([] for none)"),
        ("empty.ics", "", "an iCalendar file holds a VCALENDAR"),
    ],
)
def test_an_empty_file_is_refused_with_a_clear_message(tmp_path: Path, name: str, content: str, says: str) -> None:
    path = write(tmp_path / name, content)
    code, stdout, stderr = run("evaluate", str(path))
    assert code == 2 and stdout == ""
    assert stderr.startswith(f"certcredit evaluate: {path}: the file is empty: {says}")
    assert len(stderr.splitlines()) == 1


def test_an_empty_json_file_is_refused_by_audit_too(tmp_path: Path) -> None:
    path = write(tmp_path / "records.json", "")
    code, _stdout, stderr = run("audit", str(path), "--program", "clm-application", "--as-of", "2026-06-01")
    assert code == 2
    assert stderr.startswith(f"certcredit audit: {path}: the file is empty")


def test_an_empty_json_list_and_a_header_only_csv_are_files_with_no_rows(tmp_path: Path) -> None:
    assert list(read_rows(write(tmp_path / "none.json", "[]"))) == []
    assert list(read_rows(write(tmp_path / "none.csv", "date,title,minutes\n"))) == []


def test_a_file_that_is_not_utf8_is_named_with_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = write(tmp_path / "latin.csv", "title,minutes\nFine,60\nCaf\xe9 talk,60\n".encode("latin-1"))
    code, _stdout, stderr = run("evaluate", str(path))
    assert code == 2
    assert stderr.startswith(f"certcredit evaluate: {path}: line 3: not UTF-8 text (byte ")
    assert "0xe9" in stderr


def test_json_that_does_not_parse_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "s.json", '[\n  {"title": "A"},\n  {"title": }\n]\n')
    code, _stdout, stderr = run("evaluate", str(path))
    assert code == 2
    assert stderr.startswith(f"certcredit evaluate: {path}: line 3: not valid JSON (")


def test_a_json_object_instead_of_a_list_says_what_it_found(tmp_path: Path) -> None:
    path = write(tmp_path / "s.json", '{"title": "A"}')
    with pytest.raises(FileFormatError, match="must hold a list of objects, not an object"):
        list(read_rows(path))


def test_a_missing_file_is_the_same_style_of_error(tmp_path: Path) -> None:
    code, _stdout, stderr = run("evaluate", str(tmp_path / "nope.csv"))
    assert code == 2
    assert stderr.startswith(f"certcredit evaluate: {tmp_path / 'nope.csv'}: cannot read the file")


@pytest.mark.parametrize("command", ["evaluate", "audit"])
def test_every_command_prints_problems_with_its_own_prefix_never_a_bare_error(tmp_path: Path, command: str) -> None:
    path = write(tmp_path / "rows.csv", "date,title,minutes\nnot-a-date,,90\n")
    extra = ["--program", "clm-application", "--as-of", "2026-06-01"] if command == "audit" else []
    _code, _stdout, stderr = run(command, str(path), *extra)
    lines = stderr.splitlines()
    assert lines and all(line.startswith(f"certcredit {command}: ") for line in lines), stderr


def test_a_file_error_survives_the_trip_to_another_process() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(FileFormatError("f.csv", "the file is empty", 4)))
    assert (str(error), error.file, error.reason, error.line) == (
        "f.csv: line 4: the file is empty",
        "f.csv",
        "the file is empty",
        4,
    )


def test_a_cell_past_the_csv_readers_limit_is_named_not_mistaken_for_a_quote_error(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "title,minutes\nShort,60\n" + "x" * 200_000 + ",60\n")
    with pytest.raises(FileFormatError) as raised:
        list(read_rows(path))
    assert raised.value.line == 3 and "a cell is longer than 131,072 characters" in raised.value.reason


@pytest.mark.parametrize("command", ["evaluate", "audit"])
def test_a_missing_file_reads_the_same_from_every_command(tmp_path: Path, command: str) -> None:
    extra = ["--program", "clm-application", "--as-of", "2026-06-01"] if command == "audit" else []
    _code, _stdout, stderr = run(command, str(tmp_path / "nope.csv"), *extra)
    assert (
        stderr == f"certcredit {command}: {tmp_path / 'nope.csv'}: cannot read the file (No such file or directory)\n"
    )


def test_the_batch_audit_names_a_bad_line_in_the_common_style(tmp_path: Path) -> None:
    path = write(tmp_path / "people.jsonl", '{"person": "p1", "records": []}\n{not json\n')
    code, _stdout, stderr = run("audit", str(path), "--batch", "--program", "clm-application", "--as-of", "2026-06-01")
    assert code == 2
    assert stderr.splitlines() and all(line.startswith("certcredit audit: ") for line in stderr.splitlines()), stderr
