"""Row checks for imports and the writers: pure, no store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from certcredit.io.readers import Row, read_rows
from certcredit.io.rows import RowInvalid, record_fields, session_fields
from certcredit.io.writers import render


def test_a_record_takes_its_minutes_from_a_printed_time_range() -> None:
    fields = record_fields({"date": "2026-05-01", "time": "11 – 1 P.M.", "title": "Lunch law"})
    assert (fields.minutes, fields.date, fields.format) == (120, dt.date(2026, 5, 1), "in_person")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"minutes": 60}, "no date"),
        ({"date": "2026-05-01"}, "no duration"),
        ({"date": "05/01/2026", "minutes": 60}, "not an ISO date"),
        ({"date": "2026-05-01", "minutes": 0}, "0 minutes"),
        ({"date": "2026-05-01", "minutes": 60, "format": "webinar"}, "unknown format"),
        ({"date": "2026-05-01", "minutes": 60, "topic": "ethics"}, "unknown topic"),
        ({"date": "2026-05-01", "time": "9 to 5 to 9"}, "cannot read the time range"),
    ],
)
def test_a_bad_record_row_is_refused_with_a_reason(data: dict[str, object], reason: str) -> None:
    with pytest.raises(RowInvalid, match=reason):
        record_fields(data)


def test_a_session_may_have_no_date_and_no_duration_but_needs_a_title() -> None:
    fields = session_fields({"title": "Open agenda item"})
    assert (fields.date, fields.minutes) == (None, None)
    with pytest.raises(RowInvalid, match="no title"):
        session_fields({"date": "2026-05-01"})


def test_session_natural_keys_prefer_the_ics_uid_and_ignore_case_and_spacing() -> None:
    a = session_fields({"title": "Budget  Basics", "provider": "Acme", "date": "2026-05-01", "minutes": 60})
    b = session_fields({"title": "budget basics", "provider": "ACME", "date": "2026-05-01", "minutes": "60"})
    c = session_fields({"title": "budget basics", "uid": "x-1", "date": "2026-05-01"})
    assert a.natural_key() == b.natural_key()
    assert c.natural_key() == "uid:x-1"


@pytest.mark.parametrize("kind", ["csv", "json", "jsonl", "ics"])
def test_written_rows_read_back_as_the_same_fields(kind: str, tmp_path: Path) -> None:
    rows = [
        {"id": "a1", "date": "2026-03-01", "title": "Drafting, with commas", "minutes": 90, "category": "writing"},
        {"id": "a2", "date": "2026-03-02", "title": "Timed", "minutes": 45, "start": "09:15", "format": "recorded"},
        {"id": "a3", "title": "Undated", "time": "9 – 10:30 A.M.", "description": "Line one\nline two"},
    ]
    path = tmp_path / f"out.{kind}"
    path.write_text(render(rows, kind))
    back = [item for item in read_rows(path) if isinstance(item, Row)]
    assert [session_fields(r.data).natural_key() for r in back] == [session_fields(r).natural_key() for r in rows]
    assert session_fields(back[0].data).category == "writing"


def test_an_unknown_output_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown output format"):
        render([], "xlsx")
