"""The rulebook around the model (RULES.md, "Deciding a category"), with a model-free embedder."""

from __future__ import annotations

from dataclasses import replace

import pytest

from certcredit.evaluate.model import Settings
from certcredit.evaluate.sessions import SessionFacts
from tests.unit.evaluate_support import hashing_evaluator, hashing_model

WRITING = SessionFacts(
    id="w",
    title="Sharper Memos and E-mail",
    description="Draft clear memos and e-mail: grammar, punctuation, structure and a plain writing style.",
    minutes=90,
)


def evaluate(session: SessionFacts, **settings: float):
    model = hashing_model()
    if settings:
        model = replace(model, settings=replace(model.settings, **settings))
    return hashing_evaluator(model).evaluate([session])[0]


def test_a_clear_writing_session_qualifies_for_writing_with_its_hours() -> None:
    result = evaluate(WRITING, review_below=0.0, none_below=0.0)
    assert (result.decision, result.category, result.credit_hours) == ("qualifies", "writing", 1.5)
    assert result.subject_area == "CM"


@pytest.mark.parametrize("minutes", [0, 30, 59])
def test_a_session_under_60_minutes_never_qualifies(minutes: int) -> None:
    result = evaluate(replace(WRITING, minutes=minutes), review_below=0.0, none_below=0.0)
    assert (result.decision, result.category, result.credit_hours) == ("does_not_qualify", None, 0.0)
    assert "60 minutes" in result.analysis


def test_a_designation_on_a_59_minute_session_does_not_make_it_count() -> None:
    result = evaluate(replace(WRITING, minutes=59, category="writing"))
    assert result.decision == "does_not_qualify"
    assert result.category is None


def test_a_designated_session_keeps_its_designation_whatever_the_text() -> None:
    session = SessionFacts(
        id="d",
        title="Life Is a Choice",
        description="A motivational talk on choices.",
        minutes=75,
        category="information_technology",
    )
    result = evaluate(session)
    assert (result.decision, result.category, result.credit_hours) == ("qualifies", "information_technology", 1.25)
    assert result.subject_area == "OM"
    assert result.confidence == 1.0


def test_a_designated_subject_area_is_kept() -> None:
    result = evaluate(replace(WRITING, category="writing", subject_area="HR"))
    assert result.subject_area == "HR"


def test_a_session_with_no_known_duration_needs_review_and_says_so() -> None:
    result = evaluate(replace(WRITING, minutes=None), review_below=0.0, none_below=0.0)
    assert (result.decision, result.category, result.minutes, result.credit_hours) == ("needs_review", None, None, 0.0)
    assert "duration is not known" in result.analysis


def test_an_undesignated_session_at_an_ala_conference_gets_no_category_but_keeps_a_subject_area() -> None:
    result = evaluate(replace(WRITING, venue="ala_conference"), review_below=0.0, none_below=0.0)
    assert (result.decision, result.category) == ("does_not_qualify", None)
    assert result.subject_area == "CM"
    assert "ALA conference" in result.analysis


def test_a_designated_session_at_an_ala_conference_qualifies() -> None:
    result = evaluate(replace(WRITING, venue="ala_conference", category="writing"))
    assert (result.decision, result.category) == ("qualifies", "writing")


@pytest.mark.parametrize(
    "title",
    [
        "Holiday Reception",
        "Chapter Business Meeting",
        "Roundtable: Hybrid Schedules",
        "Idea Exchange on Billing",
        "Vendor Showcase: New Billing Platform",
    ],
)
def test_social_events_meetings_roundtables_and_sales_pitches_are_not_education(title: str) -> None:
    session = SessionFacts(id="x", title=title, description="Clear memos, grammar and writing style.", minutes=60)
    result = evaluate(session, review_below=0.0, none_below=0.0)
    assert (result.decision, result.category) == ("does_not_qualify", None)
    assert "not educational instruction" in result.analysis


def test_a_job_hunting_title_is_vetoed_and_the_analysis_says_what_would_qualify() -> None:
    session = SessionFacts(
        id="r",
        title="Résumé Writing for Your Next Move",
        description="Writing a résumé and cover letter; grammar and style.",
        minutes=60,
    )
    result = evaluate(session, review_below=0.0, none_below=0.0)
    assert (result.decision, result.category) == ("does_not_qualify", None)
    assert "To qualify" in result.analysis


def test_below_the_abstention_threshold_the_session_goes_to_review() -> None:
    result = evaluate(WRITING, review_below=1.01, none_below=1.01)
    assert (result.decision, result.category, result.credit_hours) == ("needs_review", None, 0.0)
    assert "needs review" in result.analysis


def test_confidence_is_a_probability_and_is_the_heads_for_a_model_decision() -> None:
    result = evaluate(WRITING, review_below=0.0, none_below=0.0)
    assert 0.0 < result.confidence <= 1.0


def test_evaluations_come_back_in_input_order() -> None:
    sessions = [replace(WRITING, id=str(i), minutes=50 + 10 * i) for i in range(4)]
    results = hashing_evaluator().evaluate(sessions)
    assert [r.id for r in results] == ["0", "1", "2", "3"]
    assert results[0].decision == "does_not_qualify"


def test_a_model_trained_on_another_embedder_is_refused() -> None:
    from certcredit.evaluate.classify import SessionEvaluator
    from certcredit.evaluate.embedder import HashingEmbedder
    from certcredit.evaluate.lexicon import default_lexicon

    model = replace(hashing_model(), embedder="all-MiniLM-L6-v2-int8-onnx")
    with pytest.raises(ValueError, match="trained on"):
        SessionEvaluator(model, HashingEmbedder(), default_lexicon())


def test_settings_are_the_cross_validated_values_in_range() -> None:
    settings: Settings = hashing_model().settings
    assert 0.3 <= settings.review_below <= 0.9
    assert 0.5 <= settings.area_switch_above <= 1.01


@pytest.mark.parametrize("title", ["Holiday Reception", "Chapter Business Meeting and Elections", "Annual Golf Outing"])
def test_a_social_event_or_business_meeting_gets_no_subject_area(title: str) -> None:
    result = evaluate(SessionFacts(id="s", title=title, description="Members gather.", minutes=120))
    assert (result.decision, result.subject_area) == ("does_not_qualify", None)


def test_a_roundtable_still_gets_the_subject_area_of_its_content() -> None:
    session = SessionFacts(id="t", title="Roundtable: Budgets", description="Budgets, accounting and cash.", minutes=60)
    result = evaluate(session)
    assert result.decision == "does_not_qualify"
    assert result.subject_area is not None


def test_a_keynote_with_an_empty_description_is_no_skill_taught_and_gets_no_guessed_area() -> None:
    # issue 10: such a keynote got an analysis about technology with an Operations area
    keynote = SessionFacts(id="k", title="Opening Keynote", description="", minutes=60)
    result = evaluate(keynote, review_below=0.0, none_below=0.0)
    assert (result.decision, result.category, result.subject_area) == ("does_not_qualify", None, None)
    assert "keynote address" in result.analysis
    assert "technology" not in result.analysis


def test_a_session_with_only_a_title_and_an_unsure_reading_goes_to_review_saying_so() -> None:
    bare = SessionFacts(id="t", title="Afternoon Session B", description="", minutes=60)
    result = evaluate(bare, review_below=1.0, none_below=1.0)
    assert (result.decision, result.category, result.subject_area) == ("needs_review", None, None)
    assert "Only its title is given" in result.analysis


def test_a_session_with_only_a_title_read_as_none_gets_no_guessed_area() -> None:
    bare = SessionFacts(id="t", title="Reading the Balance Sheet", description="", minutes=60)
    result = evaluate(bare, review_below=0.0, none_below=0.0)
    assert result.subject_area is None
    assert "only its title was read" in result.analysis


def test_an_unsure_none_reading_goes_to_review_rather_than_being_turned_down() -> None:
    planning = SessionFacts(
        id="p",
        title="Planning the Work",
        description="Task scheduling, estimates and deadlines for the matters a team carries.",
        minutes=120,
    )
    result = evaluate(planning, review_below=1.0, none_below=1.0)
    assert result.decision == "needs_review"
    assert "not clear enough to decide" in result.analysis


def test_an_unsure_reading_whose_text_promises_personal_growth_does_not_qualify_and_says_why() -> None:
    talk = SessionFacts(
        id="m",
        title="Life Is a Choice",
        description="A motivational talk on choices and happiness: the secret most people never learn.",
        minutes=60,
    )
    result = evaluate(talk, review_below=1.0, none_below=1.0)
    assert (result.decision, result.category) == ("does_not_qualify", None)
    assert "no job skill is taught: the session promises “motivational”" in result.analysis
