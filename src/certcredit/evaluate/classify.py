"""Deciding a session (RULES.md, "Deciding a category"): the rules first, the model for the main focus.

The order matters and is the rulebook's: a session under 60 minutes never qualifies; a designation is kept;
an undesignated session at an ALA conference gets no category; without a known duration nothing can qualify
yet; a title the veto list recognises is settled without the model; otherwise the category head reads the
main focus and abstains (``needs_review``) when it is not sure enough, in either direction (a session with no
description is read from its title, gets no guessed subject area, and its review says a title is all there
is). A reading is settled as "does not qualify" against the model only by the text's own evidence: words that
promise inspiration or personal growth instead of a job skill (RULES.md's ambiguity rule), which the analysis
quotes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from certcredit.evaluate.analysis import Finding, write_analysis
from certcredit.evaluate.embedder import Embedder
from certcredit.evaluate.features import feature_inputs, session_features
from certcredit.evaluate.lexicon import Lexicon
from certcredit.evaluate.model import NO_AREA, NO_TOPIC, NONE, REVIEW, SessionModel, model_verdict
from certcredit.evaluate.sessions import MINIMUM_MINUTES, Evaluation, SessionFacts, credit_hours

#: The category each Management Category falls under for recertification (RULES.md table).
DEFAULT_AREA: Final = {
    "writing": "CM",
    "communication": "CM",
    "self_management": "CM",
    "information_technology": "OM",
    "organizational_development": "CM",
}
#: Confidence reported for a decision a rule settles outright (duration, designation, venue).
RULE_CONFIDENCE: Final = 1.0
#: Confidence reported for a title veto: every pattern is checked against the training titles, but a
#: pattern can still meet a title it was not written for.
VETO_CONFIDENCE: Final = 0.95
#: A near miss is worth explaining when the best category still got this much probability.
NEAR_MISS_FLOOR: Final = 0.15
#: Fewer description words than this and the main focus cannot be judged: a title alone (a keynote, a
#: "Welcome") says what the session is called, not what it teaches.
MIN_DESCRIPTION_WORDS: Final = 3


def title_only(session: SessionFacts) -> bool:
    """Whether the session brings (almost) no description: nothing but its title to judge the focus by."""
    return len(session.description.split()) < MIN_DESCRIPTION_WORDS


#: The readings RULES.md's ambiguity rule speaks to: is a self-management skill taught, or none at all?
SKILL_IN_DOUBT: Final = frozenset({"self_management", NONE})


def text_verdict(
    reading_label: str, label: str, reason: str, session: SessionFacts, lexicon: Lexicon
) -> tuple[str, str, str | None]:
    """The model's verdict with RULES.md's ambiguity rule applied to the text: (label, reason, quoted words).

    When the text promises inspiration or personal growth rather than a job skill, it is ambiguous whether a
    job-related self-management skill is taught, and then the session does not qualify; the words are returned
    for the analysis to quote. The rule speaks to Self-Management against none (the guide states it for
    Self-Management): it settles an unsure reading whose best label is one of the two, and overrules a
    Self-Management reading however sure (no Self-Management session of the training files carries such
    words). Without such words an unsure reading stays a review. Shared with the cross-validation that chooses
    the thresholds.
    """
    in_doubt = label == REVIEW and reading_label in SKILL_IN_DOUBT
    if not (in_doubt or label == "self_management"):
        return label, reason, None
    promise = lexicon.no_skill_promise(session.text)
    if promise is None:
        return label, reason, None
    return NONE, "no_skill_taught", promise


@dataclass(frozen=True, slots=True)
class Reading:
    """What the model makes of one session's text."""

    label: str  # the category head's best label (a category or "none")
    probability: float
    runner_up: str  # the best category other than the label ("none" excluded)
    runner_up_probability: float
    second: str  # the next best label after ``label``, "none" included
    none_probability: float
    area: str | None
    area_probability: float
    topic: str | None
    vector: npt.NDArray[np.float32]


class SessionEvaluator:
    """Evaluates sessions with one model, one embedder and one lexicon, loaded once and reused."""

    def __init__(self, model: SessionModel, embedder: Embedder, lexicon: Lexicon) -> None:
        if model.embedder != embedder.name:
            raise ValueError(f"the model was trained on {model.embedder!r} vectors, not {embedder.name!r}")
        self.model, self.embedder, self.lexicon = model, embedder, lexicon

    def evaluate(self, sessions: Sequence[SessionFacts]) -> list[Evaluation]:
        """Evaluations in input order; the texts are embedded in batches."""
        if not sessions:
            return []
        vectors = session_features(self.embedder, *feature_inputs(sessions), self.model.hashing)
        return [self._evaluate_one(s, self.read(s, v)) for s, v in zip(sessions, vectors, strict=True)]

    def read(self, session: SessionFacts, vector: npt.NDArray[np.float32]) -> Reading:
        """The model's view: the focus label, the subject area and the topic, before any rule."""
        model = self.model
        probs = model.category.probabilities(vector[None, :])[0]
        labels = model.category.labels
        best = int(np.argmax(probs))
        categories = [i for i, name in enumerate(labels) if name != NONE and i != best]
        second = max(categories, key=lambda i: probs[i])
        next_best = int(np.argsort(-probs, kind="stable")[1])
        area, area_p = self._area(session, labels[best], vector)
        return Reading(
            labels[best],
            float(probs[best]),
            labels[second],
            float(probs[second]),
            labels[next_best],
            float(probs[labels.index(NONE)]),
            area,
            area_p,
            self._topic(session, vector),
            vector,
        )

    def _area(self, session: SessionFacts, label: str, vector: npt.NDArray[np.float32]) -> tuple[str | None, float]:
        """The subject area: designated; else the category's default unless the content clearly lies elsewhere."""
        if session.subject_area is not None:
            return session.subject_area, RULE_CONFIDENCE
        if session.category is not None:
            return DEFAULT_AREA[session.category], RULE_CONFIDENCE
        head = self.model.area
        probs = head.probabilities(vector[None, :])[0]
        best = int(np.argmax(probs))
        if label != NONE:
            default = DEFAULT_AREA[label]
            if head.labels[best] == default or probs[best] < self.model.settings.area_switch_above:
                return default, float(probs[head.labels.index(default)])
        area = head.labels[best]
        return (None if area == NO_AREA else area), float(probs[best])

    def _topic(self, session: SessionFacts, vector: npt.NDArray[np.float32]) -> str | None:
        """A topic only when the head is sure *and* the text names it: a wrong topic hour cannot count twice."""
        if session.topic is not None:
            return session.topic
        head = self.model.topic
        probs = head.probabilities(vector[None, :])[0]
        best = int(np.argmax(probs))
        topic = head.labels[best]
        if topic == NO_TOPIC or probs[best] < self.model.settings.topic_above:
            return None
        return topic if self.lexicon.topic_cue(topic, session.text) else None

    def _evaluate_one(self, session: SessionFacts, reading: Reading) -> Evaluation:
        finding = self._decide(session, reading)
        hours = credit_hours(session.minutes) if finding.decision == "qualifies" and session.minutes else 0.0
        return Evaluation(
            id=session.id,
            title=session.title,
            minutes=session.minutes,
            credit_hours=hours,
            decision=finding.decision,
            category=finding.category if finding.decision == "qualifies" else None,
            subject_area=finding.area,
            topic=reading.topic,
            confidence=round(finding.confidence, 4),
            analysis=write_analysis(finding, self.lexicon, self.model.neighbours),
        )

    def _decide(self, session: SessionFacts, reading: Reading) -> Finding:
        """The rulebook's order (module docstring); every branch names its ``reason`` for the analysis."""
        base = Finding(
            session=session,
            reading_label=reading.label,
            focus=session.category or reading.label,
            area=reading.area,
            decision="does_not_qualify",
            category=None,
            confidence=RULE_CONFIDENCE,
            reason="",
            vector=reading.vector,
            topic=reading.topic,
            probability=reading.probability,
        )
        if session.minutes is not None and session.minutes < MINIMUM_MINUTES:
            return replace(base, reason="too_short")
        if session.category is not None:
            if session.minutes is None:
                return replace(base, decision="needs_review", reason="designated_no_duration")
            return replace(base, decision="qualifies", category=session.category, reason="designated")
        if session.venue == "ala_conference":
            return replace(base, reason="ala_undesignated")
        veto = self.lexicon.veto(session.title)
        if session.minutes is None:
            return replace(base, decision="needs_review", confidence=reading.probability, reason="no_duration")
        if veto is not None:
            return replace(
                base,
                focus=NONE,
                area=None if veto[0].no_area and session.subject_area is None else base.area,
                confidence=VETO_CONFIDENCE,
                reason=veto[0].kind,
                veto=veto[0],
                veto_words=veto[1],
            )
        label, reason = model_verdict(reading.label, reading.probability, self.model.settings)
        label, reason, promise = text_verdict(reading.label, label, reason, session, self.lexicon)
        if title_only(session):
            # a title alone: decided only when the model is sure from it; no subject area is guessed for a
            # session that does not qualify, and a review says that there is nothing but a title to judge
            base = replace(base, title_only=True)
            if label in (REVIEW, NONE):
                base = replace(base, area=session.subject_area)
            if label == REVIEW:
                reason = "title_only"
        if label == REVIEW:
            return replace(
                base,
                decision="needs_review",
                confidence=reading.probability,
                reason=reason,
                runner_up=reading.runner_up,
                runner_up_probability=reading.runner_up_probability,
            )
        if reason == "no_skill_taught":
            return replace(
                base,
                focus=NONE,
                confidence=reading.none_probability,
                reason=reason,
                promise=promise,
                runner_up="self_management",
                runner_up_probability=(
                    reading.probability if reading.label == "self_management" else reading.runner_up_probability
                ),
            )
        if label == NONE:
            near = reading.runner_up if reading.runner_up_probability >= NEAR_MISS_FLOOR else None
            return replace(
                base,
                confidence=reading.probability,
                reason=reason,
                promise=self.lexicon.no_skill_promise(session.text),
                runner_up=near,
                runner_up_probability=reading.runner_up_probability,
            )
        return replace(
            base, decision="qualifies", category=reading.label, confidence=reading.probability, reason="main_focus"
        )
