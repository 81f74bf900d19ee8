"""The category head's reading turned into a decision: thresholds, review, and RULES.md's ambiguity rule.

Issue 12: the model's own doubt goes to review in either direction ("does not qualify" is held to a threshold
like a category). RULES.md's rule (where it is ambiguous whether a job-related skill is taught, the session does
not qualify) reads the session's text: it settles an unsure reading only when the text itself promises
inspiration or personal growth, and the analysis quotes those words.
"""

from __future__ import annotations

import pytest

from certcredit.evaluate.classify import text_verdict
from certcredit.evaluate.lexicon import default_lexicon
from certcredit.evaluate.model import NONE, REVIEW, Settings, model_verdict
from certcredit.evaluate.sessions import SessionFacts

SETTINGS = Settings(review_below=0.75, none_below=0.6, area_switch_above=0.9, topic_above=0.4)


def session(description: str) -> SessionFacts:
    return SessionFacts(id="1", title="A Session", description=description, minutes=60)


def test_a_sure_reading_decides_its_label() -> None:
    assert model_verdict("writing", 0.9, SETTINGS) == ("writing", "main_focus")
    assert model_verdict("none", 0.7, SETTINGS) == ("none", "other_focus")


@pytest.mark.parametrize("label", ["none", "self_management", "communication", "information_technology"])
def test_an_unsure_reading_goes_to_review_in_either_direction(label: str) -> None:
    assert model_verdict(label, 0.55, SETTINGS) == (REVIEW, "unsure")


def test_a_project_planning_course_read_as_none_at_low_confidence_is_not_turned_down() -> None:
    # the webcast: "does not qualify" at 0.29 confidence, decided rather than sent to review
    label, reason = model_verdict(NONE, 0.29, SETTINGS)
    text = session("Project planning, task scheduling, estimates and deadlines for a legal team's work.")
    assert text_verdict(NONE, label, reason, text, default_lexicon()) == (REVIEW, "unsure", None)


def test_each_label_is_held_to_its_own_threshold() -> None:
    assert model_verdict("none", 0.65, SETTINGS)[0] == "none"
    assert model_verdict("writing", 0.65, SETTINGS)[0] == REVIEW


def test_an_unsure_reading_whose_text_promises_personal_growth_does_not_qualify_and_quotes_it() -> None:
    text = session("A motivational hour: the secret to happiness that most people never learn.")
    assert text_verdict("self_management", REVIEW, "unsure", text, default_lexicon()) == (
        NONE,
        "no_skill_taught",
        "motivational",
    )


def test_the_text_rule_overrules_a_sure_self_management_reading_that_promises_personal_growth() -> None:
    text = session("A gratitude practice for a fuller life: journaling prompts and quiet reflection.")
    assert text_verdict("self_management", "self_management", "main_focus", text, default_lexicon()) == (
        NONE,
        "no_skill_taught",
        "gratitude practice",
    )


def test_the_text_rule_never_overrides_a_sure_reading_of_another_category() -> None:
    text = session("An inspiring presenter teaches structure, voice and slides for talks to the partners.")
    assert text_verdict("communication", "communication", "main_focus", text, default_lexicon()) == (
        "communication",
        "main_focus",
        None,
    )


def test_the_text_rule_speaks_only_to_self_management_against_none() -> None:
    text = session("An inspiring workshop on presenting to the partners.")
    assert text_verdict("communication", REVIEW, "unsure", text, default_lexicon())[0] == REVIEW
