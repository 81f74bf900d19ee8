"""The written analysis: main focus, evidence, verdict and hours, and what a near miss would need."""

from __future__ import annotations

from dataclasses import replace

from certcredit.evaluate.sessions import SessionFacts
from tests.unit.evaluate_support import hashing_evaluator, hashing_model


def evaluate_open(session: SessionFacts):
    model = replace(hashing_model(), settings=replace(hashing_model().settings, review_below=0.0, none_below=0.0))
    return hashing_evaluator(model).evaluate([session])[0]


def test_a_qualifying_analysis_names_the_focus_the_evidence_and_the_hours() -> None:
    session = SessionFacts(
        id="1",
        title="Better Memos",
        minutes=75,
        description="Draft clear memos and e-mail with sound grammar and a plain writing style.",
    )
    result = evaluate_open(session)
    assert result.decision == "qualifies"
    assert result.analysis.startswith("The main focus is improving written work")
    assert "grammar" in result.analysis
    assert "1.25 hours of CLM credit in Writing Skills" in result.analysis


def test_a_near_miss_on_marketing_says_to_teach_the_tools_not_marketing_with_them() -> None:
    session = SessionFacts(
        id="2",
        title="Marketing the Firm Online",
        minutes=60,
        description="Marketing ideas: blogs, social media, brand and campaigns to market the firm.",
    )
    result = evaluate_open(session)
    assert result.decision == "does_not_qualify"
    assert "not how to market the firm with them" in result.analysis


def test_the_analysis_of_a_short_session_gives_the_minutes_and_the_minimum() -> None:
    session = SessionFacts(id="3", title="Better Memos", description="Grammar and memos.", minutes=45)
    assert "At 45 minutes it is shorter than the 60 minutes" in evaluate_open(session).analysis


def test_a_designated_session_analysis_says_the_designation_stands() -> None:
    session = SessionFacts(id="4", title="Anything", minutes=60, category="communication")
    result = evaluate_open(session)
    assert "designation stands" in result.analysis
    assert "1 hour of CLM credit in Communication Skills" in result.analysis


def test_a_topic_is_mentioned_when_one_is_given() -> None:
    session = SessionFacts(
        id="5", title="Vendor Gifts", minutes=60, description="Rules on gifts.", topic="business_ethics"
    )
    result = evaluate_open(session)
    assert result.topic == "business_ethics"
    assert "Business Ethics topic" in result.analysis
