"""Reading CLRM events: good rows become events, bad rows are rejected with a reason and lose nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from certcredit.engine.clrm import ClrmEvent, audit_clrm, parse_events
from tests.unit.clrm_helpers import academies


def test_a_well_formed_event_keeps_every_field() -> None:
    rows = [
        {
            "id": 42,
            "date": "2024-05-01",
            "type": "arbitrator_approved",
            "paper_type": "grievance",
            "arbitrator": "Jane Q. Roe",
            "arbitrators": ["A. Smith", " B. Jones "],
        }
    ]
    events, rejected = parse_events(rows)
    assert rejected == []
    assert events == [
        ClrmEvent(
            position=1,
            event_id="42",
            date=date(2024, 5, 1),
            type="arbitrator_approved",
            paper_type="grievance",
            arbitrators=("Jane Q. Roe", "A. Smith", "B. Jones"),
        )
    ]


def test_arbitrators_may_come_as_one_text_separated_by_semicolons() -> None:
    events, _ = parse_events([{"date": "2024-05-01", "type": "arbitrator_approved", "arbitrators": "A; B ;;A"}])
    assert events[0].arbitrators == ("A", "B")


def test_blank_optional_columns_from_a_csv_count_as_absent() -> None:
    row = {"id": "", "date": "2024-05-01", "type": "orientation_attended", "academy": "", "paper_type": " "}
    events, rejected = parse_events([row])
    assert rejected == []
    assert events[0].event_id == "1"
    assert events[0].academy is None
    assert events[0].paper_type is None


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"type": "orientation_attended"}, "missing date"),
        ({"date": "", "type": "orientation_attended"}, "missing date"),
        ({"date": "05/01/2024", "type": "orientation_attended"}, "date '05/01/2024' is not an ISO date YYYY-MM-DD"),
        ({"date": "20240501", "type": "orientation_attended"}, "date '20240501' is not an ISO date YYYY-MM-DD"),
        ({"date": "2023-02-29", "type": "orientation_attended"}, "date '2023-02-29' is not a real calendar day"),
        ({"date": 20240501, "type": "orientation_attended"}, "date 20240501 is not an ISO date YYYY-MM-DD"),
        ({"date": "2024-05-01"}, "missing type"),
        ({"date": "2024-05-01", "type": "exam_passed"}, "unknown event type 'exam_passed'"),
        ({"date": "2024-05-01", "type": 3}, "type must be text, not 3"),
        ({"date": "2024-05-01", "type": "academy_completed"}, "an academy_completed event needs an academy"),
        ({"date": "2024-05-01", "type": "academy_completed", "academy": "ethics"}, "unknown academy 'ethics'"),
        (
            {"date": "2024-05-01", "type": "paper_submitted", "academy": "foundation"},
            "academy is only for academy_completed events, not paper_submitted",
        ),
        ({"date": "2024-05-01", "type": "paper_submitted", "paper_type": "essay"}, "unknown paper_type 'essay'"),
        ({"date": "2024-05-01", "type": "arbitrator_approved", "arbitrator": ["A"]}, "arbitrator must be a name"),
        ({"date": "2024-05-01", "type": "arbitrator_approved", "arbitrators": [1]}, "arbitrators must be a list"),
    ],
)
def test_a_bad_event_is_rejected_with_its_reason(row: dict[str, Any], error: str) -> None:
    events, rejected = parse_events([row])
    assert events == []
    assert len(rejected) == 1
    assert rejected[0].event_id == "1"
    assert rejected[0].error.startswith(error)


def test_an_unknown_type_error_lists_the_types_to_use() -> None:
    _, rejected = parse_events([{"date": "2024-05-01", "type": "passed"}])
    assert "academy_completed, arbitrator_approved, orientation_attended" in rejected[0].error


def test_a_row_that_is_not_an_object_is_rejected() -> None:
    _, rejected = parse_events([["2024-05-01", "paper_submitted"]])  # type: ignore[list-item]
    assert rejected[0].as_dict() == {
        "event": "1",
        "error": "an event must be an object with date and type, not list",
    }


def test_rejected_events_are_named_by_id_or_by_position_and_the_rest_still_count() -> None:
    rows = [*academies("2024-01-01", "2024-02-01", "2024-03-01")]
    rows.insert(1, {"id": "e-2", "date": "2024-01-15", "type": "academy_completed", "academy": "nope"})
    rows.append({"date": "2024-04-31", "type": "orientation_attended"})
    result = audit_clrm(rows, date(2024, 6, 1))
    assert result["status"] == "paper_due"
    assert [item["event"] for item in result["rejected"]] == ["e-2", "5"]


def test_positions_from_the_reader_name_events_without_an_id() -> None:
    rows = [{"date": "2024-05-01", "type": "orientation_attended"}, {"date": "bad", "type": "orientation_attended"}]
    events, rejected = parse_events(rows, positions=[1, 3])
    assert events[0].position == 1
    assert rejected[0].event_id == "3"
    assert rejected[0].position == 3


def test_a_date_object_is_accepted_but_a_datetime_is_not() -> None:
    from datetime import datetime

    events, rejected = parse_events(
        [
            {"date": date(2024, 5, 1), "type": "orientation_attended"},
            {"date": datetime(2024, 5, 1, 9, 0), "type": "orientation_attended"},
        ]
    )
    assert [event.date for event in events] == [date(2024, 5, 1)]
    assert rejected[0].event_id == "2"
