"""Arbitrator selection checks: flagged to the approver, never blocked (RULES.md setting)."""

from __future__ import annotations

from datetime import date

from certcredit.engine.clrm import AcceptedPaper, Reservation, arbitrator_warnings
from certcredit.rules.clrm import ArbitratorChecks, load_clrm_program

PAPERS = [
    AcceptedPaper("cand-1", ("Jane Roe", "John Doe"), date(2023, 5, 1)),
    AcceptedPaper("cand-2", ("Ann Lee",)),
]
RESERVATIONS = [Reservation("cand-3", "Max Park"), Reservation("cand-4", "Jane  roe")]


def test_an_arbitrator_nobody_has_covered_or_reserved_gets_no_warning() -> None:
    assert arbitrator_warnings("Chris Bell", PAPERS, RESERVATIONS) == []


def test_an_arbitrator_covered_by_an_accepted_paper_is_flagged() -> None:
    assert arbitrator_warnings("John Doe", PAPERS, RESERVATIONS) == [
        "John Doe is already covered by the paper of cand-1, accepted on 2023-05-01."
    ]
    assert arbitrator_warnings("Ann Lee", PAPERS, []) == [
        "Ann Lee is already covered by the paper of cand-2, accepted."
    ]


def test_names_match_ignoring_case_and_spacing_and_both_reasons_are_given() -> None:
    warnings = arbitrator_warnings("JANE ROE", PAPERS, RESERVATIONS)
    assert warnings == [
        "JANE ROE is already covered by the paper of cand-1, accepted on 2023-05-01.",
        "JANE ROE is reserved by cand-4, whose paper is in progress.",
    ]


def test_the_candidates_own_reservation_is_not_a_conflict() -> None:
    assert arbitrator_warnings("Max Park", PAPERS, RESERVATIONS, candidate="cand-3") == []
    assert arbitrator_warnings("Max Park", PAPERS, RESERVATIONS, candidate="cand-9") == [
        "Max Park is reserved by cand-3, whose paper is in progress."
    ]


def test_each_check_can_be_switched_off_in_the_rulebook() -> None:
    shipped = load_clrm_program()
    quiet = shipped.model_copy(
        update={
            "arbitrator_checks": ArbitratorChecks(
                warn_if_covered_by_accepted_paper=False, warn_if_reserved_by_other_candidate=False
            )
        }
    )
    assert arbitrator_warnings("Jane Roe", PAPERS, RESERVATIONS, program=quiet) == []
