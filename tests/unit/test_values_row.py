"""The one reading of a row (``certcredit.values.row``): every problem named, bounds the same everywhere, and the
short paths (the engine's ``record_from_row``, the batch's msgspec lane) agreeing with it wherever they apply."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from certcredit.cli import _register, app
from certcredit.engine.bulk import BulkAuditor
from certcredit.engine.records import RecordError, record_from_checked, record_from_row
from certcredit.evaluate.sessions import SessionError, session_from_row
from certcredit.rules.load import load_program
from certcredit.values.duration import MAX_MINUTES, DurationError, minutes_from_value
from certcredit.values.row import RowInvalid, check_row, row_id
from certcredit.values.vocabulary import CATEGORIES, FORMATS, SUBJECT_AREAS, TOPICS
from tests.row_cases import CASES, RECORD_ONLY, expected

#: the values a JSON file can hold, and the odd ones a row's reader meets
ANY_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "60", "2025-03-01", "2025-W10-1", "writing", "a\x00b", "\ud800", "9" * 5000]),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)
KEYS = ["id", "date", "minutes", "time", "title", "description", "format", "category", "subject_area", "topic",
        "venue", "provider", "location", "uid", "start", "end", "activity", "notes"]  # fmt: skip


@pytest.mark.parametrize(("row", "reason"), [*CASES, *RECORD_ONLY], ids=lambda v: str(v)[:40])
def test_the_one_reading_gives_each_edge_row_its_reasons(row: dict[str, Any], reason: str | None) -> None:
    if reason is None:
        check_row(row, "record")
        return
    with pytest.raises(RowInvalid) as caught:
        check_row(row, "record")
    assert str(caught.value) == reason
    assert "; ".join(caught.value.problems) == reason


def test_a_row_with_several_problems_names_all_of_them_always_in_the_same_order() -> None:
    with pytest.raises(RowInvalid) as caught:
        check_row({"id": True, "date": 20260101, "minutes": True, "title": 7, "topic": "ethics"}, "session")
    assert [p.split(" ")[0] for p in caught.value.problems] == ["id", "date", "minutes", "title", "unknown"]
    assert "no date" not in str(caught.value) and "True" not in str(caught.value)


def test_the_evaluator_reports_every_problem_of_an_item_not_only_the_first() -> None:
    with pytest.raises(SessionError) as caught:
        session_from_row({"title": "Budgets", "minutes": "ninety", "category": "poetry", "venue": "hotel"}, 1)
    assert len(caught.value.problems) == 3


@given(st.dictionaries(st.sampled_from(KEYS), ANY_VALUE, max_size=6), st.sampled_from(["record", "session"]))
@settings(max_examples=300, deadline=None)
def test_whatever_a_row_holds_the_reading_answers_with_values_or_reasons_never_a_crash(
    data: dict[str, Any], need: str
) -> None:
    try:
        row = check_row(data, need)  # type: ignore[arg-type]
    except RowInvalid as error:
        assert error.problems and all(isinstance(p, str) and p for p in error.problems)
        assert all(len(p) < 400 for p in error.problems)  # a value is named, never pasted whole
    else:
        assert row.minutes is None or 0 < row.minutes <= MAX_MINUTES
        for text in (row.id, row.title, row.description, row.provider, row.time_text):
            assert "\x00" not in text
            text.encode("utf-8")  # no lone surrogate: every store can keep it
    row_id(data, 3)  # a rejected row can always be named


@given(st.one_of(ANY_VALUE, st.integers(min_value=-(10**30), max_value=10**30).map(str)))
@settings(max_examples=300, deadline=None)
def test_minutes_are_a_bounded_whole_number_or_a_duration_error(value: object) -> None:
    try:
        minutes = minutes_from_value(value)
    except DurationError:
        return
    assert 0 <= minutes <= MAX_MINUTES and not isinstance(value, bool)


RECORDISH = st.fixed_dictionaries(
    {"date": st.sampled_from(["2025-03-01", "2025-02-30", "2025-W10-1", "2025-3-1", " 2025-03-01", "２０２５-03-01"])},
    optional={
        "minutes": st.one_of(st.integers(-5, MAX_MINUTES + 5), st.sampled_from([True, "60", 60.0, 0])),
        "id": st.one_of(st.none(), st.text(max_size=4), st.integers(), st.floats(allow_nan=True), st.just("")),
        "title": st.one_of(st.none(), st.text(max_size=6), st.just("t" * 501), st.just(" x\x00"), st.just("\ud800")),
        "format": st.sampled_from([*FORMATS, " recorded", "podcast", None]),
        "category": st.sampled_from([*CATEGORIES, None, "poetry", 5]),
        "subject_area": st.sampled_from([*SUBJECT_AREAS, None, "hr"]),
        "topic": st.sampled_from([*TOPICS, None]),
        "venue": st.sampled_from(["ala_conference", "hotel"]),
        "activity": st.sampled_from(
            ["Giving Back", "giving back!", "giving_back", "power2_skills", "a__b", "_x", "x" * 41, "", None]
        ),
    },
)


@given(RECORDISH)
@settings(max_examples=500, deadline=None)
def test_the_engines_short_path_reads_every_row_as_the_one_reading_does(data: dict[str, Any]) -> None:
    try:
        careful = record_from_checked(check_row(data, "record"), 4)
    except RowInvalid as error:
        with pytest.raises(RecordError) as caught:
            record_from_row(data, 4)
        assert str(caught.value) == str(error)
    else:
        assert record_from_row(data, 4) == careful


@given(st.text(alphabet="0123456789-+W T:２Z", min_size=8, max_size=12))
@settings(max_examples=500, deadline=None)
def test_a_date_is_read_only_in_the_form_yyyy_mm_dd(text: str) -> None:
    try:
        day = check_row({"date": text, "minutes": 60}, "record").date
    except RowInvalid as error:
        assert "date" in str(error)
    else:
        assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip())
        assert day == dt.date.fromisoformat(text.strip())


def bulk_line(record: dict[str, Any]) -> bytes:
    return orjson.dumps({"person": "p", "records": [{"date": "2025-03-01", "minutes": 90}, record]})


@pytest.mark.parametrize(
    "record",
    [
        {"date": "2025-03-01", "minutes": 0},
        {"date": "2025-03-01", "minutes": MAX_MINUTES + 1},
        {"date": "2025-03-01", "minutes": 60, "title": "Nul\x00byte"},
        {"date": "2025-03-01", "minutes": 60, "id": "a\x00b"},
        {"date": "2025-03-01", "minutes": 60, "title": "t" * 501},
        {"date": "2025-03-01", "minutes": 60, "id": "x" * 101},
        {"date": "2025-03-01", "minutes": 60, "provider": "p" * 201},
    ],
    ids=["0 minutes", "too many minutes", "NUL title", "NUL id", "long title", "long id", "long provider"],
)
def test_the_batchs_fast_lane_hands_a_record_the_one_reading_refuses_to_the_careful_path(
    record: dict[str, Any],
) -> None:
    auditor = BulkAuditor(load_program("clm-recertification"), "2026-06-30", None)
    assert auditor.line(bulk_line({"date": "2025-03-01", "minutes": 60, "title": "Budgets"})) is not None
    assert auditor.line(bulk_line(record)) is None
    assert auditor.line_into(memoryview(bulk_line(record)), []) is False


@pytest.mark.parametrize("program", ["clm-application", "clm-recertification"])
def test_a_batch_line_rejects_the_rows_the_one_reading_rejects_for_the_same_reasons(
    tmp_path: Path, program: str
) -> None:
    """Each case is one person's only record, so each line may take the fast lane, the short path or the careful
    path; whichever it takes, the line's "rejected" list gives the one reading's reason."""
    path = tmp_path / "people.jsonl"
    path.write_text(
        "".join(json.dumps({"person": f"p{n}", "records": [row]}) + "\n" for n, (row, _r) in enumerate(CASES, 1))
    )
    _register()
    result = CliRunner().invoke(app, ["audit", str(path), "--batch", "--program", program, "--as-of", "2026-06-01"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    rejected = {n: line["rejected"][0]["error"] for n, line in enumerate(lines, 1) if line.get("rejected")}
    want = expected(CASES)
    # The batch reads its lines with orjson, which reads an integer past 64 bits as a float and refuses a lone
    # surrogate anywhere in a line: the record is still refused, with the bound's reason, and the line as a whole.
    assert rejected.pop(12) == "minutes must be at most 10,000 (one record), not the number 1e+20"
    assert lines[46 - 1]["error"].startswith("not valid JSON (no low surrogate")
    del want[12], want[46]
    assert rejected == want


def test_a_date_may_come_as_a_date_value_from_code() -> None:
    assert check_row({"date": dt.date(2025, 3, 1), "minutes": 60}, "record").date == dt.date(2025, 3, 1)
