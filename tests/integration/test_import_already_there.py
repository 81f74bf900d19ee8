"""Which rows of a record file are "already there", checked against the rule as written, on both stores.

The rule (``KnownRecords``, docs/imports): a row is already there when the person has a record, stored before
or added earlier from the same file, with the same date, title (case and spacing ignored), minutes and format
that names the same activity, or where either names none. SQLite applies it row by row; PostgreSQL decides it
on the server for a staged batch at a time. Random stored records and files, cut into batches of three rows so
that a file spans several, must give the same count and the same records as the plain reading below.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from certcredit.services import imports
from certcredit.services.imports import import_records
from certcredit.services.people import ensure_person
from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import Record
from certcredit.values.row import Row

pytestmark = [pytest.mark.store, pytest.mark.django_db]

#: (date, title, minutes): the first two are one course written two ways
COURSES = (
    ("2026-01-10", "Writing Clear Memos", 60),
    ("2026-01-10", "writing  clear   MEMOS", 60),
    ("2026-02-01", "Budgets", 90),
    ("2026-03-01", "Hiring Well", 45),
)
ACTIVITIES = ("", "giving_back", "ways_of_working")
#: what a course's stored records may name: nothing stored, one without an activity, or some activities
STORED = ((), ("",), ("giving_back",), ("ways_of_working",), ("giving_back", "ways_of_working"))
_people = itertools.count()


def course(index: int) -> tuple[str, str, int]:
    day, title, minutes = COURSES[index]
    return day, " ".join(title.split()).casefold(), minutes


def reference(stored: list[tuple[int, str]], file: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], int]:
    """The rows the rule adds (as (course, activity)) and how many are already there, read one by one."""
    kept = [(course(c), a) for c, a in stored]
    added, present = [], 0
    for c, a in file:
        if any(course(c) == k and (a == ka or not a or not ka) for k, ka in kept):
            present += 1
        else:
            kept.append((course(c), a))
            added.append((c, a))
    return added, present


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stored=st.lists(st.sampled_from(STORED), min_size=len(COURSES) - 1, max_size=len(COURSES) - 1),
    file=st.lists(st.tuples(st.integers(0, len(COURSES) - 1), st.sampled_from(ACTIVITIES)), max_size=14),
)
# the cases the rule turns on, always tried: a first row naming no activity, then one naming one (already
# there); activities after a first that names one, and a row naming none among them; a stored activity and the
# same course written another way; a repeat in the next batch
@example(stored=[(), (), ()], file=[(2, ""), (2, "giving_back")])
@example(stored=[(), (), ()], file=[(2, "giving_back"), (2, ""), (2, "ways_of_working"), (2, "giving_back")])
@example(stored=[("giving_back",), (), ()], file=[(0, ""), (1, "ways_of_working"), (0, "giving_back")])
@example(stored=[("",), (), ()], file=[(1, "giving_back"), (2, ""), (3, ""), (2, "ways_of_working")])
@example(stored=[(), (), ()], file=[(3, "giving_back"), (2, ""), (1, ""), (3, "")])
def test_a_file_adds_exactly_the_rows_the_rule_calls_new_whatever_is_stored_and_however_it_is_cut(
    monkeypatch, stored: list[tuple[str, ...]], file: list[tuple[int, str]]
) -> None:
    monkeypatch.setattr(imports, "CHUNK", 3)
    monkeypatch.setattr(imports, "STAGE_ROWS", 3)
    person, _ = ensure_person(f"member{next(_people)}@example.org")
    # courses 1.. are stored as drawn (course 0 is course 1 written another way)
    stored_rows = [(c, a) for c, activities in enumerate(stored, start=1) for a in activities]
    for c, a in stored_rows:
        day, title, minutes = COURSES[c]
        Record.objects.create(person=person, date=day, title=title, minutes=minutes, activity=a)
    rows = [
        Row(n, n + 1, {"date": COURSES[c][0], "title": COURSES[c][1], "minutes": str(COURSES[c][2])} | (
            {"activity": a} if a else {}
        ))
        for n, (c, a) in enumerate(file, start=1)
    ]  # fmt: skip

    report = import_records(rows, person, None, "file.csv")

    added, present = reference(stored_rows, file)
    assert (report.added, report.already_present, report.rows) == (len(added), present, len(file))
    records = Record.objects.filter(person=person)
    expected = sorted([(course(c), a) for c, a in stored_rows + added])
    got = sorted((((r.date.isoformat(), " ".join(r.title.split()).casefold(), r.minutes)), r.activity) for r in records)
    assert got == expected
    fresh = records.filter(import_run_id=report.run_id)
    assert HistoryEntry.objects.filter(
        object_type="records.record", action="create", object_id__in=[str(r.pk) for r in fresh]
    ).count() == len(added)
