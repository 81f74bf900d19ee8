"""Hand-computed cases for every CLM rule in RULES.md that the engine applies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from certcredit.engine.audit import Audit, audit
from certcredit.engine.records import EducationRecord
from certcredit.rules.load import load_program, load_program_file

D = dt.date
APPLICATION = load_program("clm-application")
SPECIALIST = load_program("clm-application-specialist")
RECERT = load_program("clm-recertification")
CATS = ("writing", "communication", "self_management", "information_technology", "organizational_development")


class People:
    """Builds a person's records with ids r1, r2, ... in order."""

    def __init__(self) -> None:
        self.records: list[EducationRecord] = []

    def add(self, day: dt.date, minutes: int, fmt: str = "in_person", **credit: str) -> str:
        position = len(self.records) + 1
        title = credit.pop("title", "")
        self.records.append(EducationRecord(f"r{position}", position, day, minutes, fmt, title=title, **credit))
        return f"r{position}"


def req(result: Audit, requirement: str) -> tuple[float, bool]:
    status = next(s for s in result.requirements if s.id == requirement)
    return status.counted_hours, status.met


def reason(result: Audit, record: str) -> str | None:
    return next((u.reason for u in result.unused if u.record == record), None)


def where(result: Audit, record: str) -> tuple[str, float] | None:
    return next(((p.requirement, p.hours) for p in result.allocations if p.record == record), None)


def complete_application(person: People, day: dt.date, skip: str = "") -> None:
    for category in CATS:
        if category != skip:
            person.add(day, 120, category=category)


# --- application: window --------------------------------------------------------------------------------------


def test_the_application_window_includes_the_day_24_months_before() -> None:
    p = People()
    complete_application(p, D(2025, 1, 10), skip="writing")
    on_edge = p.add(D(2024, 6, 1), 120, category="writing")
    result = audit(APPLICATION, p.records, D(2026, 6, 1))
    assert where(result, on_edge) == ("writing", 2.0)
    assert result.complete


def test_a_record_the_day_before_the_application_window_is_outside() -> None:
    p = People()
    complete_application(p, D(2025, 1, 10), skip="writing")
    early = p.add(D(2024, 5, 31), 120, category="writing")
    result = audit(APPLICATION, p.records, D(2026, 6, 1))
    assert reason(result, early) == "outside the window"
    assert not result.complete
    assert result.hours_needed == 2.0


def test_a_record_dated_after_the_application_date_does_not_count() -> None:
    p = People()
    complete_application(p, D(2025, 1, 10), skip="writing")
    late = p.add(D(2026, 6, 2), 120, category="writing")
    result = audit(APPLICATION, p.records, D(2026, 6, 1))
    assert reason(result, late) == "after the as-of date"
    assert result.hours_needed == 2.0


def test_on_feb_29_the_application_window_starts_on_feb_28_two_years_before() -> None:
    p = People()
    complete_application(p, D(2027, 5, 1), skip="writing")
    kept = p.add(D(2026, 2, 28), 120, category="writing")
    dropped = p.add(D(2026, 2, 27), 120, category="communication")
    result = audit(APPLICATION, p.records, D(2028, 2, 29))
    assert where(result, kept) == ("writing", 2.0)
    assert reason(result, dropped) == "outside the window"


def test_a_feb_29_record_counts_until_the_window_starts_after_it() -> None:
    p = People()
    complete_application(p, D(2025, 5, 1), skip="writing")
    leap = p.add(D(2024, 2, 29), 120, category="writing")
    assert where(audit(APPLICATION, p.records, D(2026, 2, 28)), leap) == ("writing", 2.0)
    assert reason(audit(APPLICATION, p.records, D(2026, 3, 1)), leap) == "outside the window"


# --- application: length, categories, formats, caps ---------------------------------------------------------


def test_a_59_minute_session_never_counts_and_a_60_minute_one_does() -> None:
    p = People()
    short = p.add(D(2025, 3, 1), 59, category="writing")
    full = p.add(D(2025, 3, 2), 60, category="writing")
    result = audit(APPLICATION, p.records, D(2025, 6, 1))
    assert reason(result, short) == "shorter than 60 minutes"
    assert where(result, full) == ("writing", 1.0)


def test_two_records_in_one_category_combine() -> None:
    p = People()
    complete_application(p, D(2025, 3, 1), skip="writing")
    p.add(D(2025, 3, 1), 60, category="writing")
    p.add(D(2025, 4, 1), 60, category="writing")
    result = audit(APPLICATION, p.records, D(2025, 6, 1))
    assert req(result, "writing") == (2.0, True)
    assert result.complete


def test_the_spec_example_one_and_a_half_hours_of_writing_needs_half_an_hour() -> None:
    p = People()
    complete_application(p, D(2025, 3, 1), skip="writing")
    p.add(D(2025, 3, 1), 90, category="writing")
    result = audit(APPLICATION, p.records, D(2025, 6, 1))
    assert result.hours_needed == 0.5
    assert result.apply_by is None


def test_teaching_does_not_count_for_the_application() -> None:
    p = People()
    complete_application(p, D(2025, 3, 1), skip="writing")
    taught = p.add(D(2025, 3, 1), 180, "teaching", category="writing")
    result = audit(APPLICATION, p.records, D(2025, 6, 1))
    assert reason(result, taught) == "format does not count (teaching)"
    assert result.hours_needed == 2.0


def test_self_study_and_recorded_count_in_part_up_to_four_hours() -> None:
    p = People()
    for category in ("writing", "information_technology", "organizational_development"):
        p.add(D(2025, 3, 1), 120, category=category)
    first = p.add(D(2025, 1, 1), 180, "recorded", category="communication")
    second = p.add(D(2025, 2, 1), 180, "self_study", category="self_management")
    result = audit(APPLICATION, p.records, D(2025, 6, 1))
    assert result.complete
    assert where(result, first) == ("communication", 2.0)
    assert where(result, second) == ("self_management", 2.0)
    partial = {a.record: a.record_hours for a in result.allocations if a.hours < a.record_hours}
    assert partial == {first: 3.0, second: 3.0}


def test_the_cap_can_leave_a_category_short() -> None:
    p = People()
    p.add(D(2025, 1, 1), 180, "self_study", category="writing")
    p.add(D(2025, 1, 2), 180, "self_study", category="communication")
    p.add(D(2025, 1, 3), 180, "recorded", category="information_technology")
    p.add(D(2025, 1, 4), 120, category="self_management")
    p.add(D(2025, 1, 5), 120, category="organizational_development")
    result = audit(APPLICATION, p.records, D(2025, 6, 1))
    assert result.hours_needed == 2.0
    assert sum(a.hours for a in result.allocations if a.record in ("r1", "r2", "r3")) == 4.0


def test_a_record_the_cap_leaves_nothing_for_is_unused_as_capped() -> None:
    p = People()
    complete_application(p, D(2025, 3, 1))
    p.add(D(2025, 1, 1), 240, "self_study", category="writing")
    extra = p.add(D(2025, 1, 2), 120, "recorded", category="writing")
    result = audit(APPLICATION, p.records, D(2025, 6, 1))
    assert reason(result, extra) == "capped"
    assert result.complete


# --- application: apply-by ------------------------------------------------------------------------------------


def test_apply_by_is_the_last_day_before_the_oldest_needed_record_leaves() -> None:
    p = People()
    complete_application(p, D(2025, 3, 1), skip="writing")
    p.add(D(2024, 7, 15), 120, category="writing")
    p.add(D(2024, 9, 1), 60, category="writing")
    p.add(D(2025, 1, 1), 60, category="writing")
    result = audit(APPLICATION, p.records, D(2025, 6, 1))
    # on 2026-07-15 the first writing record is still in; after it, 1 + 1 hours remain until 2026-09-01
    assert result.apply_by == D(2026, 9, 1)


def test_apply_by_on_a_feb_28_record_reaches_feb_29() -> None:
    p = People()
    complete_application(p, D(2026, 5, 1), skip="writing")
    p.add(D(2026, 2, 28), 120, category="writing")
    result = audit(APPLICATION, p.records, D(2026, 6, 1))
    assert result.apply_by == D(2028, 2, 29)


def test_records_after_the_application_date_do_not_extend_apply_by() -> None:
    p = People()
    complete_application(p, D(2025, 1, 1))
    p.add(D(2025, 7, 1), 600, category="writing")
    result = audit(APPLICATION, p.records, D(2025, 6, 1))
    assert result.apply_by == D(2027, 1, 1)


# --- specialists --------------------------------------------------------------------------------------------


def specialist_base(p: People, additional_hours: int) -> None:
    for category in ("writing", "communication", "self_management", "organizational_development"):
        p.add(D(2025, 1, 1), 120, category=category)
    for k in range(additional_hours):
        p.add(D(2025, 2, 1 + k), 60, subject_area="FM")


def test_an_it_session_serves_an_hr_specialist_as_om_when_greedy_would_not() -> None:
    p = People()
    specialist_base(p, 13)
    first = p.add(D(2025, 3, 1), 120, category="information_technology")
    second = p.add(D(2025, 3, 2), 120, category="information_technology")
    result = audit(SPECIALIST, p.records, D(2025, 6, 1), "HR")
    assert result.complete
    assert {where(result, first)[0], where(result, second)[0]} == {  # type: ignore[index]
        "information_technology",
        "specialist_additional",
    }
    assert req(result, "specialist_additional") == (15.0, True)


def test_one_record_never_serves_both_its_category_and_the_additional_hours() -> None:
    p = People()
    specialist_base(p, 13)
    p.add(D(2025, 3, 1), 120, category="information_technology")
    result = audit(SPECIALIST, p.records, D(2025, 6, 1), "HR")
    assert not result.complete
    assert result.hours_needed == 2.0


def test_the_specialists_own_area_does_not_count_for_the_additional_hours() -> None:
    p = People()
    specialist_base(p, 15)
    own = p.add(D(2025, 3, 1), 180, subject_area="OM")
    it = p.add(D(2025, 3, 2), 120, category="information_technology")
    result = audit(SPECIALIST, p.records, D(2025, 6, 1), "OM")
    assert reason(result, own) == "no eligible requirement"
    assert where(result, it) == ("information_technology", 2.0)
    assert result.complete


def test_a_category_default_area_decides_eligibility_for_the_additional_hours() -> None:
    p = People()
    specialist_base(p, 13)
    p.add(D(2025, 3, 1), 120, category="information_technology")
    writing_cm = p.add(D(2025, 3, 5), 120, category="writing")  # default CM: not one of HR, FM, OM, LI
    writing_li = p.add(D(2025, 3, 6), 120, category="writing", subject_area="LI")
    result = audit(SPECIALIST, p.records, D(2025, 6, 1), "FM")
    assert where(result, writing_cm) == ("writing", 2.0)
    # FM specialist: the 13 FM hours do not count; LI writing and the IT session (OM) may, one or the other way
    assert where(result, writing_li) == ("specialist_additional", 2.0)
    assert result.hours_needed == 13.0


def test_a_specialty_may_be_named_by_its_field() -> None:
    p = People()
    specialist_base(p, 15)
    p.add(D(2025, 3, 1), 120, category="information_technology")
    assert audit(SPECIALIST, p.records, D(2025, 6, 1), "finance").specialty == "FM"


def test_the_specialist_program_needs_a_specialty() -> None:
    with pytest.raises(ValueError, match="needs a specialty"):
        audit(SPECIALIST, [], D(2025, 6, 1))


def test_the_cap_covers_the_additional_hours_too() -> None:
    p = People()
    specialist_base(p, 11)
    p.add(D(2025, 3, 1), 120, category="information_technology")
    p.add(D(2025, 3, 2), 360, "recorded", subject_area="LI")
    result = audit(SPECIALIST, p.records, D(2025, 6, 1), "HR")
    assert req(result, "specialist_additional") == (15.0, True)
    assert result.complete
    assert where(result, "r17") == ("specialist_additional", 4.0)


# --- recertification ----------------------------------------------------------------------------------------


def full_cycle(p: People, day: dt.date, hours_each: int = 6) -> None:
    """36 hours: six per subject area, one record of each topic among them."""
    for area in ("HR", "FM", "OM", "LI", "CM"):
        p.add(day, 60 * hours_each, subject_area=area)
    p.add(day, 60, subject_area="LI", topic="business_ethics")
    p.add(day, 60, subject_area="HR", topic="substance_abuse")
    p.add(day, 60 * 4, subject_area="CM")


def test_a_full_cycle_is_complete() -> None:
    p = People()
    full_cycle(p, D(2025, 1, 1))
    result = audit(RECERT, p.records, D(2026, 6, 30))
    assert result.complete
    assert req(result, "total") == (36.0, True)
    assert result.apply_by is None


def test_the_cycle_excludes_the_previous_anniversary_and_includes_the_day_after() -> None:
    p = People()
    on_anniversary = p.add(D(2023, 6, 30), 120, subject_area="HR")
    day_after = p.add(D(2023, 7, 1), 120, subject_area="HR")
    result = audit(RECERT, p.records, D(2026, 6, 30))
    assert reason(result, on_anniversary) == "outside the window"
    assert where(result, day_after) == ("HR", 2.0)


def test_a_cycle_ending_on_feb_29_starts_after_feb_28() -> None:
    p = People()
    feb_28 = p.add(D(2021, 2, 28), 120, subject_area="HR")
    mar_1 = p.add(D(2021, 3, 1), 120, subject_area="HR")
    result = audit(RECERT, p.records, D(2024, 2, 29))
    assert reason(result, feb_28) == "outside the window"
    assert where(result, mar_1) == ("HR", 2.0)


def test_a_feb_29_record_belongs_to_the_cycle_ending_feb_28_three_years_on() -> None:
    p = People()
    leap = p.add(D(2020, 2, 29), 120, subject_area="HR")
    assert where(audit(RECERT, p.records, D(2023, 2, 28)), leap) == ("HR", 2.0)
    assert reason(audit(RECERT, p.records, D(2023, 3, 1)), leap) == "outside the window"


def test_the_total_needs_36_hours_even_with_every_minimum_met() -> None:
    p = People()
    full_cycle(p, D(2025, 1, 1), hours_each=5)
    result = audit(RECERT, p.records, D(2026, 6, 30))
    assert all(s.met for s in result.requirements if s.id != "total")
    assert req(result, "total") == (31.0, False)
    assert result.hours_needed == 5.0


def test_a_subject_area_short_of_three_hours_is_what_is_needed() -> None:
    p = People()
    for area in ("HR", "OM", "LI", "CM"):
        p.add(D(2025, 1, 1), 60 * 8, subject_area=area)
    p.add(D(2025, 1, 1), 60 * 2, subject_area="FM")
    p.add(D(2025, 1, 1), 60, subject_area="LI", topic="business_ethics")
    p.add(D(2025, 1, 1), 60, subject_area="HR", topic="substance_abuse")
    result = audit(RECERT, p.records, D(2026, 6, 30))
    assert req(result, "FM") == (2.0, False)
    assert result.hours_needed == 1.0


def test_a_topic_record_counts_whole_for_its_topic_or_its_area_never_both() -> None:
    p = People()
    for area in ("FM", "OM", "LI", "CM"):
        p.add(D(2025, 1, 1), 60 * 8, subject_area=area)
    p.add(D(2025, 1, 1), 60, subject_area="LI", topic="business_ethics")
    both = p.add(D(2025, 1, 1), 180, subject_area="HR", topic="substance_abuse")
    result = audit(RECERT, p.records, D(2026, 6, 30))
    # to HR: HR met, substance abuse short 1 h; to substance abuse: HR short 3 h. The engine picks HR.
    assert where(result, both) == ("HR", 3.0)
    assert req(result, "substance_abuse") == (0.0, False)
    assert result.hours_needed == 1.0


def test_a_second_topic_record_lets_both_minimums_be_met() -> None:
    p = People()
    for area in ("FM", "OM", "LI", "CM"):
        p.add(D(2025, 1, 1), 60 * 8, subject_area=area)
    p.add(D(2025, 1, 1), 60, subject_area="LI", topic="business_ethics")
    a = p.add(D(2025, 1, 1), 180, subject_area="HR", topic="substance_abuse")
    b = p.add(D(2025, 2, 1), 60, subject_area="HR", topic="substance_abuse")
    result = audit(RECERT, p.records, D(2026, 6, 30))
    assert where(result, a) == ("HR", 3.0)
    assert where(result, b) == ("substance_abuse", 1.0)
    assert result.complete


def test_teaching_counts_for_at_most_four_hours() -> None:
    p = People()
    full_cycle(p, D(2025, 1, 1))
    p.records = p.records[:-1]  # drop the 4 h CM record (the last, r8): 32 h left
    p.add(D(2025, 2, 1), 180, "teaching", subject_area="CM", title="Budgets")
    p.add(D(2025, 3, 1), 180, "teaching", subject_area="CM", title="Hiring")
    result = audit(RECERT, p.records, D(2026, 6, 30))
    taught = sum(a.hours for a in result.allocations if a.record in ("r8", "r9"))
    assert taught == 4.0
    assert result.complete


def test_the_same_course_taught_twice_in_a_cycle_counts_once() -> None:
    p = People()
    first = p.add(D(2024, 5, 1), 120, "teaching", subject_area="CM", title="Leading  Teams")
    again = p.add(D(2025, 5, 1), 120, "teaching", subject_area="CM", title="leading teams")
    other = p.add(D(2025, 6, 1), 120, "teaching", subject_area="CM", title="Budgets")
    result = audit(RECERT, p.records, D(2026, 6, 30))
    assert where(result, first) == ("CM", 2.0)
    assert reason(result, again) == f"a repeat of record {first}"
    assert where(result, other) == ("CM", 2.0)


def test_teaching_in_an_earlier_cycle_does_not_make_a_repeat() -> None:
    p = People()
    p.add(D(2022, 5, 1), 120, "teaching", subject_area="CM", title="Leading Teams")
    now = p.add(D(2025, 5, 1), 120, "teaching", subject_area="CM", title="Leading Teams")
    result = audit(RECERT, p.records, D(2026, 6, 30))
    assert where(result, now) == ("CM", 2.0)


def test_a_short_first_teaching_does_not_hide_a_full_repeat() -> None:
    p = People()
    p.add(D(2024, 5, 1), 45, "teaching", subject_area="CM", title="Leading Teams")
    full = p.add(D(2025, 5, 1), 120, "teaching", subject_area="CM", title="Leading Teams")
    result = audit(RECERT, p.records, D(2026, 6, 30))
    assert where(result, full) == ("CM", 2.0)


def test_self_study_and_recorded_count_for_at_most_twelve_hours_in_recertification() -> None:
    p = People()
    for area in ("HR", "FM", "OM", "LI", "CM"):
        p.add(D(2025, 1, 1), 60 * 6, "recorded", subject_area=area)
    p.add(D(2025, 1, 1), 60, subject_area="LI", topic="business_ethics")
    p.add(D(2025, 1, 1), 60, subject_area="HR", topic="substance_abuse")
    result = audit(RECERT, p.records, D(2026, 6, 30))
    assert req(result, "total") == (14.0, False)
    assert sum(a.hours for a in result.allocations if a.record in ("r1", "r2", "r3", "r4", "r5")) == 12.0
    assert result.hours_needed == 22.0


def test_a_record_with_no_subject_area_or_topic_counts_for_nothing() -> None:
    p = People()
    nothing = p.add(D(2025, 1, 1), 120)
    result = audit(RECERT, p.records, D(2026, 6, 30))
    assert reason(result, nothing) == "no eligible requirement"


# --- rule versions by date ----------------------------------------------------------------------------------

TWO_VERSIONS = """
id: demo
name: Demo program
versions:
  - effective_from: 2010-01-01
    window: {kind: cycle, months: 12, start: exclusive}
    counting_formats: [in_person]
    requirements:
      - {id: HR, name: HR, min_hours: 2, eligible: {subject_areas: [HR]}}
  - effective_from: 2020-07-01
    window: {kind: cycle, months: 12, start: exclusive}
    counting_formats: [in_person]
    requirements:
      - {id: HR, name: HR, min_hours: 3, eligible: {subject_areas: [HR]}}
"""


def test_the_version_in_force_on_the_as_of_date_applies_and_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(TWO_VERSIONS)
    program = load_program_file(path)
    p = People()
    p.add(D(2020, 3, 1), 150, subject_area="HR")
    before = audit(program, p.records, D(2020, 6, 30))
    after = audit(program, p.records, D(2020, 7, 1))
    assert (before.rules_version, before.complete) == ("demo@2010-01-01", True)
    assert (after.rules_version, after.complete, after.hours_needed) == ("demo@2020-07-01", False, 0.5)


def test_an_as_of_date_before_every_version_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(TWO_VERSIONS)
    with pytest.raises(ValueError, match="no version of program demo is in force on 2009-12-31"):
        audit(load_program_file(path), [], D(2009, 12, 31))


def test_the_shipped_programs_report_their_version() -> None:
    assert audit(RECERT, [], D(2026, 6, 30)).rules_version == "clm-recertification@1997-01-01"


def test_an_empty_record_list_needs_everything() -> None:
    assert audit(RECERT, [], D(2026, 6, 30)).hours_needed == 36.0
    assert audit(APPLICATION, [], D(2026, 6, 30)).hours_needed == 10.0
    assert audit(SPECIALIST, [], D(2026, 6, 30), "HR").hours_needed == 25.0


# --- settings other programs need -----------------------------------------------------------------------------

FIFTY_MINUTE_HOUR = """
id: cpe
name: Fifty-minute hours
version_anchor: window_start
versions:
  - effective_from: 2019-01-01
    units: {minutes_per_hour: 50, rounding: {step_minutes: 25, mode: down}}
    min_record_minutes: 50
    window: {kind: rolling, months: 24, start: inclusive}
    counting_formats: [in_person, self_study]
    requirements:
      - {id: ethics, name: Ethics, min_hours: 2, eligible: {topics: [business_ethics]}}
    total: {min_hours: 4, eligible: {subject_areas: [HR, FM, OM, LI, CM]}}
  - effective_from: 2024-01-01
    units: {minutes_per_hour: 50, rounding: {step_minutes: 25, mode: down}}
    min_record_minutes: 50
    window: {kind: rolling, months: 24, start: inclusive}
    counting_formats: [in_person, self_study]
    requirements:
      - {id: ethics, name: Ethics, min_hours: 3, eligible: {topics: [business_ethics]}}
    total: {min_hours: 4, eligible: {subject_areas: [HR, FM, OM, LI, CM]}}
"""


def test_a_fifty_minute_hour_with_half_credit_steps_rounds_down(tmp_path: Path) -> None:
    path = tmp_path / "cpe.yaml"
    path.write_text(FIFTY_MINUTE_HOUR)
    program = load_program_file(path)
    p = People()
    ethics = p.add(D(2023, 3, 1), 74, topic="business_ethics")  # 74 min = 1.48 credits, down to 1.0
    other = p.add(D(2023, 4, 1), 125, subject_area="FM")  # 2.5 credits, toward the total only
    short = p.add(D(2023, 5, 1), 49, topic="business_ethics")
    result = audit(program, p.records, D(2024, 6, 30))
    assert where(result, ethics) == ("ethics", 1.0)
    assert where(result, other) == ("total", 2.5)
    assert reason(result, short) == "shorter than 50 minutes"
    assert req(result, "total") == (3.5, False)
    assert result.hours_needed == 1.0


def test_the_window_start_anchor_judges_a_window_by_the_rules_it_began_under(tmp_path: Path) -> None:
    path = tmp_path / "cpe.yaml"
    path.write_text(FIFTY_MINUTE_HOUR)
    program = load_program_file(path)
    assert audit(program, [], D(2025, 12, 31)).rules_version == "cpe@2019-01-01"
    assert audit(program, [], D(2026, 1, 1)).rules_version == "cpe@2024-01-01"
