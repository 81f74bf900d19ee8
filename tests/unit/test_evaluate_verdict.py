"""The category head's reading turned into a decision: thresholds, review, and RULES.md's ambiguity rule.

RULES.md: a self-management session needs a concrete, job-related skill that is taught; where that is
ambiguous the session does not qualify. So an unsure reading between Self-Management and "none" is a
does-not-qualify, while any other unsure reading goes to a person.
"""

from __future__ import annotations

import pytest

from certcredit.evaluate.model import REVIEW, Settings, model_verdict

SETTINGS = Settings(review_below=0.75, none_below=0.6, area_switch_above=0.9, topic_above=0.4)


def test_a_sure_reading_decides_its_label() -> None:
    assert model_verdict("writing", 0.9, "none", SETTINGS) == ("writing", "main_focus")
    assert model_verdict("none", 0.7, "self_management", SETTINGS) == ("none", "other_focus")


@pytest.mark.parametrize(("label", "second"), [("none", "self_management"), ("self_management", "none")])
def test_an_unsure_reading_between_self_management_and_none_does_not_qualify(label: str, second: str) -> None:
    assert model_verdict(label, 0.55, second, SETTINGS) == ("none", "no_clear_skill")


@pytest.mark.parametrize(
    ("label", "second"),
    [("none", "information_technology"), ("communication", "none"), ("self_management", "organizational_development")],
)
def test_any_other_unsure_reading_goes_to_review(label: str, second: str) -> None:
    assert model_verdict(label, 0.55, second, SETTINGS) == (REVIEW, "unsure")


def test_each_label_is_held_to_its_own_threshold() -> None:
    assert model_verdict("none", 0.65, "writing", SETTINGS)[0] == "none"
    assert model_verdict("writing", 0.65, "none", SETTINGS)[0] == REVIEW
