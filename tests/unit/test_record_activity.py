"""The activity as the store keeps it: normalised the way the engine reads it, malformed ones refused, and the
natural key of a record without one unchanged from before the store kept activities."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certcredit.engine.records import activity_of
from certcredit.io.rows import KnownRecords, record_fields, record_key
from certcredit.values.row import RowInvalid, clean_activity
from certcredit.values.vocabulary import ACTIVITY_PATTERN, MAX_ACTIVITY


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Giving Back", "giving_back"),
        ("giving-back", "giving_back"),
        ("  Work as   Practitioner ", "work_as_practitioner"),
        ("power_skills", "power_skills"),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_an_activity_is_kept_as_the_identifier_the_engine_reads(typed: str | None, kept: str) -> None:
    assert clean_activity(typed) == kept
    assert (activity_of(typed) or "") == kept


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("Giving Back!", "not an activity identifier"),
        ("3d printing", "not an activity identifier"),
        ("Café", "not an activity identifier"),
        (7, "not an activity identifier"),
        ("x" * (MAX_ACTIVITY + 1), f"longer than {MAX_ACTIVITY}"),
        (["giving_back"], "must be text"),
        ({"kind": "giving_back"}, "must be text"),
    ],
)
def test_a_malformed_activity_is_refused_with_the_reason(typed: object, reason: str) -> None:
    with pytest.raises(RowInvalid, match=re.escape(reason)):
        clean_activity(typed)


@given(st.text(max_size=60))
def test_whatever_is_typed_the_store_keeps_the_engines_reading_or_refuses_it(typed: str) -> None:
    try:
        kept = clean_activity(typed)
    except RowInvalid:
        reading = activity_of(typed)
        assert reading is not None
        assert len(reading) > MAX_ACTIVITY or not re.match(ACTIVITY_PATTERN, reading)
    else:
        assert kept == (activity_of(typed) or "")
        assert kept == "" or re.match(ACTIVITY_PATTERN, kept)
        assert clean_activity(kept) == kept  # keeping it again changes nothing


def test_a_record_without_an_activity_keeps_the_natural_key_it_had_before() -> None:
    # The key written before the store kept activities, spelled out: files imported then re-import as present.
    fields = record_fields({"date": "2026-02-01", "title": "  Budget  Basics", "minutes": "90"})
    assert fields.activity == ""
    assert fields.natural_key() == "r|2026-02-01|budget basics|90|in_person"


def test_two_rows_alike_but_for_their_activity_are_two_records_and_spelling_does_not_matter() -> None:
    day = dt.date(2026, 2, 1)
    ways = record_key(day, "Course", 90, "in_person", "ways_of_working")
    power = record_key(day, "Course", 90, "in_person", "power_skills")
    assert ways != power
    spelled = record_fields({"date": "2026-02-01", "title": "course", "minutes": 90, "activity": "Power Skills"})
    assert spelled.natural_key() == power


@pytest.mark.parametrize(
    ("stored", "row", "present"),
    [
        ({""}, "", True),  # the same record, no activity on either side
        ({"giving_back"}, "giving_back", True),  # the same record again
        ({"giving_back"}, "", True),  # an old file without activities, after the member set one
        ({""}, "giving_back", True),  # a file that adds an activity: imports never change a stored record
        ({"ways_of_working"}, "power_skills", False),  # PMI: the same course's other Talent area
        ({"ways_of_working", "power_skills"}, "business_acumen", False),
        (set(), "", False),  # nothing stored with that date, title, minutes and format
    ],
)
def test_a_row_is_a_stored_record_when_the_activities_agree_or_one_side_names_none(
    stored: set[str], row: str, present: bool
) -> None:
    known = KnownRecords()
    base = record_key(dt.date(2026, 2, 1), "Course", 90, "in_person")
    for activity in stored:
        known.add(base, activity)
    known.add(record_key(dt.date(2026, 2, 2), "Course", 90, "in_person"), row)  # another day never matches
    assert ((base, row) in known) is present
