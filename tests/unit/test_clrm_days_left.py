"""``paper_days_left`` in the audit object: days to the deadline while the paper is due, counted by hand."""

from __future__ import annotations

import datetime as dt

from certcredit.engine.clrm import audit_clrm

ACADEMIES = [
    {"date": "2025-01-10", "type": "academy_completed", "academy": "foundation"},
    {"date": "2025-03-10", "type": "academy_completed", "academy": "arbitration"},
    {"date": "2025-05-12", "type": "academy_completed", "academy": "negotiations"},
]


def days_left(events: list[dict[str, str]], as_of: str) -> object:
    return audit_clrm(events, dt.date.fromisoformat(as_of))["paper_days_left"]


def test_days_left_count_to_the_deadline_day_which_is_still_in_time() -> None:
    assert days_left(ACADEMIES, "2025-05-12") == 365  # 2025-05-12 to 2026-05-12
    assert days_left(ACADEMIES, "2026-04-12") == 30
    assert days_left(ACADEMIES, "2026-05-12") == 0


def test_there_are_no_days_left_to_count_before_completion_after_the_deadline_or_once_submitted() -> None:
    assert days_left(ACADEMIES[:2], "2025-04-01") is None
    assert days_left(ACADEMIES, "2026-05-13") is None  # retake_required
    submitted = [
        *ACADEMIES,
        {"date": "2025-06-01", "type": "arbitrator_approved"},
        {"date": "2025-06-15", "type": "orientation_attended"},
        {"date": "2025-09-01", "type": "paper_submitted"},
    ]
    assert days_left(submitted, "2025-10-01") is None  # under_review: the deadline no longer runs


def test_a_foundation_retake_restarts_the_count() -> None:
    retake = [*ACADEMIES, {"date": "2026-06-01", "type": "academy_completed", "academy": "foundation"}]
    assert days_left(retake, "2026-06-01") == 365  # 2026-06-01 to 2027-06-01
