"""The batch's short path gives exactly the object of the reference path (``audit_json(audit(...))``)."""

from __future__ import annotations

import datetime as dt
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certcredit.engine.audit import audit, records_from_items
from certcredit.engine.batch import audit_person
from certcredit.engine.report import audit_json
from certcredit.rules.load import load_program
from tests.unit import audit_reference as ref

SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1
RECERT = load_program("clm-recertification")
SPECIALIST = load_program("clm-application-specialist")

RECORD = st.fixed_dictionaries(
    {
        "date": st.dates(dt.date(2022, 1, 1), dt.date(2026, 8, 1)).map(dt.date.isoformat),
        "minutes": st.sampled_from([30, 59, 60, 90, 120, 180, 240, 480]),
    },
    optional={
        "id": st.sampled_from(["a", "b", 7, ""]),
        "format": st.sampled_from(["in_person", "recorded", "self_study", "teaching", "live_online"]),
        "category": st.sampled_from(ref.CATEGORIES),
        "subject_area": st.sampled_from(ref.AREAS),
        "topic": st.sampled_from(ref.TOPICS),
        "title": st.sampled_from(["Leading Teams", "leading  teams ", "Budgets", "", " "]),
    },
)
ODD = st.one_of(
    RECORD,
    st.just({"date": "2025-02-30", "minutes": 60}),
    st.just({"date": "2025-01-01", "minutes": "90", "subject_area": "HR"}),
    st.just({"date": "2025-01-01", "time": "9 - 10:30 am", "subject_area": "FM"}),
    st.just({"date": "2025-01-01", "minutes": 60, "format": "podcast"}),
    st.just(["not", "an", "object"]),
)


@settings(max_examples=400 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RECORD, max_size=30), st.lists(ODD, max_size=3), st.dates(dt.date(2025, 1, 1), dt.date(2026, 6, 30)))
def test_the_batch_short_path_equals_the_reference_path(records: list, odd: list, as_of: dt.date) -> None:
    for program, specialty in ((RECERT, None), (SPECIALIST, "OM")):
        for raw in (records, records + odd):
            fast, rejected, _ = audit_person(program, raw, as_of, specialty, 3)
            parsed, expected_rejected = records_from_items(raw, 3)
            slow = audit_json(audit(program, parsed, as_of, specialty, expected_rejected))
            assert fast == slow
            assert rejected == len(expected_rejected)
