"""Reading a session from a row: SPEC.md keys, designations validated, bad rows named."""

from __future__ import annotations

import pytest

from certcredit.evaluate.sessions import SessionError, credit_hours, session_from_row


def test_minutes_come_from_the_printed_time_when_no_minutes_are_given() -> None:
    session = session_from_row({"title": "T", "time": "9 – 10:30 A.M."}, 1)
    assert session.minutes == 90


def test_minutes_win_over_time_when_both_are_given() -> None:
    assert session_from_row({"title": "T", "minutes": "75", "time": "9 – 10 A.M."}, 1).minutes == 75


def test_a_row_without_minutes_or_time_has_an_unknown_duration() -> None:
    assert session_from_row({"title": "T"}, 1).minutes is None


def test_a_row_without_an_id_takes_its_position() -> None:
    assert session_from_row({"title": "T"}, 7).id == "7"
    assert session_from_row({"title": "T", "id": 12}, 7).id == "12"


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"description": "no title"}, "no title"),
        ({"title": "  "}, "no title"),
        ({"title": "T", "time": "sometime after lunch"}, "sometime after lunch"),
        ({"title": "T", "time": "10 – 9 A.M."}, "ends before it starts"),
        ({"title": "T", "minutes": "ninety"}, "whole number"),
        ({"title": "T", "category": "leadership"}, "unknown category 'leadership'"),
        ({"title": "T", "subject_area": "XX"}, "unknown subject area"),
        ({"title": "T", "topic": "ethics"}, "unknown topic"),
        ({"title": "T", "venue": "hotel"}, "unknown venue"),
        ({"title": "T", "format": "podcast"}, "unknown format"),
        ({"title": 42}, "title must be text"),
    ],
)
def test_a_row_that_cannot_be_evaluated_is_refused_with_its_reason(row: dict[str, object], words: str) -> None:
    with pytest.raises(SessionError, match=words):
        session_from_row(row, 1)


def test_credit_hours_are_minutes_over_60_to_four_decimals() -> None:
    assert credit_hours(80) == 1.3333
    assert credit_hours(75) == 1.25
    assert credit_hours(60) == 1.0


def test_the_text_joins_title_and_description_for_the_main_focus() -> None:
    session = session_from_row({"title": "Write Well", "description": "Grammar   and style."}, 1)
    assert session.text == "Write Well. Grammar and style."
