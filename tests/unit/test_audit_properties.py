"""The engine against an independent exact reference (tests/unit/audit_reference.py) on random people.

complete, hours_needed and apply_by must always agree, and the allocation the engine reports must itself be
valid (each record once, only to a bucket it may serve, caps respected) and achieve the hours it reports.
``HYPOTHESIS_PROFILE=thorough`` runs ten times as many people.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certcredit.engine.audit import Audit, audit
from certcredit.engine.records import EducationRecord
from certcredit.rules.load import load_program
from tests.unit import audit_reference as ref

SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=False,
    )


MINUTES = st.sampled_from([45, 59, 60, 60, 61, 75, 80, 90, 90, 100, 120, 120, 150, 180, 240, 300])
FORMATS = st.sampled_from(
    ["in_person"] * 5 + ["live_online"] * 2 + ["recorded", "self_study", "self_study", "recorded", "teaching"]
)
TITLES = st.sampled_from(["Leading Teams", "leading   teams", "Budgets 101", "Ethics Today", ""])


CATEGORY = st.one_of(st.none(), st.sampled_from(ref.CATEGORIES))
AREA = st.sampled_from([None, None, *ref.AREAS])
TOPIC = st.sampled_from([None, None, None, *ref.TOPICS])
RAW = st.tuples(st.integers(0, 9), st.integers(0, 10**6), MINUTES, FORMATS, CATEGORY, AREA, TOPIC, TITLES)


@st.composite
def people(draw: st.DrawFn, months: int, most: int, topics: bool, areas_only: bool = False) -> tuple[dt.date, list]:
    """An as-of date and up to ``most`` records, a tenth near the window's start and a tenth near the as-of date."""
    as_of = dt.date(2021, 1, 1) + dt.timedelta(days=draw(st.integers(0, 3000)))
    start = ref.months_back(as_of, months)
    span = (as_of - start).days
    records = []
    for position, raw in enumerate(draw(st.lists(RAW, max_size=most)), start=1):
        kind, offset, minutes, fmt, category, area, topic, title = raw
        if kind == 0:
            day = start + dt.timedelta(days=offset % 5 - 2)
        elif kind == 1:
            day = as_of + dt.timedelta(days=offset % 22 - 1)
        else:
            day = start + dt.timedelta(days=offset % (span + 1))
        records.append(
            ref.Ref(
                position,
                day,
                minutes,
                fmt,
                None if areas_only else category,
                area,
                topic if topics else None,
                title if fmt == "teaching" else "",
            )
        )
    return as_of, records


def engine_records(records: list[ref.Ref]) -> list[EducationRecord]:
    return [
        EducationRecord(
            str(r.position), r.position, r.date, r.minutes, r.format, r.category, r.subject_area, r.topic, r.title
        )
        for r in records
    ]


def assert_allocation_is_valid(
    result: Audit, setup: ref.Setup, records: list[ref.Ref], specialty: str | None = None
) -> None:
    """The engine's own allocation, checked with the reference's reading of the rules."""
    by_id = {str(r.position): r for r in records}
    seen: set[str] = set()
    counted: dict[str, float] = defaultdict(float)
    per_format: dict[str, float] = defaultdict(float)
    total = 0.0
    for line in result.allocations:
        assert line.record not in seen, f"record {line.record} allocated twice"
        seen.add(line.record)
        record = by_id[line.record]
        assert 0 < line.hours <= record.minutes / 60 + 1e-4
        options = [setup.buckets[b] for b in _options_of(record, setup, specialty)]
        assert line.requirement in options or (line.requirement == "total" and setup.total is not None)
        counted[line.requirement] += line.hours
        per_format[record.format] += line.hours
        total += line.hours
    for formats, limit in setup.caps:
        assert sum(per_format[f] for f in formats) <= limit / 60 + 1e-3
    shortfall = 0.0
    for status in result.requirements:
        if status.id == "total":
            assert abs(status.counted_hours - total) < 1e-3
            continue
        assert abs(status.counted_hours - counted[status.id]) < 1e-3
        shortfall += max(0.0, status.required_hours - counted[status.id])
    needed = shortfall
    if setup.total is not None:
        needed = max(needed, setup.total / 60 - total)
    assert abs(result.hours_needed - max(0.0, needed)) < 1e-3


def _options_of(record: ref.Ref, setup: ref.Setup, specialty: str | None) -> list[int]:
    """The buckets the reference's reading allows this record."""
    options: list[int] = []
    area = record.subject_area or (ref.CATEGORY_AREA[record.category] if record.category else None)
    if setup.total is None:
        if record.category:
            options.append(ref.CATEGORIES.index(record.category))
        if specialty and area in ("HR", "FM", "OM", "LI") and area != specialty:
            options.append(5)
        return options
    if area:
        options.append(ref.AREAS.index(area))
    if record.topic:
        options.append(5 + ref.TOPICS.index(record.topic))
    return options


APPLICATION = load_program("clm-application")
SPECIALIST = load_program("clm-application-specialist")
RECERT = load_program("clm-recertification")


def _check_application(as_of: dt.date, records: list[ref.Ref], specialty: str | None) -> None:
    program = SPECIALIST if specialty else APPLICATION
    result = audit(program, engine_records(records), as_of, specialty)
    needed = ref.application_needed(records, as_of, specialty)
    assert round(result.hours_needed * 60) == needed
    assert result.complete == (needed == 0)
    assert_allocation_is_valid(result, ref.application_setup(records, as_of, specialty), records, specialty)
    if result.complete:
        assert result.apply_by == ref.application_apply_by(records, as_of, specialty)
    else:
        assert result.apply_by is None


@_settings(600)
@given(people(24, 14, topics=False))
def test_the_application_audit_agrees_with_the_reference(person: tuple[dt.date, list[ref.Ref]]) -> None:
    _check_application(*person, None)


@_settings(500)
@given(people(24, 9, topics=False))
def test_the_application_apply_by_agrees_with_a_day_by_day_scan(person: tuple[dt.date, list[ref.Ref]]) -> None:
    as_of, records = person
    # a dense person: every category present, so many are complete and the apply-by date matters
    filled = records + [
        ref.Ref(100 + k, as_of - dt.timedelta(days=40 * k + 3), 120, "in_person", c)
        for k, c in enumerate(ref.CATEGORIES)
    ]
    _check_application(as_of, filled, None)


@_settings(600)
@given(people(24, 22, topics=False), st.sampled_from(["HR", "FM", "OM", "LI"]))
def test_the_specialist_application_agrees_with_the_reference(
    person: tuple[dt.date, list[ref.Ref]], specialty: str
) -> None:
    _check_application(*person, specialty)


@_settings(500)
@given(people(24, 24, topics=False), st.sampled_from(["HR", "FM", "OM", "LI"]))
def test_a_specialist_with_many_records_agrees_with_the_reference(
    person: tuple[dt.date, list[ref.Ref]], specialty: str
) -> None:
    as_of, records = person
    extra = [
        ref.Ref(200 + k, as_of - dt.timedelta(days=30 * k + 1), 180, "in_person", c, a)
        for k, (c, a) in enumerate(zip(ref.CATEGORIES, ["HR", "FM", None, "LI", "OM"], strict=True))
    ]
    _check_application(as_of, records + extra, specialty)


def _check_recert(as_of: dt.date, records: list[ref.Ref]) -> None:
    result = audit(RECERT, engine_records(records), as_of)
    needed = ref.recert_needed(records, as_of)
    assert round(result.hours_needed * 60) == needed
    assert result.complete == (needed == 0)
    assert result.apply_by is None
    assert_allocation_is_valid(result, ref.recert_setup(records, as_of), records)


@_settings(800)
@given(people(36, 30, topics=True))
def test_the_recertification_audit_agrees_with_the_reference(person: tuple[dt.date, list[ref.Ref]]) -> None:
    _check_recert(*person)


@_settings(800)
@given(people(36, 40, topics=True, areas_only=True))
def test_a_recertification_with_many_topic_records_agrees_with_the_reference(
    person: tuple[dt.date, list[ref.Ref]],
) -> None:
    _check_recert(*person)
