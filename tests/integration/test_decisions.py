"""Decisions: designations win over the evaluator, a review replaces an evaluation, each is in history."""

from __future__ import annotations

import pytest

from certcredit.services.access import Forbidden
from certcredit.services.decisions import decide, decision_for
from certcredit.store.catalog.models import Session
from certcredit.store.history.models import HistoryEntry

pytestmark = [pytest.mark.store, pytest.mark.django_db]


@pytest.fixture
def session() -> Session:
    return Session.objects.create(title="Negotiating vendor contracts", minutes=90, natural_key="s|x")


def test_a_review_replaces_the_evaluators_decision(session: Session, make_person) -> None:
    reviewer = make_person("rev@example.org", "reviewer")
    decide(None, session, "evaluated", "needs_review", confidence=0.41, analysis="unclear focus")
    review = decide(reviewer, session, "reviewed", "qualifies", "organizational_development", "CM")
    assert decision_for(session) == review


def test_a_designation_is_never_overridden_by_a_later_evaluation_or_review(session, make_person) -> None:
    staff = make_person("desk@example.org", "staff")
    designation = decide(staff, session, "designated", "qualifies", "communication", "CM")
    decide(None, session, "evaluated", "does_not_qualify", confidence=0.9)
    decide(staff, session, "reviewed", "does_not_qualify")
    assert decision_for(session) == designation


def test_a_session_without_decisions_has_none(session: Session) -> None:
    assert decision_for(session) is None


def test_each_decision_is_written_to_history_with_who(session: Session, make_person) -> None:
    reviewer = make_person("rev@example.org", "reviewer")
    decision = decide(reviewer, session, "reviewed", "qualifies", "writing")
    entry = HistoryEntry.objects.get(object_type="catalog.decision", object_id=str(decision.pk))
    assert (entry.actor_label, entry.action, entry.after["category"]) == ("rev@example.org", "decide", "writing")


def test_a_member_may_not_review_and_nothing_is_stored(session: Session, make_person) -> None:
    member = make_person("mem@example.org")
    with pytest.raises(Forbidden):
        decide(member, session, "reviewed", "qualifies", "writing")
    assert session.decisions.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"verdict": "maybe"}, "unknown verdict"),
        ({"verdict": "qualifies", "category": "cooking"}, "unknown category"),
        ({"verdict": "does_not_qualify", "category": "writing"}, "only a qualifying decision"),
        ({"verdict": "qualifies", "confidence": 1.5}, "between 0 and 1"),
    ],
)
def test_a_decision_with_unknown_values_is_refused(session: Session, kwargs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decide(None, session, "evaluated", **kwargs)
    assert session.decisions.count() == 0
