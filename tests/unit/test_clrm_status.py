"""Hand-computed CLRM audits: every status, the deadline rule and its edges (RULES.md, "Program clrm")."""

from __future__ import annotations

import itertools
import json
from datetime import date

import pytest

from certcredit.engine.clrm import add_months, audit_clrm
from certcredit.rules.clrm import load_clrm_program
from tests.unit.clrm_helpers import academies, academy, audit, ready, step

# ----------------------------------------------------------------------------------------- academies


def test_no_events_means_every_academy_is_missing() -> None:
    result = audit([], "2025-01-01")
    assert result["status"] == "academies_incomplete"
    assert result["missing_academies"] == ["foundation", "negotiations", "arbitration"]
    assert result["completion_date"] is None
    assert result["paper_deadline"] is None
    assert result["complete"] is False
    assert result["rejected"] == []
    assert "Foundation of Labor Relations, Negotiations, Arbitration" in result["next_steps"]


def test_missing_academies_are_listed_in_program_order_whatever_was_taken() -> None:
    result = audit([academy("2024-02-01", "arbitration")], "2025-01-01")
    assert result["missing_academies"] == ["foundation", "negotiations"]
    result = audit([academy("2024-02-01", "negotiations"), academy("2024-01-01", "foundation")], "2025-01-01")
    assert result["missing_academies"] == ["arbitration"]
    assert "remaining core academy: Arbitration." in result["next_steps"]


@pytest.mark.parametrize("order", list(itertools.permutations(["foundation", "negotiations", "arbitration"])))
def test_academies_in_any_order_complete_on_the_day_of_the_last_one(order: tuple[str, ...]) -> None:
    rows = [academy(day, which) for day, which in zip(("2024-01-05", "2024-03-07", "2024-06-20"), order, strict=True)]
    result = audit(rows, "2024-07-01")
    assert result["status"] == "paper_due"
    assert result["completion_date"] == "2024-06-20"
    assert result["paper_deadline"] == "2025-06-20"


def test_a_repeated_academy_does_not_stand_in_for_a_missing_one() -> None:
    rows = [
        academy("2024-01-05", "foundation"),
        academy("2024-02-05", "foundation"),
        academy("2024-03-05", "negotiations"),
    ]
    result = audit(rows, "2024-12-01")
    assert result["status"] == "academies_incomplete"
    assert result["missing_academies"] == ["arbitration"]


def test_completion_counts_each_academy_from_its_first_completion() -> None:
    # Negotiations taken twice: its first date counts; the last academy first completed is arbitration.
    rows = [
        academy("2024-01-05", "negotiations"),
        academy("2024-02-01", "foundation"),
        academy("2024-04-01", "arbitration"),
        academy("2024-05-01", "negotiations"),
    ]
    result = audit(rows, "2024-06-01")
    assert result["completion_date"] == "2024-04-01"
    assert result["academies_completed_date"] == "2024-04-01"


def test_a_foundation_retake_before_completion_is_not_a_retake() -> None:
    rows = [academy("2024-01-05", "foundation"), academy("2024-02-05", "foundation"), *academies_rest("2024-03-01")]
    assert audit(rows, "2024-06-01")["completion_date"] == "2024-03-01"


def academies_rest(day: str) -> list[dict[str, str]]:
    return [academy(day, "negotiations"), academy(day, "arbitration")]


# ------------------------------------------------------------------------------------------- deadline


def test_paper_is_due_up_to_and_including_the_deadline_then_a_retake_is_required() -> None:
    rows = academies("2023-01-10", "2023-02-10", "2023-03-15")
    on_deadline = audit(rows, "2024-03-15")
    assert on_deadline["status"] == "paper_due"
    assert on_deadline["paper_deadline"] == "2024-03-15"
    assert "submit it by 2024-03-15" in on_deadline["next_steps"]
    after = audit(rows, "2024-03-16")
    assert after["status"] == "retake_required"
    assert after["paper_deadline"] == "2024-03-15"
    assert "retake Foundation of Labor Relations" in after["next_steps"]


def test_a_retake_of_foundation_after_the_deadline_opens_a_new_deadline() -> None:
    rows = [*academies("2023-01-10", "2023-02-10", "2023-03-15"), academy("2024-05-02", "foundation")]
    result = audit(rows, "2024-06-01")
    assert result["status"] == "paper_due"
    assert result["completion_date"] == "2024-05-02"
    assert result["paper_deadline"] == "2025-05-02"
    assert result["academies_completed_date"] == "2023-03-15"


def test_a_retake_of_another_academy_changes_nothing() -> None:
    rows = [*academies("2023-01-10", "2023-02-10", "2023-03-15"), academy("2024-05-02", "negotiations")]
    result = audit(rows, "2024-06-01")
    assert result["status"] == "retake_required"
    assert result["completion_date"] == "2023-03-15"
    assert result["paper_deadline"] == "2024-03-15"


def test_a_foundation_retake_before_the_deadline_moves_the_deadline_too() -> None:
    rows = [*academies("2024-01-02", "2024-01-05", "2024-01-10"), academy("2024-06-01", "foundation")]
    result = audit(rows, "2025-03-01")
    assert result["completion_date"] == "2024-06-01"
    assert result["paper_deadline"] == "2025-06-01"
    # A submission after the old deadline (2025-01-10) but within the moved one is timely.
    late_for_old = audit([*rows, *ready("2024-07-01"), step("2025-05-30", "paper_submitted")], "2025-06-30")
    assert late_for_old["status"] == "under_review"
    assert late_for_old["timely_submission_date"] == "2025-05-30"


def test_the_older_six_month_rule_applies_to_completions_before_the_change() -> None:
    result = audit(academies("2018-10-01", "2018-11-01", "2018-12-31"), "2019-03-01")
    assert result["paper_deadline"] == "2019-06-30"
    assert result["rules_version"] == "clrm@1900-01-01"


def test_the_one_year_rule_applies_from_the_change_date_itself() -> None:
    result = audit(academies("2018-10-01", "2018-11-01", "2019-01-01"), "2019-03-01")
    assert result["paper_deadline"] == "2020-01-01"
    assert result["rules_version"] == "clrm@2019-01-01"


def test_the_version_follows_the_effective_completion_date_not_the_first_completion() -> None:
    rows = [*academies("2018-08-01", "2018-09-01", "2018-10-01"), academy("2019-02-01", "foundation")]
    result = audit(rows, "2019-06-01")
    assert result["completion_date"] == "2019-02-01"
    assert result["paper_deadline"] == "2020-02-01"
    assert result["rules_version"] == "clrm@2019-01-01"


def test_a_leap_day_plus_one_year_ends_on_february_28() -> None:
    assert audit(academies("2024-01-01", "2024-02-01", "2024-02-29"), "2024-03-01")["paper_deadline"] == "2025-02-28"


def test_august_31_plus_six_months_ends_on_february_28() -> None:
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert audit(academies("2018-06-01", "2018-07-01", "2018-08-31"), "2018-09-01")["paper_deadline"] == "2019-02-28"


def test_month_addition_keeps_the_day_when_it_exists_and_crosses_years() -> None:
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2023, 12, 15), 1) == date(2024, 1, 15)
    assert add_months(date(2024, 1, 31), 12) == date(2025, 1, 31)


# ----------------------------------------------------------------------------------------- submission

COMPLETE = academies("2023-01-10", "2023-02-10", "2023-03-15")  # deadline 2024-03-15
READY = ready("2023-04-01")


def test_a_submission_on_the_deadline_is_timely() -> None:
    result = audit([*COMPLETE, *READY, step("2024-03-15", "paper_submitted", paper_type="grievance")], "2024-04-01")
    assert result["status"] == "under_review"
    assert result["timely_submission_date"] == "2024-03-15"
    assert "Await the review" in result["next_steps"]


def test_a_submission_one_day_after_the_deadline_is_not_timely() -> None:
    result = audit([*COMPLETE, *READY, step("2024-03-16", "paper_submitted")], "2024-04-01")
    assert result["status"] == "retake_required"
    assert result["timely_submission_date"] is None
    assert any("after the paper deadline 2024-03-15" in warning for warning in result["warnings"])


def test_a_submission_on_the_completion_day_is_timely() -> None:
    rows = [*ready("2022-12-01"), step("2023-03-15", "paper_submitted"), *COMPLETE]
    assert audit(rows, "2023-04-01")["status"] == "under_review"


def test_a_submission_before_the_academies_are_complete_does_not_count() -> None:
    rows = [*ready("2022-12-01"), step("2023-03-01", "paper_submitted"), *COMPLETE]
    result = audit(rows, "2023-04-01")
    assert result["status"] == "paper_due"
    assert any("before all three core academies" in warning for warning in result["warnings"])


def test_a_submission_before_the_arbitrator_approval_is_not_timely() -> None:
    rows = [*COMPLETE, step("2023-04-01", "orientation_attended"), step("2023-05-01", "paper_submitted")]
    rows.append(step("2023-06-01", "arbitrator_approved"))
    result = audit(rows, "2023-07-01")
    assert result["status"] == "paper_due"
    assert result["next_steps"].endswith("submit it by 2024-03-15.")
    assert any("before the arbitrator approval" in warning for warning in result["warnings"])


def test_a_submission_before_the_orientation_is_not_timely() -> None:
    rows = [*COMPLETE, step("2023-04-01", "arbitrator_approved"), step("2023-05-01", "paper_submitted")]
    rows.append(step("2023-06-01", "orientation_attended"))
    result = audit(rows, "2023-07-01")
    assert result["status"] == "paper_due"
    assert any("before the orientation" in warning for warning in result["warnings"])


def test_a_submission_the_same_day_as_the_orientation_is_not_after_it_by_default() -> None:
    rows = [*COMPLETE, step("2023-04-01", "arbitrator_approved"), *[step("2023-05-01", "orientation_attended")]]
    rows.append(step("2023-05-01", "paper_submitted"))
    assert audit(rows, "2023-07-01")["status"] == "paper_due"


def test_the_same_day_setting_lets_a_same_day_orientation_come_first() -> None:
    shipped = load_clrm_program()
    lenient = shipped.model_copy(
        update={"versions": tuple(v.model_copy(update={"prerequisites_same_day": True}) for v in shipped.versions)}
    )
    rows = [*COMPLETE, step("2023-04-01", "arbitrator_approved"), step("2023-05-01", "orientation_attended")]
    rows.append(step("2023-05-01", "paper_submitted"))
    assert audit_clrm(rows, date(2023, 7, 1), lenient)["status"] == "under_review"


def test_a_later_submission_after_both_steps_is_the_timely_one() -> None:
    rows = [
        *COMPLETE,
        step("2023-04-01", "paper_submitted"),
        *ready("2023-05-01"),
        step("2023-06-01", "paper_submitted"),
    ]
    result = audit(rows, "2023-07-01")
    assert result["status"] == "under_review"
    assert result["timely_submission_date"] == "2023-06-01"


# --------------------------------------------------------------------------------------------- review

TIMELY = [*COMPLETE, *READY, step("2023-09-01", "paper_submitted", paper_type="interest")]


def test_a_revision_request_after_a_timely_submission_asks_for_a_revision() -> None:
    result = audit([*TIMELY, step("2023-10-01", "revision_requested")], "2023-11-01")
    assert result["status"] == "revision_requested"
    assert "resubmit" in result["next_steps"]


def test_revisions_and_resubmissions_long_after_the_deadline_are_not_late() -> None:
    rows = [*TIMELY, step("2024-06-01", "revision_requested"), step("2025-09-01", "paper_submitted")]
    assert audit(rows, "2025-10-01")["status"] == "under_review"
    rows.append(step("2026-01-15", "revision_requested"))
    assert audit(rows, "2026-02-01")["status"] == "revision_requested"
    rows.append(step("2026-03-01", "paper_submitted"))
    rows.append(step("2026-05-01", "paper_accepted"))
    result = audit(rows, "2026-06-01")
    assert result["status"] == "certified"
    assert result["complete"] is True
    assert result["accepted_date"] == "2026-05-01"
    assert "certificate is to be issued" in result["next_steps"]


def test_an_acceptance_without_a_timely_submission_is_ignored() -> None:
    rows = [*COMPLETE, *READY, step("2024-04-01", "paper_submitted"), step("2024-05-01", "paper_accepted")]
    result = audit(rows, "2024-06-01")
    assert result["status"] == "retake_required"
    assert result["complete"] is False
    assert any("acceptance of 2024-05-01" in warning and "ignored" in warning for warning in result["warnings"])


def test_a_revision_request_without_a_timely_submission_is_ignored() -> None:
    result = audit([*COMPLETE, step("2023-06-01", "revision_requested")], "2023-07-01")
    assert result["status"] == "paper_due"
    assert any("revision request" in warning for warning in result["warnings"])


def test_on_one_day_a_review_follows_the_submission_whatever_the_input_order() -> None:
    rows = [*COMPLETE, *READY, step("2023-09-01", "revision_requested"), step("2023-09-01", "paper_submitted")]
    assert audit(rows, "2023-10-01")["status"] == "revision_requested"
    rows = [*COMPLETE, *READY, step("2023-09-01", "paper_accepted"), step("2023-09-01", "paper_submitted")]
    assert audit(rows, "2023-10-01")["status"] == "certified"


def test_acceptance_is_final() -> None:
    rows = [*TIMELY, step("2023-10-01", "paper_accepted"), step("2023-11-01", "revision_requested")]
    result = audit(rows, "2023-12-01")
    assert result["status"] == "certified"
    assert any("changes nothing" in warning for warning in result["warnings"])


def test_the_submission_after_a_retake_is_judged_by_the_new_deadline() -> None:
    rows = [
        *COMPLETE,
        *READY,
        step("2024-04-01", "paper_submitted"),  # late for 2024-03-15
        academy("2024-09-01", "foundation"),  # new deadline 2025-09-01
        step("2025-09-01", "paper_submitted"),
    ]
    result = audit(rows, "2025-09-10")
    assert result["status"] == "under_review"
    assert result["completion_date"] == "2024-09-01"
    assert result["timely_submission_date"] == "2025-09-01"


def test_a_retake_on_the_day_of_a_late_submission_makes_it_timely() -> None:
    rows = [*COMPLETE, *READY, step("2024-04-01", "paper_submitted"), academy("2024-04-01", "foundation")]
    assert audit(rows, "2024-05-01")["status"] == "under_review"


# -------------------------------------------------------------------------------------------- as-of


def test_events_after_the_as_of_date_are_ignored_and_reported() -> None:
    rows = [*TIMELY, step("2023-10-01", "paper_accepted", id="acc")]
    result = audit(rows, "2023-09-30")
    assert result["status"] == "under_review"
    assert result["warnings"] == ["event acc (paper_accepted on 2023-10-01) is after the as-of date and was ignored"]
    assert audit(rows, "2023-10-01")["status"] == "certified"


def test_an_academy_after_the_as_of_date_does_not_complete_the_academies() -> None:
    result = audit(academies("2023-01-10", "2023-02-10", "2023-03-15"), "2023-03-14")
    assert result["status"] == "academies_incomplete"
    assert result["missing_academies"] == ["arbitration"]


# ------------------------------------------------------------------------------------ audit object


def test_the_audit_object_has_the_spec_keys_and_is_plain_json() -> None:
    result = audit([*TIMELY, {"date": "nope", "type": "paper_accepted"}], "2023-10-01")
    for key in ("program", "as_of", "rules_version", "status", "missing_academies", "completion_date"):
        assert key in result
    for key in ("paper_deadline", "complete", "next_steps", "rejected", "warnings"):
        assert key in result
    assert result["program"] == "clrm"
    assert result["as_of"] == "2023-10-01"
    assert isinstance(result["next_steps"], str)
    assert result["next_steps"] == " ".join(result["next_steps_list"])
    assert result["rejected"] == [{"event": "7", "error": "date 'nope' is not an ISO date YYYY-MM-DD"}]
    assert json.loads(json.dumps(result)) == result


def test_next_steps_name_the_open_workflow_steps_before_the_paper() -> None:
    steps = audit(academies("2024-01-01", "2024-02-01", "2024-03-01"), "2024-04-01")["next_steps_list"]
    assert steps[0].startswith("Select the arbitrator(s)")
    assert "Executive Director or a designee" in steps[0]
    assert steps[1].startswith("Attend an orientation")
    assert steps[2] == "Research and write the paper (type grievance or interest) and submit it by 2025-03-01."


def test_next_steps_for_an_incomplete_candidate_say_when_the_paper_will_be_due() -> None:
    steps = audit([academy("2024-01-01", "foundation"), *ready("2024-01-02")], "2024-04-01")["next_steps_list"]
    assert steps == [
        "Complete the remaining core academies: Negotiations, Arbitration.",
        "Then research and write the paper (type grievance or interest); it is due 12 months after the academies are"
        " completed.",
    ]


def test_an_approval_and_orientation_the_day_before_the_submission_are_in_time() -> None:
    rows = [*COMPLETE, *ready("2023-08-31"), step("2023-09-01", "paper_submitted")]
    assert audit(rows, "2023-10-01")["status"] == "under_review"


def test_an_orientation_the_day_after_the_submission_is_too_late_for_it() -> None:
    rows = [*COMPLETE, step("2023-08-01", "arbitrator_approved"), step("2023-09-02", "orientation_attended")]
    rows.append(step("2023-09-01", "paper_submitted"))
    assert audit(rows, "2023-10-01")["status"] == "paper_due"


def test_a_retake_now_is_promised_the_deadline_of_the_rule_in_force_now() -> None:
    result = audit(academies("2018-01-10", "2018-02-10", "2018-03-15"), "2020-01-01")
    assert result["status"] == "retake_required"
    assert result["paper_deadline"] == "2018-09-15"
    assert "new deadline 12 months after the retake" in result["next_steps"]


WORKED_EXAMPLE = [  # docs/clrm.md, "Worked example"
    academy("2024-02-08", "foundation", id="e1"),
    academy("2024-05-16", "arbitration", id="e2"),
    academy("2024-09-12", "negotiations", id="e3"),
    step("2024-10-01", "arbitrator_approved", id="e4"),
    step("2024-10-20", "orientation_attended", id="e5"),
    academy("2026-01-22", "foundation", id="e6"),
    step("2026-11-30", "paper_submitted", id="e7", paper_type="grievance"),
    step("2027-03-05", "revision_requested", id="e8"),
    step("2027-06-01", "paper_submitted", id="e9"),
    step("2027-08-15", "paper_accepted", id="e10"),
]


@pytest.mark.parametrize(
    ("as_of", "status", "completion", "deadline"),
    [
        ("2024-06-01", "academies_incomplete", None, None),
        ("2025-03-01", "paper_due", "2024-09-12", "2025-09-12"),
        ("2025-10-01", "retake_required", "2024-09-12", "2025-09-12"),
        ("2026-02-01", "paper_due", "2026-01-22", "2027-01-22"),
        ("2026-12-01", "under_review", "2026-01-22", "2027-01-22"),
        ("2027-04-01", "revision_requested", "2026-01-22", "2027-01-22"),
        ("2027-07-01", "under_review", "2026-01-22", "2027-01-22"),
        ("2027-09-01", "certified", "2026-01-22", "2027-01-22"),
    ],
)
def test_the_documented_worked_example_holds(
    as_of: str, status: str, completion: str | None, deadline: str | None
) -> None:
    result = audit(WORKED_EXAMPLE, as_of)
    assert (result["status"], result["completion_date"], result["paper_deadline"]) == (status, completion, deadline)


def test_an_event_built_by_hand_with_an_unknown_academy_is_ignored_not_counted() -> None:
    from certcredit.engine.clrm import ClrmEvent, clrm_progress

    program = load_clrm_program()
    events = [
        ClrmEvent(1, "1", date(2024, 1, 1), "academy_completed", academy="foundation"),
        ClrmEvent(2, "2", date(2024, 1, 2), "academy_completed", academy="negotiations"),
        ClrmEvent(3, "3", date(2024, 1, 3), "academy_completed", academy="ethics"),
    ]
    progress = clrm_progress(events, date(2024, 2, 1), program)
    assert progress.status == "academies_incomplete"
    assert progress.missing_academies == ["arbitration"]
    assert progress.warnings == ["event 3 names no core academy ('ethics') and was ignored"]
