"""Hand-computed cases for the three peer programs (PMI PMP renewal, SHRM recertification, Texas MCLE).

Each expected figure is worked out by hand from the rules in ../shared/domain/clrm-and-peers.md, section 4, as
the rulebooks' header comments summarise them; the comment above each case shows the arithmetic.
"""

from __future__ import annotations

import datetime as dt

import pytest

from certcredit.engine.audit import Audit, audit
from certcredit.engine.records import EducationRecord, activity_of, record_from_row
from certcredit.engine.report import audit_json, render_table
from certcredit.rules.load import load_program

D = dt.date
PMI = load_program("pmi-pmp-renewal")
SHRM = load_program("shrm-recertification")
TX = load_program("tx-mcle")
H = 60


class Person:
    """Records with ids r1, r2, ... in order; ``hours`` are whole or quarter hours, given as minutes."""

    def __init__(self) -> None:
        self.records: list[EducationRecord] = []

    def add(self, day: dt.date, minutes: int, activity: str | None, fmt: str = "in_person", title: str = "") -> str:
        position = len(self.records) + 1
        self.records.append(
            EducationRecord(f"r{position}", position, day, minutes, fmt, title=title, activity=activity)
        )
        return f"r{position}"


def counted(result: Audit, requirement: str) -> float:
    return next(s.counted_hours for s in result.requirements if s.id == requirement)


def met(result: Audit, requirement: str) -> bool:
    return next(s.met for s in result.requirements if s.id == requirement)


def reason(result: Audit, record: str) -> str | None:
    return next((u.reason for u in result.unused if u.record == record), None)


def placed(result: Audit, record: str) -> list[tuple[str, float]]:
    return [(p.requirement, p.hours) for p in result.allocations if p.record == record]


# --- PMI PMP renewal -------------------------------------------------------------------------------------------

PMI_END = D(2026, 6, 30)  # the cycle runs from 2023-07-01 to 2026-06-30


def pmi_complete_person() -> Person:
    """10 + 10 + 15 Education (35, each area at least 8) and 25 Giving Back: exactly 60."""
    p = Person()
    p.add(D(2024, 1, 10), 10 * H, "ways_of_working")
    p.add(D(2024, 2, 10), 10 * H, "power_skills")
    p.add(D(2024, 3, 10), 15 * H, "business_acumen")
    p.add(D(2024, 4, 10), 25 * H, "giving_back")
    return p


def test_pmi_sixty_pdus_with_35_education_and_8_per_area_complete_the_cycle() -> None:
    result = audit(PMI, pmi_complete_person().records, PMI_END)
    assert result.complete and result.hours_needed == 0
    assert counted(result, "education") == 35 and counted(result, "total") == 60
    assert result.rules_version == "pmi-pmp-renewal@2015-12-01"


def test_pmi_giving_back_counts_at_most_25_and_the_rest_of_the_record_is_cut() -> None:
    # 30 Giving Back counts 25; Education 10+10+10 = 30 is 5 short of 35; the total 55 is 5 short: 5 needed.
    p = Person()
    p.add(D(2024, 1, 10), 10 * H, "ways_of_working")
    p.add(D(2024, 2, 10), 10 * H, "power_skills")
    p.add(D(2024, 3, 10), 10 * H, "business_acumen")
    gb = p.add(D(2024, 4, 10), 30 * H, "giving_back")
    result = audit(PMI, p.records, PMI_END)
    assert counted(result, "giving_back") == 25 and counted(result, "total") == 55
    assert result.hours_needed == 5 and not result.complete
    (line,) = [a for a in result.allocations if a.record == gb]
    assert (line.hours, line.record_hours) == (25, 30)


def test_pmi_practitioner_hours_are_capped_at_8_inside_giving_backs_25() -> None:
    # Practitioner 12 counts 8 alone; with 20 other Giving Back the group allows 25 in all, so 5 of the 12.
    p = Person()
    p.add(D(2024, 1, 10), 35 * H, "ways_of_working")
    prac = p.add(D(2024, 2, 10), 12 * H, "work_as_practitioner")
    result = audit(PMI, p.records, PMI_END)
    assert counted(result, "work_as_practitioner") == 8 and placed(result, prac) == [("work_as_practitioner", 8)]
    p.add(D(2024, 3, 10), 20 * H, "giving_back")
    result = audit(PMI, p.records, PMI_END)
    assert counted(result, "giving_back") == 25
    assert counted(result, "work_as_practitioner") <= 8
    # Education 35 but Power Skills and Business Acumen 0 of 8 each: 16 needed, which also bring the total to 60.
    assert result.hours_needed == 16


def test_pmi_an_area_short_inside_a_met_education_still_needs_its_hours() -> None:
    # Education 40 (WoW 30, PS 10, BA 0) + Giving Back 20 = 60 in all, yet Business Acumen is 8 short: 8 needed.
    p = Person()
    p.add(D(2024, 1, 10), 30 * H, "ways_of_working")
    p.add(D(2024, 2, 10), 10 * H, "power_skills")
    p.add(D(2024, 3, 10), 20 * H, "giving_back")
    result = audit(PMI, p.records, PMI_END)
    assert met(result, "education") and met(result, "total") and not met(result, "business_acumen")
    assert result.hours_needed == 8


def test_pmi_pdus_count_in_whole_quarter_hours() -> None:
    # 70 minutes is 1 PDU (the extra 10 minutes are not a quarter); 80 minutes is 1.25.
    p = Person()
    a = p.add(D(2024, 1, 10), 70, "power_skills")
    b = p.add(D(2024, 1, 11), 80, "power_skills")
    result = audit(PMI, p.records, PMI_END)
    assert placed(result, a) == [("power_skills", 1.0)] and placed(result, b) == [("power_skills", 1.25)]


def test_pmi_cycle_edges_previous_anniversary_out_as_of_in_the_next_day_after() -> None:
    p = Person()
    before = p.add(D(2023, 6, 30), H, "power_skills")
    first = p.add(D(2023, 7, 1), H, "power_skills")
    last = p.add(D(2026, 6, 30), H, "power_skills")
    after = p.add(D(2026, 7, 1), H, "power_skills")
    result = audit(PMI, p.records, PMI_END)
    assert reason(result, before) == "outside the window" and reason(result, after) == "after the as-of date"
    assert placed(result, first) and placed(result, last)


def test_pmi_unknown_activity_is_unused_with_its_name_and_none_is_unused_too() -> None:
    p = Person()
    knit = p.add(D(2024, 1, 10), H, "knitting")
    bare = p.add(D(2024, 1, 11), H, None)
    result = audit(PMI, p.records, PMI_END)
    assert reason(result, knit) == "activity not in this program (knitting)"
    assert reason(result, bare) == "no eligible requirement"


def test_pmi_before_the_talent_triangle_no_version_is_in_force() -> None:
    with pytest.raises(ValueError, match="no version of program pmi-pmp-renewal"):
        audit(PMI, [], D(2015, 11, 30))


def previous_pmi_cycle(p: Person, extra_day: dt.date) -> None:
    """A complete previous cycle (ending 2023-06-30) with 10 PDUs beyond the 60, the extra dated ``extra_day``."""
    p.add(D(2021, 1, 10), 10 * H, "ways_of_working")
    p.add(D(2021, 2, 10), 10 * H, "power_skills")
    p.add(D(2021, 3, 10), 15 * H, "business_acumen")
    p.add(D(2021, 4, 10), 25 * H, "giving_back")
    p.add(extra_day, 10 * H, "ways_of_working")


def current_pmi_fifty(p: Person) -> None:
    """This cycle: Education 35 and Giving Back 15: 50, ten short."""
    p.add(D(2024, 1, 10), 10 * H, "ways_of_working")
    p.add(D(2024, 2, 10), 10 * H, "power_skills")
    p.add(D(2024, 3, 10), 15 * H, "business_acumen")
    p.add(D(2024, 4, 10), 15 * H, "giving_back")


def test_pmi_carries_the_excess_earned_in_the_previous_cycles_final_year() -> None:
    # Previous cycle: 70 earned, 60 asked, 10 beyond, all dated in its last year (after 2022-06-30): 10 carry.
    p = Person()
    previous_pmi_cycle(p, D(2023, 3, 1))
    current_pmi_fifty(p)
    result = audit(PMI, p.records, PMI_END)
    assert result.complete and counted(result, "total") == 60
    assert placed(result, "carry-over") == [("total", 10)]
    assert result.nested is not None and result.nested.carry_over is not None
    assert result.nested.carry_over.hours == 10 and result.nested.carry_over.from_cycle_ending == D(2023, 6, 30)
    carry = audit_json(result)["carry_over"]
    assert {k: carry[k] for k in ("from_cycle_ending", "previous_complete", "hours", "into")} == {
        "from_cycle_ending": "2023-06-30",
        "previous_complete": True,
        "hours": 10.0,
        "into": "total",
    }
    assert carry["status"] == "carried" and carry["counts"] == "credited"
    assert carry["rules_version"] == "pmi-pmp-renewal@2015-12-01"
    # Only the record of the final year (r5, dated 2023-03-01) is where the carried PDUs came from.
    assert carry["records"] == ["r5"]


def test_pmi_excess_earned_before_the_final_year_does_not_carry() -> None:
    # The same 10 extra PDUs dated 2022-06-30 (the day before the final year starts): nothing carries, 10 needed.
    p = Person()
    previous_pmi_cycle(p, D(2022, 6, 30))
    current_pmi_fifty(p)
    result = audit(PMI, p.records, PMI_END)
    assert not result.complete and result.hours_needed == 10 and not placed(result, "carry-over")


# --- SHRM recertification --------------------------------------------------------------------------------------

SHRM_END = D(2025, 12, 31)  # 2021 rules; the cycle runs from 2023-01-01


def test_shrm_profession_counts_at_most_30() -> None:
    # 40 Profession counts 30, 20 Education: 50 of 60, 10 needed.
    p = Person()
    p.add(D(2024, 1, 10), 40 * H, "profession")
    p.add(D(2024, 2, 10), 20 * H, "education")
    result = audit(SHRM, p.records, SHRM_END)
    assert counted(result, "profession") == 30 and result.hours_needed == 10


def test_shrm_organization_maximum_rose_from_20_to_30_in_2021() -> None:
    # Organization 30 + Education 30: under the 2019 rules 20 + 30 = 50 (10 needed); under 2021's, 60.
    p = Person()
    p.add(D(2019, 2, 10), 30 * H, "organization")
    p.add(D(2019, 3, 10), 30 * H, "education")
    old = audit(SHRM, p.records, D(2020, 12, 31))
    assert old.rules_version == "shrm-recertification@2019-08-01"
    assert counted(old, "organization") == 20 and old.hours_needed == 10
    q = Person()
    q.add(D(2024, 2, 10), 30 * H, "organization")
    q.add(D(2024, 3, 10), 30 * H, "education")
    new = audit(SHRM, q.records, SHRM_END)
    assert new.rules_version == "shrm-recertification@2021-01-01" and new.complete


def test_shrm_presentations_are_capped_at_20_inside_professions_30() -> None:
    # Presentations 25 count 20; with 15 other Profession the category allows 30 in all; Education 30: 60.
    p = Person()
    talk = p.add(D(2024, 1, 10), 25 * H, "presentation", "teaching", title="Pay equity")
    p.add(D(2024, 2, 10), 15 * H, "profession")
    p.add(D(2024, 3, 10), 30 * H, "education")
    result = audit(SHRM, p.records, SHRM_END)
    assert counted(result, "presentation") <= 20 and counted(result, "profession") == 30
    assert result.complete
    assert [line.record_hours for line in result.allocations if line.record == talk] == [25]


def test_shrm_a_presentation_counts_only_the_first_time_in_a_cycle() -> None:
    p = Person()
    first = p.add(D(2024, 1, 10), 2 * H, "presentation", "teaching", title="Pay  Equity")
    again = p.add(D(2024, 5, 10), 2 * H, "presentation", "teaching", title="pay equity")
    result = audit(SHRM, p.records, SHRM_END)
    assert placed(result, first) == [("presentation", 2)]
    assert reason(result, again) == f"a repeat of record {first}"


def test_shrm_ungraded_courses_count_at_most_10_inside_education() -> None:
    p = Person()
    p.add(D(2024, 1, 10), 14 * H, "ungraded_course")
    p.add(D(2024, 2, 10), 46 * H, "education")
    result = audit(SHRM, p.records, SHRM_END)
    assert counted(result, "ungraded_course") == 10 and counted(result, "education") == 56
    assert result.hours_needed == 4


def test_shrm_carry_over_moves_profession_hours_beyond_its_cap_into_education() -> None:
    # The domain notes' example: 50 Profession earned (30 used) and 30 Education complete the previous cycle
    # (ending 2022-12-31) with 80 earned, 20 beyond 60: 20 carry into Education. This cycle: 40 Education + 20.
    p = Person()
    p.add(D(2021, 1, 10), 50 * H, "profession")
    p.add(D(2021, 2, 10), 30 * H, "education")
    p.add(D(2024, 1, 10), 40 * H, "education")
    result = audit(SHRM, p.records, SHRM_END)
    assert result.complete and counted(result, "education") == 60
    assert placed(result, "carry-over") == [("education", 20)]


def test_shrm_carry_over_is_at_most_20_and_none_from_an_incomplete_cycle() -> None:
    p = Person()
    p.add(D(2021, 1, 10), 90 * H, "education")  # 30 beyond: only 20 carry
    p.add(D(2024, 1, 10), 30 * H, "education")
    assert audit(SHRM, p.records, SHRM_END).hours_needed == 10
    q = Person()
    q.add(D(2021, 1, 10), 50 * H, "education")  # previous cycle not complete: nothing carries
    q.add(D(2024, 1, 10), 30 * H, "education")
    result = audit(SHRM, q.records, SHRM_END)
    assert result.hours_needed == 30
    assert result.nested is not None and result.nested.carry_over is not None
    assert not result.nested.carry_over.previous_complete


def test_shrm_self_paced_was_capped_at_30_under_the_2018_reading_only() -> None:
    # 2018 rules: 40 self-study counts 30, + 20 in person = 50 (10 needed). 2021 rules: 60, complete.
    p = Person()
    p.add(D(2017, 1, 10), 40 * H, "education", "self_study")
    p.add(D(2017, 2, 10), 20 * H, "education")
    assert audit(SHRM, p.records, D(2019, 6, 30)).hours_needed == 10
    q = Person()
    q.add(D(2024, 1, 10), 40 * H, "education", "self_study")
    q.add(D(2024, 2, 10), 20 * H, "education")
    assert audit(SHRM, q.records, SHRM_END).complete


def test_shrm_the_smallest_activity_went_from_an_hour_to_15_minutes() -> None:
    p = Person()
    short = p.add(D(2018, 3, 1), 45, "education")
    assert reason(audit(SHRM, p.records, D(2019, 6, 30)), short) == "shorter than 60 minutes"
    q = Person()
    short = q.add(D(2024, 3, 1), 45, "education")
    assert placed(audit(SHRM, q.records, SHRM_END), short) == [("education", 0.75)]


# --- Texas MCLE ------------------------------------------------------------------------------------------------

TX_END = D(2026, 5, 31)  # a June birth month: the compliance year runs from 2025-06-01 to 2026-05-31


def test_tx_fifteen_hours_with_three_of_ethics_complete_the_year() -> None:
    p = Person()
    p.add(D(2025, 9, 1), 12 * H, None)  # no activity: general CLE
    p.add(D(2025, 10, 1), 3 * H, "ethics")
    result = audit(TX, p.records, TX_END)
    assert result.complete and counted(result, "ethics") == 3 and counted(result, "total") == 15


def test_tx_self_study_counts_at_most_three_hours_with_partial_counting() -> None:
    # 3 ethics + 7 general in person + 5 general self-study (3 count): 13 of 15, 2 needed.
    p = Person()
    p.add(D(2025, 9, 1), 3 * H, "ethics")
    p.add(D(2025, 9, 2), 7 * H, "general")
    ss = p.add(D(2025, 9, 3), 5 * H, "general", "self_study")
    result = audit(TX, p.records, TX_END)
    assert result.hours_needed == 2
    assert [(a.hours, a.record_hours) for a in result.allocations if a.record == ss] == [(3, 5)]


def test_tx_self_study_gives_at_most_one_ethics_hour_and_the_engine_picks_the_better_use() -> None:
    # 12 general + 1 ethics in person + 2 ethics self-study. As ethics the self-study counts 1: ethics 2 (1 short),
    # total 14 (1 short): 1 needed. Counted toward the total directly it counts 2 (total 15) but ethics stays 2
    # short: 2 needed. The engine must choose the first.
    p = Person()
    p.add(D(2025, 9, 1), 12 * H, "general")
    p.add(D(2025, 9, 2), 1 * H, "ethics")
    ss = p.add(D(2025, 9, 3), 2 * H, "ethics", "self_study")
    result = audit(TX, p.records, TX_END)
    assert result.hours_needed == 1
    assert counted(result, "ethics") == 2 and counted(result, "total") == 14
    assert placed(result, ss) == [("ethics", 1)]


def test_tx_hours_round_to_the_nearest_quarter() -> None:
    # 52 min = 3.47 quarters -> 45 min; 53 min = 3.53 -> 60 min; 7 min -> nothing; 8 min -> a quarter.
    p = Person()
    a = p.add(D(2025, 9, 1), 52, "general")
    b = p.add(D(2025, 9, 2), 53, "general")
    c = p.add(D(2025, 9, 3), 7, "general")
    d = p.add(D(2025, 9, 4), 8, "general")
    result = audit(TX, p.records, TX_END)
    assert placed(result, a) == [("total", 0.75)] and placed(result, b) == [("total", 1.0)]
    assert reason(result, c) == "no credit after rounding" and placed(result, d) == [("total", 0.25)]


def test_tx_compliance_year_edges() -> None:
    p = Person()
    before = p.add(D(2025, 5, 31), H, "general")
    first = p.add(D(2025, 6, 1), H, "general")
    result = audit(TX, p.records, TX_END)
    assert reason(result, before) == "outside the window" and placed(result, first) == [("total", 1)]


def test_tx_hours_beyond_fifteen_carry_into_the_next_year() -> None:
    # Previous year (to 2025-05-31): 20 general + 3 ethics = 23, 8 beyond: 8 carry. This year 3 + 4 + 8 = 15.
    p = Person()
    p.add(D(2024, 9, 1), 20 * H, "general")
    p.add(D(2024, 9, 2), 3 * H, "ethics")
    p.add(D(2025, 9, 1), 3 * H, "ethics")
    p.add(D(2025, 9, 2), 4 * H, "general")
    result = audit(TX, p.records, TX_END)
    assert result.complete and placed(result, "carry-over") == [("total", 8)]
    table = render_table(result)
    assert "carried over from the cycle ending 2025-05-31: 8.00 hours into total" in table


def test_tx_carried_hours_never_meet_the_ethics_minimum() -> None:
    # 30 hours carried in would cover the total, but ethics needs its own 3.
    p = Person()
    p.add(D(2024, 9, 1), 30 * H, "general")
    p.add(D(2024, 9, 2), 3 * H, "ethics")
    result = audit(TX, p.records, TX_END)
    assert placed(result, "carry-over") == [("total", 15)] and result.hours_needed == 3


# --- records -----------------------------------------------------------------------------------------------------


def test_an_activity_is_read_as_an_identifier_whatever_its_spelling() -> None:
    assert activity_of("Giving Back") == "giving_back" and activity_of(" work-as-practitioner ") == (
        "work_as_practitioner"
    )
    assert activity_of("") is None and activity_of(None) is None
    record = record_from_row({"date": "2025-01-01", "minutes": 60, "activity": "Power Skills"}, 1)
    assert record.activity == "power_skills"


def test_clm_programs_ignore_an_activity() -> None:
    clm = load_program("clm-application")
    plain = EducationRecord("r1", 1, D(2025, 1, 1), 120, category="writing")
    tagged = EducationRecord("r1", 1, D(2025, 1, 1), 120, category="writing", activity="giving_back")
    assert audit_json(audit(clm, [plain], D(2025, 6, 1))) == audit_json(audit(clm, [tagged], D(2025, 6, 1)))


def test_shrm_says_nothing_carries_when_the_previous_cycle_predates_every_version() -> None:
    # The cycle ending 2020-12-31 follows one ending 2017-12-31, before the first version (2018-01-01): no rules
    # were in force for it, so nothing carries, and the audit says why (issue 16: it used to say nothing at all).
    result = audit(SHRM, [], D(2020, 12, 31))
    carry = audit_json(result)["carry_over"]
    assert carry["status"] == "before_rules" and carry["hours"] == 0 and carry["previous_complete"] is None
    assert (
        "nothing carried over: the cycle ending 2017-12-31 predates every version of this program's rules"
        in render_table(result)
    )
