"""The prepared rulebook: built once per rule version and specialty, shared by every path, and never changed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import msgspec
import orjson
import pytest

from certcredit.engine.audit import audit, records_from_items
from certcredit.engine.bulk import BulkAuditor
from certcredit.engine.prepared import prepare
from certcredit.engine.sorting import NO_REQUIREMENT, format_does_not_count
from certcredit.rules.load import load_program
from certcredit.values.vocabulary import CATEGORIES, FORMATS, SUBJECT_AREAS, TOPICS

PEOPLE = [
    {"records": [{"date": "2025-03-01", "minutes": 90, "subject_area": a, "title": "Budgets"} for a in SUBJECT_AREAS]},
    {"records": [{"date": "2025-03-01", "minutes": 600, "format": "self_study", "category": "writing"}]},
]


def test_auditing_leaves_the_compiled_program_exactly_as_it_was() -> None:
    program = load_program("clm-recertification")
    before = msgspec.json.encode(program)
    auditor = BulkAuditor(program, "2026-06-30", None)
    for person in PEOPLE:
        assert auditor.line(orjson.dumps(person)) is not None
        records, rejected = records_from_items(person["records"], 1)
        audit(program, records, dt.date(2026, 6, 30), None, rejected)
    assert msgspec.json.encode(program) == before
    assert {f.name for f in dataclasses.fields(program.versions[0])}.isdisjoint({"memo", "_hours_cache"})


def test_a_version_is_prepared_once_per_specialty_and_cannot_be_changed() -> None:
    book = load_program("clm-application-specialist").versions[0]
    first = prepare(book, "HR")
    assert prepare(book, "HR") is first
    assert prepare(book, "FM") is not first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.label = "changed"  # type: ignore[misc]


def test_every_kind_of_record_the_vocabulary_allows_has_its_route_ready() -> None:
    book = load_program("clm-recertification").versions[0]
    prepared = prepare(book, None)
    assert len(prepared.table) == (len(CATEGORIES) + 1) * (len(SUBJECT_AREAS) + 1) * (len(TOPICS) + 1) * len(FORMATS)
    # a format the rulebook does not count is refused before repeats; a record nothing accepts after them
    assert prepared.table[(None, "HR", None, "in_person")][0][0] == (0,)
    if "teaching" not in book.counting_formats:
        assert prepared.table[(None, None, None, "teaching")][1] == format_does_not_count("teaching")
    nowhere = prepared.table[(None, None, None, "in_person")]
    assert nowhere[3] == NO_REQUIREMENT
    assert [prepared.hours(t) for t in (0, 30, 61, 100_000)] == [0.0, 0.5, 1.0167, 1666.6667]
