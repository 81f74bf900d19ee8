"""The written analysis: main focus, evidence, verdict and hours, and for a near miss what it would need.

It follows the manner of the guide's analyses (name the main focus, point at the title and description, give
the verdict) in the project's own words, built from what actually decided the session: the rule that applied,
the cue words found, the labelled sessions the text reads closest to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from certcredit.evaluate.lexicon import Lexicon, Veto
from certcredit.evaluate.model import Neighbours
from certcredit.evaluate.sessions import MINIMUM_MINUTES, SessionFacts, credit_hours
from certcredit.values.vocabulary import CATEGORY_NAMES, SUBJECT_AREA_NAMES, TOPIC_NAMES

#: What each Management Category's main focus is, in a phrase that completes "The main focus is ...".
FOCUS: Final = {
    "writing": "improving written work: documents, correspondence, grammar and style",
    "communication": "spoken and interpersonal communication at work",
    "self_management": "a concrete skill for managing one's own work, such as time, priorities, projects or stress",
    "information_technology": "the features, use or security of technology systems and software",
    "organizational_development": "leading and developing people, teams and the organization",
}
#: The focus of a session outside the categories, by the subject area its content belongs to.
OTHER_FOCUS: Final = {
    "HR": "a human resources matter (Human Resources Management)",
    "FM": "a financial subject (Financial Management)",
    "OM": "an operations matter such as facilities, records or vendors (Operations Management)",
    "LI": "the business of the firm or of the legal industry, such as marketing, careers, risk or trends",
    "CM": "inspiration or personal growth in general rather than a skill taught for work",
}
#: What a session would need to teach to qualify, when no lexicon entry says it better.
NEEDS: Final = {
    "writing": "teach how to write documents used at work as its main focus",
    "communication": "teach speaking, listening or interpersonal skills used at work as its main focus",
    "self_management": "teach a concrete, job-related method for managing one's own work as its main focus",
    "information_technology": "teach how to use, configure or secure a system or software as its main focus",
    "organizational_development": "teach a leadership, team or change-management skill as its main focus",
}


@dataclass(frozen=True)
class Finding:
    """Everything the analysis needs to explain one decision."""

    session: SessionFacts
    reading_label: str
    focus: str  # the category the content is about, or "none"
    area: str | None
    decision: str
    category: str | None
    confidence: float
    reason: str
    vector: npt.NDArray[np.float32]
    topic: str | None = None
    veto: Veto | None = None
    veto_words: str | None = None
    runner_up: str | None = None
    runner_up_probability: float = 0.0
    probability: float = 0.0
    promise: str | None = None  # the text's words that promise personal growth rather than a job skill
    title_only: bool = False  # the session came with no description: only its title was read


def write_analysis(finding: Finding, lexicon: Lexicon, neighbours: Neighbours) -> str:
    """Three to five sentences: focus, evidence, verdict with hours, and what a near miss would need."""
    parts = [_focus_sentence(finding), _evidence_sentence(finding, lexicon, neighbours), _verdict(finding)]
    advice = _advice(finding, lexicon)
    if advice:
        parts.append(advice)
    if finding.topic:
        parts.append(f"It also carries the {TOPIC_NAMES[finding.topic]} topic for recertification.")
    return " ".join(p for p in parts if p)


def _focus_sentence(finding: Finding) -> str:
    if finding.reason == "title_only":
        return "The session has no description to read its main focus from."
    if finding.reason == "designated":
        name = CATEGORY_NAMES[finding.category or ""]
        return f"The provider designated this session for {name}; the designation stands."
    if finding.veto is not None:
        return f"The main focus is {finding.veto.focus}."
    if finding.focus in FOCUS:
        return f"The main focus is {FOCUS[finding.focus]}."
    if finding.area in OTHER_FOCUS:
        return f"The main focus is {OTHER_FOCUS[finding.area]}, not a skill from one of the five Management Categories."
    return "The main focus is not a skill from any of the five Management Categories."


def _evidence_sentence(finding: Finding, lexicon: Lexicon, neighbours: Neighbours) -> str:
    if finding.reason == "designated":
        return ""
    if finding.veto is not None and finding.veto_words:
        return f"The title says so plainly (“{finding.veto_words}”)."
    if finding.reason == "title_only":
        return ""
    pieces = ["it comes with no description, so only its title was read"] if finding.title_only else []
    if finding.promise:
        pieces.append(f"no job skill is taught: the session promises “{finding.promise}”")
    if finding.focus in FOCUS:
        cues = _distinct(lexicon.cue_words(finding.focus, finding.session.text))[:4]
        if cues:
            pieces.append(f"the title and description speak of {_join(cues)}")
    close = neighbours.nearest(finding.vector, finding.reading_label, count=2)
    close = [(title, score) for title, score in close if title.casefold() != finding.session.title.casefold()]
    if close:
        kind = CATEGORY_NAMES.get(finding.reading_label, "non-qualifying")
        titles = _join([f"“{title}”" for title, _ in close])
        pieces.append(f"it reads closest to the {kind} sessions {titles} in the labelled examples")
    if not pieces:
        return ""
    sentence = "; ".join(pieces)
    return f"Evidence: {sentence}."


def _verdict(finding: Finding) -> str:
    minutes = finding.session.minutes
    if finding.decision == "qualifies":
        hours = _hours(credit_hours(minutes or 0))
        name = CATEGORY_NAMES[finding.category or ""]
        return f"It qualifies for {hours} of CLM credit in {name}{_area_clause(finding)}."
    if finding.reason == "too_short":
        return (
            f"At {minutes} minutes it is shorter than the {MINIMUM_MINUTES} minutes every CLM session needs, so it "
            "does not qualify whatever its content."
        )
    if finding.reason == "ala_undesignated":
        return (
            "It was given at an ALA conference without a CLM designation, and there only designated sessions count "
            f"for the Management Categories, so it does not qualify for a category{_area_clause(finding)}."
        )
    if finding.reason in ("no_duration", "designated_no_duration"):
        return (
            "Its duration is not known, so it cannot qualify yet: it needs review until the time or minutes are given."
        )
    if finding.reason == "unsure":
        best = CATEGORY_NAMES.get(finding.reading_label, "no Management Category")
        return (
            f"The reading is not clear enough to decide (best guess: {best}, confidence {finding.probability:.2f}), so "
            "it needs review by a person."
        )
    if finding.reason == "non_education":
        return "It is not educational instruction, so it does not qualify for CLM credit."
    if finding.reason == "no_skill_taught":
        return (
            "Its words promise personal growth or inspiration rather than a concrete, job-related skill, and where it "
            "is ambiguous whether such a skill is taught a session does not qualify: it does not qualify for a "
            f"Management Category{_area_clause(finding)}."
        )
    if finding.reason == "title_only":
        return (
            "Only its title is given, and a title alone does not show what a session teaches, so nothing can be "
            "judged yet: it needs review, or a description."
        )
    return f"It does not qualify for a Management Category{_area_clause(finding)}."


def _advice(finding: Finding, lexicon: Lexicon) -> str:
    """For a near miss, what the session would need to qualify."""
    if finding.decision != "does_not_qualify" or finding.reason in ("too_short", "ala_undesignated", "non_education"):
        return ""
    if finding.veto is not None and finding.veto.advice:
        return f"To qualify, {finding.veto.advice}."
    miss = lexicon.near_miss(finding.session.text)
    if finding.runner_up is None and miss is None:
        return ""
    if miss is not None and (finding.runner_up is None or finding.runner_up == miss.category):
        return f"To qualify for {CATEGORY_NAMES[miss.category]}, {miss.advice}."
    if finding.runner_up is not None:
        return f"To qualify for {CATEGORY_NAMES[finding.runner_up]}, it would need to {NEEDS[finding.runner_up]}."
    return ""


def _area_clause(finding: Finding) -> str:
    if finding.area is None:
        return ""
    return f" (subject area {finding.area}, {SUBJECT_AREA_NAMES[finding.area]})"


def _hours(hours: float) -> str:
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return f"{text} hour" if text == "1" else f"{text} hours"


def _distinct(words: list[str]) -> list[str]:
    """Drop a cue word that shares its first five letters with one already kept ("writing", "write")."""
    kept: list[str] = []
    for word in words:
        if not any(word[:5] == other[:5] for other in kept):
            kept.append(word)
    return kept


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
