"""The dates of a CLM credential (domain/clm.md R24, R25), each case computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certcredit.engine.credential import (
    LAPSED,
    RETIRED,
    REVOKED,
    SUPERSEDED,
    VALID,
    Standing,
    anniversary,
    cycle_end,
    cycle_start,
    is_late,
    recertification_deadline,
    state_on,
)
from certcredit.engine.reminders import ageing_out_due, apply_by_due, deadline_threshold
from certcredit.rules.credentials import credential_rules, parse_credential_rules
from certcredit.rules.load import RulebookError

CLM = credential_rules("clm")
D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("passed", "expected", "why"),
    [
        ("2025-06-30", "2025-06-30", "passed on the spring anniversary itself"),
        ("2025-04-12", "2025-06-30", "spring exam: 79 days before June 30, 137 after November 30"),
        ("2025-11-30", "2025-11-30", "passed on the fall anniversary itself"),
        ("2025-10-20", "2025-11-30", "fall exam: 41 days before November 30, 112 after June 30"),
        ("2025-12-20", "2025-11-30", "20 days after November 30 is nearer than 192 before June 30 2026"),
        ("2026-01-15", "2025-11-30", "46 days after November 30, 166 before June 30"),
        # June 30 to November 30 is 153 days (July 31 + August 31 + September 30 + October 31 + 30): September 14
        # is 76 days after June 30 and 77 before November 30; September 15 is 77 after and 76 before.
        ("2025-09-14", "2025-06-30", "the last day nearer June 30 (76 days against 77)"),
        ("2025-09-15", "2025-11-30", "the first day nearer November 30 (76 days against 77)"),
        # November 30 2025 to June 30 2026 is 212 days (no February 29): March 16 2026 is 106 days from both.
        ("2026-03-15", "2025-11-30", "105 days after November 30, 107 before June 30"),
        ("2026-03-16", "2026-06-30", "the exact midpoint: the tie goes to the later anniversary (setting)"),
        ("2026-03-17", "2026-06-30", "107 days after November 30, 105 before June 30"),
        # November 30 2027 to June 30 2028 is 213 days (February 29 2028): the midpoint 106.5 is no whole day.
        ("2028-03-15", "2027-11-30", "106 days after November 30, 107 before June 30"),
        ("2028-03-16", "2028-06-30", "107 days after November 30, 106 before June 30"),
    ],
)
def test_the_anniversary_is_the_nearer_of_june_30_and_november_30(passed: str, expected: str, why: str) -> None:
    assert anniversary(D(passed), CLM) == D(expected), why


def test_the_tie_setting_earlier_gives_the_midpoint_to_the_earlier_anniversary() -> None:
    earlier = CLM.model_copy(update={"tie": "earlier"})
    assert anniversary(D("2026-03-16"), earlier) == D("2025-11-30")
    assert anniversary(D("2026-03-17"), earlier) == D("2026-06-30")  # no tie: unchanged


def test_each_cycle_ends_three_years_after_the_previous_one() -> None:
    assert cycle_end(D("2025-06-30"), 1, CLM) == D("2028-06-30")
    assert cycle_end(D("2025-06-30"), 2, CLM) == D("2031-06-30")
    assert cycle_start(D("2025-06-30"), 1, CLM) == D("2025-06-30")
    assert cycle_start(D("2025-06-30"), 2, CLM) == D("2028-06-30")
    with pytest.raises(ValueError, match="numbered from 1"):
        cycle_end(D("2025-06-30"), 0, CLM)


def test_the_recertification_deadline_is_the_cycles_end_with_no_grace() -> None:
    end = D("2028-11-30")
    assert recertification_deadline(end, CLM) == end
    assert not is_late(D("2028-11-30"), end, CLM)  # on the day: accepted
    assert is_late(D("2028-12-01"), end, CLM)  # a day after: refused (R25)
    graceful = CLM.model_copy(update={"grace_days": 30})
    assert not is_late(D("2028-12-30"), end, graceful)
    assert is_late(D("2028-12-31"), end, graceful)


def test_the_state_now_follows_the_status_and_the_deadline() -> None:
    until = D("2028-06-30")
    assert state_on("certified", until, D("2028-06-01"), CLM) == Standing(VALID, 29)
    assert state_on("certified", until, D("2028-06-30"), CLM).state == VALID
    assert state_on("certified", until, D("2028-07-01"), CLM).state == LAPSED  # past the deadline, not recertified
    assert state_on("lapsed", until, D("2027-01-01"), CLM).state == LAPSED
    assert state_on("revoked", until, D("2027-01-01"), CLM).state == REVOKED
    assert state_on("revoked", until, D("2027-01-01"), CLM, superseded=True).state == REVOKED
    assert state_on("certified", until, D("2027-01-01"), CLM, superseded=True).state == SUPERSEDED
    assert state_on("retired", None, D("2027-01-01"), CLM).state == RETIRED


@given(st.dates(min_value=dt.date(1998, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_no_anniversary_is_nearer_than_the_one_chosen(passed: dt.date) -> None:
    chosen = anniversary(passed, CLM)
    assert (chosen.month, chosen.day) in {(6, 30), (11, 30)}
    distance = abs((chosen - passed).days)
    assert distance <= 106  # half of the longer gap (213 days), rounded down
    for year in range(passed.year - 1, passed.year + 2):
        for month in (6, 11):
            assert abs((dt.date(year, month, 30) - passed).days) >= distance


def test_a_broken_credential_rulebook_names_the_file_and_the_field() -> None:
    text = "family: clm\nname: x\nabbreviation: X\nretired_name: X\n"
    text += "exam_programs: []\nrecertification_program: r\nanniversaries: ['13-30']\ncycle_months: 36\n"
    text += "grace_days: 0\nrecertifications_before_retirement: 1\n"
    with pytest.raises(RulebookError, match=r"clm-broken.yaml: anniversaries: .*'13-30' is not a month-day"):
        parse_credential_rules(text, "clm-broken.yaml")


def test_a_date_at_the_ends_of_the_calendar_is_refused_with_the_year() -> None:
    with pytest.raises(ValueError, match="year 1 has no anniversary"):
        anniversary(dt.date(1, 1, 1), CLM)
    with pytest.raises(ValueError, match="year 9999 has no anniversary"):
        anniversary(dt.date(9999, 12, 31), CLM)


@pytest.mark.parametrize(
    ("today", "threshold"),
    [("2028-03-01", None), ("2028-04-01", 90), ("2028-05-30", 90), ("2028-05-31", 30), ("2028-06-22", 30),
     ("2028-06-23", 7), ("2028-06-30", 7), ("2028-07-01", None)],
)  # fmt: skip
def test_the_tightest_reminder_threshold_reached_before_the_deadline(today: str, threshold: int | None) -> None:
    # 2028-06-30 minus 90 days is 2028-04-01; minus 30 is 2028-05-31; minus 7 is 2028-06-23 (counted by hand)
    assert deadline_threshold(D("2028-06-30"), D(today), CLM) == threshold


def test_apply_by_and_ageing_out_notices_fall_within_their_settings() -> None:
    assert apply_by_due(D("2026-07-01"), D("2026-06-01"), CLM)  # 30 days ahead
    assert not apply_by_due(D("2026-07-02"), D("2026-06-01"), CLM)  # 31
    assert not apply_by_due(None, D("2026-06-01"), CLM)
    assert ageing_out_due(D("2026-08-30"), D("2026-06-01"), CLM)  # 90 days ahead
    assert not ageing_out_due(D("2026-08-31"), D("2026-06-01"), CLM)
    assert not ageing_out_due(D("2026-05-31"), D("2026-06-01"), CLM)
