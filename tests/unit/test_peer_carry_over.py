"""Issue 16: the peer programs to the letter. Carry-over of earned or credited hours, the rule version that bounds
it, first cycles, SHRM's grace period, and the words people read around them.

Every expected figure was worked out by hand from the rule cited above the case, before the tool was run; the
comment shows the arithmetic. Sources: ../shared/domain/clrm-and-peers.md section 4 ("SHRM-CP / SHRM-SCP",
"PMI PMP", "Texas MCLE"), and the Texas MCLE rule that only excess *credit* carries forward (issue 16).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certcredit.engine.audit import Audit, audit
from certcredit.engine.outlook import Deadline, Outlook
from certcredit.engine.planning_report import outlook_table
from certcredit.engine.records import EducationRecord
from certcredit.engine.report import audit_json, render_table
from certcredit.rules.load import load_program

D = dt.date
H = 60
PMI = load_program("pmi-pmp-renewal")
SHRM = load_program("shrm-recertification")
TX = load_program("tx-mcle")
TX_END = D(2026, 5, 31)  # the compliance year 2025-06-01 .. 2026-05-31; the one before ends 2025-05-31


class Person:
    def __init__(self) -> None:
        self.records: list[EducationRecord] = []

    def add(self, day: dt.date, minutes: int, activity: str | None, fmt: str = "in_person", title: str = "") -> str:
        position = len(self.records) + 1
        self.records.append(
            EducationRecord(f"r{position}", position, day, minutes, fmt, title=title, activity=activity)
        )
        return f"r{position}"


def line(result: Audit, requirement: str) -> tuple[float, float, bool]:
    s = next(s for s in result.requirements if s.id == requirement)
    return s.counted_hours, s.required_hours, s.met


def placed(result: Audit, record: str) -> list[tuple[str, float]]:
    return [(p.requirement, p.hours) for p in result.allocations if p.record == record]


def table_line(table: str, start: str) -> str:
    return next(t for t in table.splitlines() if t.startswith(start))


# --- Texas: only credited hours carry ----------------------------------------------------------------------------


def test_tx_a_year_of_ten_self_study_hours_carries_only_its_credited_excess() -> None:
    # Texas MCLE: self-study counts for at most 3 hours a year, and only excess *credit* carries.
    # Previous year: 10 self-study (3 credited) + 12 general in person + 3 ethics = 18 credited, 3 beyond 15.
    # (Counting every hour earned would carry 25 - 15 = 10.) This year: 3 ethics + 5 general = 8, plus 3 carried
    # = 11 of 15: 4 needed. The old reading made it 8 + 10 = 18, complete.
    p = Person()
    p.add(D(2024, 9, 1), 10 * H, "general", "self_study")
    p.add(D(2024, 9, 2), 12 * H, "general")
    p.add(D(2024, 9, 3), 3 * H, "ethics")
    p.add(D(2025, 9, 1), 3 * H, "ethics")
    p.add(D(2025, 9, 2), 5 * H, "general")
    result = audit(TX, p.records, TX_END)
    assert placed(result, "carry-over") == [("total", 3)]
    assert result.hours_needed == 4 and not result.complete
    carry = audit_json(result)["carry_over"]
    assert carry["counts"] == "credited" and carry["hours"] == 3


def test_tx_carried_self_study_credit_does_not_escape_this_years_self_study_cap() -> None:
    # Previous year 10 self-study + 15 general + 3 ethics: 3 + 15 + 3 = 21 credited, 6 carry. This year 5 hours of
    # self-study credit 3 (the cap), 3 ethics: 6 + 6 carried = 12 of 15, 3 needed.
    p = Person()
    p.add(D(2024, 9, 1), 10 * H, "general", "self_study")
    p.add(D(2024, 9, 2), 15 * H, "general")
    p.add(D(2024, 9, 3), 3 * H, "ethics")
    p.add(D(2025, 9, 1), 3 * H, "ethics")
    ss = p.add(D(2025, 9, 2), 5 * H, "general", "self_study")
    result = audit(TX, p.records, TX_END)
    assert placed(result, "carry-over") == [("total", 6)] and placed(result, ss) == [("total", 3)]
    assert result.hours_needed == 3


def test_tx_up_to_three_carried_hours_count_as_ethics() -> None:
    # Texas: of the hours carried forward, up to 3 may be ethics. Previous year 6 ethics + 12 general = 18, 3 beyond;
    # ethics had 6 - 3 = 3 beyond its own minimum, so the 3 carried may count as ethics. This year 12 general and no
    # ethics: ethics 3 (carried), total 12 + 3 = 15: complete.
    p = Person()
    p.add(D(2024, 9, 1), 6 * H, "ethics")
    p.add(D(2024, 9, 2), 12 * H, "general")
    p.add(D(2025, 9, 1), 12 * H, "general")
    result = audit(TX, p.records, TX_END)
    assert result.complete and placed(result, "carry-over") == [("ethics", 3)]
    assert audit_json(result)["carry_over"]["also"] == {"ethics": 3.0}
    assert "up to 3.00 of them may count for ethics" in render_table(result)


def test_tx_no_more_than_three_carried_hours_count_as_ethics() -> None:
    # Previous year 10 ethics + 10 general = 20, 5 beyond; ethics 7 beyond its minimum, so 3 may be ethics (the
    # limit) and 2 are general. This year 2 general: ethics 3 (carried), total 2 + 5 = 7: 8 needed.
    p = Person()
    p.add(D(2024, 9, 1), 10 * H, "ethics")
    p.add(D(2024, 9, 2), 10 * H, "general")
    p.add(D(2025, 9, 1), 2 * H, "general")
    result = audit(TX, p.records, TX_END)
    assert line(result, "ethics") == (3, 3, True)
    assert sorted(placed(result, "carry-over")) == [("ethics", 3), ("total", 2)]
    assert result.hours_needed == 8


def test_tx_only_ethics_credit_beyond_three_carries_as_ethics() -> None:
    # Previous year: 3 ethics in person, 2 ethics self-study, 12 general. A record counts whole for one requirement:
    # as ethics the self-study one would give 1 (the ethics self-study limit), as general 2, and ethics is met
    # without it, so it counts 2 as general. Credit 17, 2 carry; ethics *credit* was 3, none beyond its minimum, so
    # no carried hour counts as ethics (counting the ethics records' credit instead would have made it 2).
    # This year 2 ethics and 11 general: ethics 2 of 3, total 13 + 2 = 15: 1 ethics hour needed.
    p = Person()
    p.add(D(2024, 9, 1), 3 * H, "ethics")
    p.add(D(2024, 9, 2), 2 * H, "ethics", "self_study")
    p.add(D(2024, 9, 3), 12 * H, "general")
    p.add(D(2025, 9, 1), 2 * H, "ethics")
    p.add(D(2025, 9, 2), 11 * H, "general")
    result = audit(TX, p.records, TX_END)
    assert audit_json(result)["carry_over"]["also"] == {}
    assert placed(result, "carry-over") == [("total", 2)] and result.hours_needed == 1


def test_tx_carried_general_hours_never_count_as_ethics() -> None:
    # Previous year 3 ethics + 20 general: 8 beyond, none of it ethics (ethics had nothing beyond its 3). This year
    # 7 general: total 7 + 8 = 15, ethics 0 of 3: 3 needed.
    p = Person()
    p.add(D(2024, 9, 1), 3 * H, "ethics")
    p.add(D(2024, 9, 2), 20 * H, "general")
    p.add(D(2025, 9, 1), 7 * H, "general")
    result = audit(TX, p.records, TX_END)
    assert placed(result, "carry-over") == [("total", 8)] and result.hours_needed == 3


quarter_hours = st.integers(min_value=0, max_value=40).map(lambda q: q * 15)
# An ethics self-study record over the 1-hour ethics self-study limit is left to the hand-computed test below: the
# record counts whole for one requirement (RULES.md, never split), which the simple count here cannot express.
tx_record = st.tuples(
    quarter_hours, st.sampled_from(["general", "ethics"]), st.sampled_from(["in_person", "self_study"])
).filter(lambda r: not (r[1] == "ethics" and r[2] == "self_study" and r[0] > 60))


@settings(max_examples=40, deadline=None)
@given(previous=st.lists(tx_record, max_size=8), current=st.lists(tx_record, max_size=4))
def test_tx_no_carried_hour_was_ever_beyond_a_cap_in_the_year_it_was_earned(
    previous: list[tuple[int, str, str]], current: list[tuple[int, str, str]]
) -> None:
    # An independent count of the previous year's credit: every in-person hour, and self-study up to the 3-hour cap
    # (an ethics self-study hour beyond ethics' own 1 still counts as general). The year is complete when ethics
    # has 3 (in person, plus at most 1 of self-study) and the credit reaches 15. What carries is the credit beyond
    # 15, at most 15 hours: never an hour a cap had cut.
    p = Person()
    for day, (minutes, activity, fmt) in enumerate(previous, start=1):
        p.add(D(2024, 7, day), minutes, activity, fmt)
    for day, (minutes, activity, fmt) in enumerate(current, start=1):
        p.add(D(2025, 7, day), minutes, activity, fmt)
    in_person = sum(m for m, _, f in previous if f == "in_person")
    self_study = sum(m for m, _, f in previous if f == "self_study")
    ethics = sum(m for m, a, f in previous if a == "ethics" and f == "in_person")
    ethics += min(60, sum(m for m, a, f in previous if a == "ethics" and f == "self_study"))
    credited = in_person + min(180, self_study)
    complete = ethics >= 180 and credited >= 900
    result = audit(TX, p.records, TX_END)
    carried = sum(h for r, h in placed(result, "carry-over"))
    carry = audit_json(result)["carry_over"]
    if not previous:
        assert carry["status"] == "nothing_given"
    elif complete:
        assert carry["status"] == ("carried" if credited > 900 else "no_excess")
        assert carry["hours"] == min(15, (credited - 900) / 60)
        assert carried <= carry["hours"] <= (credited - 900) / 60
    else:
        assert carry["status"] == "previous_incomplete" and carried == 0


def test_tx_an_ethics_self_study_record_is_not_split_between_ethics_and_general_hours() -> None:
    # Previous year: 2 ethics in person, 3 ethics self-study, 10 general. Whole records only: the self-study record
    # as ethics gives 1 (its limit), total 13; as general 3, total 15 but ethics 2 of 3. Either way the year is not
    # complete, so nothing carries (a count that split the record would call it complete).
    p = Person()
    p.add(D(2024, 7, 1), 2 * H, "ethics")
    p.add(D(2024, 7, 2), 3 * H, "ethics", "self_study")
    p.add(D(2024, 7, 3), 10 * H, "general")
    result = audit(TX, p.records, TX_END)
    assert audit_json(result)["carry_over"]["status"] == "previous_incomplete"
    assert not placed(result, "carry-over")


# --- SHRM: earned hours, and the policy's own start ------------------------------------------------------------


def test_shrm_a_cycle_that_ended_before_the_carry_over_policy_carries_nothing() -> None:
    # SHRM's carry-over dates from 1 August 2019. The cycle ending 2021-05-31 (2021 rules, which carry) follows one
    # ending 2018-05-31, judged by the 2018 rules, which had no carry-over: its 80 PDCs carry nothing. This cycle's
    # 40 Education: 20 needed.
    p = Person()
    p.add(D(2017, 1, 10), 80 * H, "education")
    p.add(D(2020, 1, 10), 40 * H, "education")
    result = audit(SHRM, p.records, D(2021, 5, 31))
    assert result.rules_version == "shrm-recertification@2021-01-01"
    assert result.hours_needed == 20 and not placed(result, "carry-over")
    carry = audit_json(result)["carry_over"]
    assert carry["status"] == "no_carry_rule" and carry["rules_version"] == "shrm-recertification@2018-01-01"
    assert (
        "nothing carried over: the rules in force for the cycle ending 2018-05-31 "
        "(shrm-recertification@2018-01-01) allow no carry-over" in render_table(result)
    )


def test_shrm_a_cycle_that_ended_after_the_policy_carries_20() -> None:
    # The same records a cycle later: the previous cycle ends 2019-12-31, under the rules of 1 August 2019: 80 earned,
    # 20 beyond 60, all carry into Education; 40 + 20 = 60: complete.
    p = Person()
    p.add(D(2018, 1, 10), 80 * H, "education")
    p.add(D(2021, 1, 10), 40 * H, "education")
    result = audit(SHRM, p.records, D(2022, 12, 31))
    assert result.complete and placed(result, "carry-over") == [("education", 20)]


def test_shrm_carries_earned_pdcs_beyond_a_category_maximum_as_its_example_does() -> None:
    # SHRM's example: 50 Profession earned (30 count) + 30 Education = 80 earned, 20 beyond 60 carry, although only
    # 60 counted. Earned, not credited.
    p = Person()
    p.add(D(2021, 1, 10), 50 * H, "profession")
    p.add(D(2021, 2, 10), 30 * H, "education")
    p.add(D(2024, 1, 10), 40 * H, "education")
    result = audit(SHRM, p.records, D(2025, 12, 31))
    carry = audit_json(result)["carry_over"]
    assert carry["counts"] == "earned" and carry["hours"] == 20 and result.complete


def test_a_first_cycle_without_previous_records_says_nothing_was_given() -> None:
    # No record is dated in the cycle ending 2022-12-31: nothing was given, which is not "was not complete".
    p = Person()
    p.add(D(2024, 1, 10), 40 * H, "education")
    result = audit(SHRM, p.records, D(2025, 12, 31))
    table = render_table(result)
    assert "nothing carried over: no records were given for the cycle ending 2022-12-31" in table
    assert "was not complete" not in table
    assert audit_json(result)["carry_over"]["status"] == "nothing_given"


def test_an_incomplete_previous_cycle_still_says_it_was_not_complete() -> None:
    p = Person()
    p.add(D(2021, 1, 10), 50 * H, "education")
    p.add(D(2024, 1, 10), 30 * H, "education")
    result = audit(SHRM, p.records, D(2025, 12, 31))
    assert "nothing carried over: the cycle ending 2022-12-31 was not complete" in render_table(result)


def test_the_records_that_produced_a_carry_over_are_linked_to_it() -> None:
    # The SHRM example again: r1 and r2 made the previous cycle's 80; they are "outside the window" of this one and
    # the audit says their excess carried over, in the table and in JSON.
    p = Person()
    p.add(D(2021, 1, 10), 50 * H, "profession")
    p.add(D(2021, 2, 10), 30 * H, "education")
    p.add(D(2024, 1, 10), 40 * H, "education")
    result = audit(SHRM, p.records, D(2025, 12, 31))
    data = audit_json(result)
    assert data["carry_over"]["records"] == ["r1", "r2"]
    assert [u for u in data["unused"] if u["record"] == "r1"] == [
        {"record": "r1", "reason": "outside the window", "carry_over": True}
    ]
    table = render_table(result)
    assert "from records r1, r2" in table
    assert "r1: outside the window (it counted in the cycle ending 2022-12-31, whose excess carried over)" in table


# --- SHRM's grace period ----------------------------------------------------------------------------------------


def test_shrm_pdcs_earned_in_the_grace_period_count_where_the_ended_cycle_needs_them() -> None:
    # From 1 August 2019 PDCs earned in the 60 days after the end date count (late fee). Cycle to 2025-12-31, grace
    # to 2026-03-01. 50 in the cycle, 6 on 2026-01-15 and 8 on 2026-02-10: 10 are needed, the earlier record gives
    # its 6, the later 4 of its 8: complete. A record of 2026-03-02 is after the grace period.
    p = Person()
    p.add(D(2024, 1, 10), 50 * H, "education")
    jan = p.add(D(2026, 1, 15), 6 * H, "education")
    feb = p.add(D(2026, 2, 10), 8 * H, "education")
    late = p.add(D(2026, 3, 2), 5 * H, "education")
    result = audit(SHRM, p.records, D(2025, 12, 31))
    assert result.complete
    assert placed(result, jan) == [("education", 6)] and placed(result, feb) == [("education", 4)]
    assert audit_json(result)["grace"] == {"until": "2026-03-01", "records": [jan, feb]}
    assert next(u.reason for u in result.unused if u.record == late) == "after the as-of date"
    # The next cycle (to 2028-12-31): the January record is spent; 4 of February's 8 are left, and 5 from March.
    # The previous cycle had exactly 60: nothing carries. 4 + 5 = 9 of 60: 51 needed.
    after = audit(SHRM, p.records, D(2028, 12, 31))
    reason = next(u.reason for u in after.unused if u.record == jan)
    assert reason == "counted for the cycle ending 2025-12-31 (earned in its grace period)"
    assert placed(after, feb) == [("education", 4)] and after.hours_needed == 51


def test_shrm_a_complete_cycle_takes_nothing_from_its_grace_period() -> None:
    p = Person()
    p.add(D(2024, 1, 10), 60 * H, "education")
    jan = p.add(D(2026, 1, 15), 6 * H, "education")
    result = audit(SHRM, p.records, D(2025, 12, 31))
    assert result.complete and not placed(result, jan)
    assert audit_json(result)["grace"] == {"until": "2026-03-01", "records": []}
    assert "grace period" not in render_table(result)  # said only where it matters: used, or the cycle short
    assert placed(audit(SHRM, p.records, D(2028, 12, 31)), jan) == [("education", 6)]


def test_the_2018_rules_had_no_grace_period() -> None:
    p = Person()
    p.add(D(2018, 3, 1), 55 * H, "education")
    jan = p.add(D(2019, 7, 15), 5 * H, "education")
    result = audit(SHRM, p.records, D(2019, 6, 30))
    assert result.hours_needed == 5 and not placed(result, jan) and "grace" not in audit_json(result)


# --- first cycles -----------------------------------------------------------------------------------------------


def test_tx_a_new_lawyers_first_year_counts_up_to_24_months_and_a_12_month_look_back() -> None:
    # Texas: the initial compliance year is up to 24 months, and CLE in the 12 months before it counts. Admitted
    # 2024-08-01, year ending 2026-05-31 (22 months): records from 2023-08-01 count. 10 general (look-back) + 3
    # ethics + 2 general = 15: complete; the record of 2023-07-31 is outside; nothing carries into a first year.
    p = Person()
    before = p.add(D(2023, 7, 31), 5 * H, "general")
    p.add(D(2023, 9, 1), 10 * H, "general")
    p.add(D(2025, 1, 10), 3 * H, "ethics")
    p.add(D(2026, 1, 10), 2 * H, "general")
    result = audit(TX, p.records, TX_END, cycle_start=D(2024, 8, 1))
    assert result.complete and result.window_from == D(2023, 8, 1) and result.window_from_inclusive
    assert next(u.reason for u in result.unused if u.record == before) == "outside the window"
    data = audit_json(result)
    assert data["carry_over"]["status"] == "first_cycle" and data["first_cycle"] == {"start": "2024-08-01"}
    assert "nothing carried over: this is the person's first cycle" in render_table(result)


def test_tx_a_first_year_longer_than_24_months_is_an_error() -> None:
    with pytest.raises(ValueError, match="at most 24 months"):
        audit(TX, [], TX_END, cycle_start=D(2024, 5, 31))


def test_pmi_a_shortened_first_cycle_prorates_every_minimum_and_maximum() -> None:
    # A first cycle from 2024-07-01 to 2026-06-30 covers 730 of the usual 1096 days. To the nearest quarter PDU:
    # total 60 x 730/1096 = 39.96 -> 40.00; Education 35 -> 23.31 -> 23.25; each area 8 -> 5.33 -> 5.25; Giving
    # Back at most 25 -> 16.65 -> 16.75; practitioner at most 8 -> 5.25. 5.25 + 5.25 + 12.75 Education and 20
    # Giving Back (16.75 count) make 40: complete.
    p = Person()
    old = p.add(D(2024, 6, 30), 10 * H, "ways_of_working")
    p.add(D(2024, 8, 1), 315, "ways_of_working")
    p.add(D(2024, 9, 1), 315, "power_skills")
    p.add(D(2024, 10, 1), 765, "business_acumen")
    gb = p.add(D(2024, 11, 1), 20 * H, "giving_back")
    result = audit(PMI, p.records, D(2026, 6, 30), cycle_start=D(2024, 7, 1))
    assert line(result, "total")[1] == 40 and line(result, "education")[1] == 23.25
    assert line(result, "ways_of_working")[1] == 5.25
    assert result.nested is not None and result.nested.max_hours["giving_back"] == 16.75
    assert result.nested.max_hours["work_as_practitioner"] == 5.25
    assert placed(result, gb) == [("giving_back", 16.75)] and result.complete
    assert next(u.reason for u in result.unused if u.record == old) == "outside the window"


def test_a_program_without_a_first_cycle_rule_refuses_a_cycle_start() -> None:
    with pytest.raises(ValueError, match="no first-cycle rule"):
        audit(SHRM, [], D(2025, 12, 31), cycle_start=D(2024, 1, 1))
    with pytest.raises(ValueError, match="no first-cycle rule"):
        audit(load_program("clm-recertification"), [], D(2025, 12, 31), cycle_start=D(2024, 1, 1))


# --- PMI: Giving Back above its cap -----------------------------------------------------------------------------


def test_pmi_giving_back_above_its_25_does_not_carry() -> None:
    # PMI's handbook caps Giving Back at 25 PDUs in a cycle; the rulebook carries credited PDUs only. Previous cycle
    # (to 2023-06-30): 10 + 10 + 15 Education and 35 Giving Back in its final year: 70 earned, 35 + 25 = 60 credited,
    # nothing beyond 60. This cycle: 50 PDUs, 10 needed.
    p = Person()
    p.add(D(2021, 1, 10), 10 * H, "ways_of_working")
    p.add(D(2021, 2, 10), 10 * H, "power_skills")
    p.add(D(2021, 3, 10), 15 * H, "business_acumen")
    p.add(D(2023, 3, 1), 35 * H, "giving_back")
    p.add(D(2024, 1, 10), 10 * H, "ways_of_working")
    p.add(D(2024, 2, 10), 10 * H, "power_skills")
    p.add(D(2024, 3, 10), 15 * H, "business_acumen")
    p.add(D(2024, 4, 10), 15 * H, "giving_back")
    result = audit(PMI, p.records, D(2026, 6, 30))
    assert result.hours_needed == 10 and not placed(result, "carry-over")
    assert audit_json(result)["carry_over"]["status"] == "no_excess"
    assert "nothing carried over: the cycle ending 2023-06-30 had no credited PDUs beyond its total" in render_table(
        result
    )


# --- words people read -------------------------------------------------------------------------------------------


def pmi_short_person() -> Person:
    """Education 34.75 (10 + 10 + 14.75), no Giving Back."""
    p = Person()
    p.add(D(2024, 1, 10), 10 * H, "ways_of_working")
    p.add(D(2024, 2, 10), 10 * H, "power_skills")
    p.add(D(2024, 3, 10), 14 * H + 45, "business_acumen")
    return p


def test_limit_only_requirements_are_shown_as_limits_not_as_met() -> None:
    # Giving Back and work as a practitioner have no minimum: nothing counted there is no achievement.
    result = audit(PMI, pmi_short_person().records, D(2026, 6, 30))
    data = audit_json(result)
    giving_back = next(r for r in data["requirements"] if r["id"] == "giving_back")
    assert giving_back["limit"] is True and giving_back["max_hours"] == 25
    assert all("limit" not in r for r in data["requirements"] if r["id"] in ("education", "total"))
    row = table_line(render_table(result), "· giving_back")
    assert "limit" in row and "✓" not in row and "at most 25.00" in row
    shrm = render_table(audit(SHRM, [], D(2025, 12, 31)))
    assert table_line(shrm, "· education").endswith("no minimum")


def test_a_bar_short_of_its_requirement_is_never_full() -> None:
    # 34.75 of 35 is 99.3 %: the bar keeps one empty cell beside the cross.
    table = render_table(audit(PMI, pmi_short_person().records, D(2026, 6, 30)))
    row = table_line(table, "✗ education")
    assert "34.75" in row and "░" in row and "███████████████████" in row


def test_capped_names_the_limit_that_cut_the_record() -> None:
    # Texas: 5 hours of self-study count 3 (the self-study cap), named with its figure.
    p = Person()
    ss = p.add(D(2025, 9, 1), 5 * H, "general", "self_study")
    result = audit(TX, p.records, TX_END)
    assert next(a for a in audit_json(result)["allocations"] if a["record"] == ss)["capped_by"] == ["self_study"]
    assert "capped by self_study (at most 3.00 hours of recorded, self_study)" in render_table(result)


def test_capped_names_the_category_total_when_it_is_that_which_cut() -> None:
    # SHRM: 25 Profession on 10 January and a 10-PDC presentation on 10 February (its own limit is 20): Profession's
    # 30 is full, so the later record, the presentation, counts 5 of its 10, cut by Profession's maximum, not by the
    # presentation limit.
    p = Person()
    prof = p.add(D(2024, 1, 10), 25 * H, "profession")
    talk = p.add(D(2024, 2, 10), 10 * H, "presentation", "teaching", title="Pay equity")
    result = audit(SHRM, p.records, D(2025, 12, 31))
    assert placed(result, prof) == [("profession", 25)] and placed(result, talk) == [("presentation", 5)]
    cut = next(a for a in audit_json(result)["allocations"] if a["record"] == talk)
    assert cut["capped_by"] == ["profession"]
    assert "capped by profession (at most 30.00 PDCs)" in render_table(result)


def test_the_earlier_record_counts_first_across_requirements_under_one_maximum() -> None:
    # The same two records listed the other way round and dated the other way round: now the presentation
    # (10 January) is the earlier and counts in full, and the Profession record (10 February) gives 20 of its 25.
    p = Person()
    talk = p.add(D(2024, 1, 10), 10 * H, "presentation", "teaching", title="Pay equity")
    prof = p.add(D(2024, 2, 10), 25 * H, "profession")
    result = audit(SHRM, p.records, D(2025, 12, 31))
    assert placed(result, talk) == [("presentation", 10)] and placed(result, prof) == [("profession", 20)]


def test_the_earlier_first_rule_never_costs_a_requirement() -> None:
    # PMI: an earlier Giving Back record and a later practitioner one would both like Giving Back's 25; moving hours
    # to the earlier must not break the practitioner's own maximum, nor change the totals: 20 Giving Back (January)
    # and 8 practitioner (February): Giving Back at most 25, so January gives 20 and February 5 (of 8).
    p = Person()
    gb = p.add(D(2024, 1, 10), 20 * H, "giving_back")
    prac = p.add(D(2024, 2, 10), 8 * H, "work_as_practitioner")
    result = audit(PMI, p.records, D(2026, 6, 30))
    assert placed(result, gb) == [("giving_back", 20)] and placed(result, prac) == [("work_as_practitioner", 5)]
    assert line(result, "giving_back")[0] == 25 and result.hours_needed == 35


def test_when_records_compete_for_a_cap_the_earlier_one_counts_first() -> None:
    # Texas self-study is capped at 3. Two 2-hour self-study records, the later one listed first: the earlier
    # (1 September) counts in full, the later (1 October) 1 of its 2.
    p = Person()
    later = p.add(D(2025, 10, 1), 2 * H, "general", "self_study")
    earlier = p.add(D(2025, 9, 1), 2 * H, "general", "self_study")
    result = audit(TX, p.records, TX_END)
    assert placed(result, earlier) == [("total", 2)] and placed(result, later) == [("total", 1)]


def test_each_program_names_its_own_unit_in_every_output() -> None:
    pmi = audit(PMI, pmi_short_person().records, D(2026, 6, 30))
    assert audit_json(pmi)["unit"] == {"one": "PDU", "many": "PDUs"}
    table = render_table(pmi)
    assert "NOT COMPLETE: 25.25 more PDUs needed" in table and "r1: ways_of_working 10.00 PDUs" in table
    assert audit_json(audit(SHRM, [], D(2025, 12, 31)))["unit"]["many"] == "PDCs"
    assert audit_json(audit(TX, [], TX_END))["unit"]["many"] == "hours"
    clm = audit(load_program("clm-recertification"), [], D(2025, 12, 31))
    assert "unit" not in audit_json(clm) and "more hours needed" in render_table(clm)


def deadline(today: dt.date, end: dt.date) -> Outlook:
    days = max(0, (end - today).days)
    return Outlook(None, Deadline(today, end, days, 0.0, 0.25, None, 34.75, 1.0, False))


def test_on_a_cycles_last_day_the_outlook_does_not_say_it_has_ended() -> None:
    last_day = outlook_table(deadline(D(2026, 6, 30), D(2026, 6, 30)), "PDUs")
    assert "the cycle ends today: 0.25 PDUs still needed (today's activities count)" in last_day
    assert "has ended" not in last_day
    after = outlook_table(deadline(D(2026, 7, 1), D(2026, 6, 30)), "PDUs")
    assert "the cycle has ended 0.25 PDUs short" in after


# --- the command line --------------------------------------------------------------------------------------------


def test_the_cli_takes_a_first_cycles_start_and_refuses_a_bad_one(tmp_path) -> None:
    # The Texas first year of the test above, through `certcredit audit --cycle-start`.
    from typer.testing import CliRunner

    from certcredit.cli import _register, app

    _register()
    rows = [
        {"id": "a", "date": "2023-09-01", "minutes": 600},
        {"id": "b", "date": "2025-01-10", "minutes": 180, "activity": "ethics"},
        {"id": "c", "date": "2026-01-10", "minutes": 120},
    ]
    path = tmp_path / "tx.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    base = ["audit", str(path), "--program", "tx-mcle", "--as-of", "2026-05-31", "--today", "2026-01-01"]
    result = CliRunner().invoke(app, [*base, "--cycle-start", "2024-08-01", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["complete"] and data["first_cycle"] == {"start": "2024-08-01"}
    bad = CliRunner().invoke(app, [*base, "--cycle-start", "2024-13-01"])
    assert bad.exit_code == 2 and "unreadable --cycle-start date '2024-13-01'" in bad.stderr
    refused = CliRunner().invoke(app, [*base[:3], "shrm-recertification", *base[4:], "--cycle-start", "2024-08-01"])
    assert refused.exit_code == 2 and "no first-cycle rule" in refused.stderr


# --- the earlier-first rule changes no verdict -------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 40), st.sampled_from(["education", "profession", "presentation", "blog_post"])),
        max_size=10,
    )
)
def test_earlier_first_keeps_the_brute_force_answer_and_every_maximum(people: list[tuple[int, str]]) -> None:
    # Records on different days (so the rule has something to order): hours needed stay the brute-force reference's
    # (tests/unit/nested_reference.py, which ignores dates), every maximum holds, and no record is cut while a
    # later record under the same single maximum counts.
    from tests.unit.nested_reference import SHRM_HOME, SHRM_TREE, Small, needed_tree

    p = Person()
    for day, (hours, activity) in enumerate(people, start=1):
        p.add(
            D(2024, 1, day), hours * H, activity, "teaching" if activity == "presentation" else "in_person", f"t{day}"
        )
    result = audit(SHRM, p.records, D(2025, 12, 31))
    assert result.hours_needed == needed_tree(SHRM_TREE, SHRM_HOME, [Small(h, a, False) for h, a in people])
    counted = {s.id: s.counted_hours for s in result.requirements}
    assert counted["profession"] <= 30 and counted["presentation"] <= 20 and counted["blog_post"] <= 6
    got = {p.record: p.hours for p in result.allocations}
    profession = [(f"r{n}", h) for n, (h, a) in enumerate(people, start=1) if a == "profession"]
    for k, (record, hours) in enumerate(profession):
        if got.get(record, 0) < hours:
            assert all(got.get(later, 0) == 0 for later, _ in profession[k + 1 :])


def test_the_what_if_speaks_the_programs_unit_and_keeps_a_first_cycle() -> None:
    # PMI's short person plus a planned 5-PDU Giving Back session: 34.75 + 5 = 39.75 of 60, Education still 0.25
    # short: 20.25 PDUs needed with the plan (25.25 today).
    from certcredit.engine.planning_report import what_if_table
    from certcredit.engine.whatif import what_if

    person = pmi_short_person()
    today = audit(PMI, person.records, D(2026, 6, 30))
    plan = [EducationRecord("s1", 1, D(2026, 3, 1), 5 * H, "in_person", activity="giving_back")]
    table = what_if_table(what_if(PMI, today, person.records, plan))
    assert "s1 (2026-03-01): giving_back 5.00 PDUs" in table
    assert "today: 25.25 PDUs needed; with the plan: NOT COMPLETE: 20.25 PDUs needed" in table
    first = audit(PMI, person.records, D(2026, 6, 30), cycle_start=D(2024, 1, 1))
    assert what_if(PMI, first, person.records, plan).result.nested.first_cycle_start == D(2024, 1, 1)  # type: ignore[union-attr]


def test_after_the_end_the_outlook_names_the_grace_period_while_it_runs() -> None:
    # SHRM: a cycle ending 2025-12-31 with 60 days of grace (to 2026-03-01).
    view = deadline(D(2026, 1, 20), D(2025, 12, 31))
    text = outlook_table(view, "PDCs", D(2026, 3, 1))
    assert "the cycle has ended 0.25 PDCs short" in text
    assert "what is earned in the grace period, to 2026-03-01, still counts for it" in text
    assert "grace" not in outlook_table(deadline(D(2026, 3, 2), D(2025, 12, 31)), "PDCs", D(2026, 3, 1))


pmi_record = st.tuples(
    st.integers(min_value=1, max_value=30),
    st.sampled_from(["ways_of_working", "power_skills", "business_acumen", "giving_back", "work_as_practitioner"]),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(previous=st.lists(pmi_record, max_size=8), all_final=st.booleans())
def test_pmi_no_carried_pdu_was_ever_beyond_giving_backs_caps(
    previous: list[tuple[int, str, bool]], all_final: bool
) -> None:
    # PMI's previous cycle (to 2023-06-30), records in its final year (True) or before it. An independent count of
    # its credit: Education in full; Giving Back at most 25, of which practitioner work at most 8. Whatever carries
    # is at most 20, at most the credit beyond 60, and at most what the final year's records earned.
    if all_final:
        previous = [(hours, activity, True) for hours, activity, _ in previous]
    p = Person()
    for n, (hours, activity, final_year) in enumerate(previous, start=1):
        p.add(D(2023, 1, n) if final_year else D(2021, 1, n), hours * H, activity)
    education = sum(h for h, a, _ in previous if a in ("ways_of_working", "power_skills", "business_acumen"))
    practitioner = sum(h for h, a, _ in previous if a == "work_as_practitioner")
    giving_back = min(25, sum(h for h, a, _ in previous if a == "giving_back") + min(8, practitioner))
    final_year = sum(h for h, _, last in previous if last)
    result = audit(PMI, p.records, D(2026, 6, 30))
    carried = sum(h for _, h in placed(result, "carry-over"))
    assert carried <= min(20, max(0, education + giving_back - 60), final_year)
    areas = [
        sum(h for h, a, _ in previous if a == area) for area in ("ways_of_working", "power_skills", "business_acumen")
    ]
    complete = min(areas) >= 8 and education >= 35 and education + giving_back >= 60
    if complete and all(last for _, _, last in previous):  # then exactly the credit beyond 60, at most 20
        assert audit_json(result)["carry_over"]["hours"] == min(20, education + giving_back - 60)


def test_a_grace_record_is_spent_once_even_where_nothing_carries(tmp_path) -> None:
    # A program with a 30-day grace period and no carry-over: 10 hours a year. The year to 2025-12-31 has 8; a
    # 3-hour record of 2026-01-10 gives it 2 (where it needs them), so the next year counts only its last hour.
    from certcredit.rules.load import load_program_file

    path = tmp_path / "grace-demo.yaml"
    path.write_text(
        "id: grace-demo\nname: Grace demo\nunit: {one: credit, many: credits}\nversions:\n"
        "  - effective_from: 2000-01-01\n    window: {kind: cycle, months: 12, start: exclusive}\n"
        "    counting_formats: [in_person]\n    activities: {general: General}\n    default_activity: general\n"
        "    requirements:\n      - {id: general, name: General, min_hours: 10, eligible: {activities: [general]}}\n"
        "    grace: {days: 30}\n",
        encoding="utf-8",
    )
    program = load_program_file(path)
    p = Person()
    p.add(D(2025, 6, 1), 8 * H, None)
    late = p.add(D(2026, 1, 10), 3 * H, None)
    ended = audit(program, p.records, D(2025, 12, 31))
    assert ended.complete and placed(ended, late) == [("general", 2)] and "carry_over" not in audit_json(ended)
    assert placed(audit(program, p.records, D(2026, 12, 31)), late) == [("general", 1)]
