"""Properties of every evaluation, whatever the text (hashing embedder; no model needed)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from certcredit.evaluate.sessions import DECISIONS, SessionFacts, credit_hours
from certcredit.values.vocabulary import CATEGORIES, SUBJECT_AREAS, TOPICS, VENUES
from tests.unit.evaluate_support import hashing_evaluator

WORDS = st.sampled_from(
    [
        "memos",
        "grammar",
        "listening",
        "presentation",
        "stress",
        "priorities",
        "excel",
        "network",
        "leadership",
        "team",
        "budget",
        "reception",
        "marketing",
        "résumé",
        "grief",
        "roundtable",
        "ethics",
        "alcohol",
        "negotiation",
        "coaching",
        "software",
        "writing",
    ]
)
TEXT = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)
SESSIONS = st.builds(
    SessionFacts,
    id=st.just("p"),
    title=TEXT,
    description=TEXT,
    minutes=st.none() | st.integers(0, 480),
    category=st.none() | st.sampled_from(CATEGORIES),
    subject_area=st.none() | st.sampled_from(SUBJECT_AREAS),
    topic=st.none() | st.sampled_from(TOPICS),
    venue=st.none() | st.sampled_from(VENUES),
)


@settings(max_examples=150, deadline=None)
@given(SESSIONS)
def test_every_evaluation_keeps_specs_invariants(session: SessionFacts) -> None:
    result = hashing_evaluator().evaluate([session])[0]
    assert result.decision in DECISIONS
    assert 0.0 <= result.confidence <= 1.0
    assert result.analysis
    if result.decision == "qualifies":
        assert result.category in CATEGORIES
        assert session.minutes is not None and session.minutes >= 60
        assert result.credit_hours == credit_hours(session.minutes)
    else:
        assert result.category is None
        assert result.credit_hours == 0
    if session.minutes is None:
        assert result.decision != "qualifies"
    if session.category is not None and session.minutes is not None and session.minutes >= 60:
        assert (result.decision, result.category) == ("qualifies", session.category)
    if session.category is None and session.venue == "ala_conference":
        assert result.decision == "does_not_qualify"
    if session.subject_area is not None:
        assert result.subject_area == session.subject_area
    if session.topic is not None:
        assert result.topic == session.topic
