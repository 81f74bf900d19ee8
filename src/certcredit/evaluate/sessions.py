"""A session to evaluate, read from one row of a file (SPEC.md keys), and the evaluation it gets.

Reading is the one every path shares (``certcredit.values.row.check_row``), so a row the evaluator refuses is
refused by the audit and the store for the same reasons (and the other way round), and a bad row becomes one
clear error naming all its problems (the row is rejected in place) rather than a wrong decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from certcredit.values.row import RowInvalid, check_row

DECISIONS: Final = ("qualifies", "does_not_qualify", "needs_review")
MINUTES_PER_HOUR: Final = 60
MINIMUM_MINUTES: Final = 60


#: the evaluator's name for the one validator's error: a row that cannot be evaluated, every reason in words a
#: provider can act on
SessionError = RowInvalid


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What the evaluator needs to know about one session; designations are None unless given.

    A plain value read from a file's row or a stored ``catalog.Session`` (the catalogue's model, with its
    provider and decisions), which ``services.evaluations.core_session`` turns into one.
    """

    id: str
    title: str
    description: str = ""
    minutes: int | None = None
    category: str | None = None
    subject_area: str | None = None
    topic: str | None = None
    venue: str | None = None

    @property
    def text(self) -> str:
        """Title and description together: the main focus is judged from both (RULES.md)."""
        title = self.title.strip()
        if not self.description.strip():
            return title
        joiner = " " if title.endswith((".", "?", "!", ":")) else ". "
        return f"{title}{joiner}{self.description.strip()}"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The evaluator's answer for one session, with SPEC.md's fields."""

    id: str
    title: str
    minutes: int | None
    credit_hours: float
    decision: str
    category: str | None
    subject_area: str | None
    topic: str | None
    confidence: float
    analysis: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "minutes": self.minutes,
            "credit_hours": self.credit_hours,
            "decision": self.decision,
            "category": self.category,
            "subject_area": self.subject_area,
            "topic": self.topic,
            "confidence": self.confidence,
            "analysis": self.analysis,
        }


def credit_hours(minutes: int) -> float:
    """Minutes as hours, exact to 4 decimals (SPEC.md: 80 minutes = 1.3333)."""
    return round(minutes / MINUTES_PER_HOUR, 4)


def session_from_row(data: dict[str, Any], position: int) -> SessionFacts:
    """The SessionFacts of one row's keys; ``position`` is its id when the row has none (SPEC.md)."""
    row = check_row(data, "session")
    return SessionFacts(
        id=row.id or str(position),
        title=" ".join(row.title.split()),
        description=" ".join(row.description.split()),
        minutes=row.minutes,
        category=row.category,
        subject_area=row.subject_area,
        topic=row.topic,
        venue=row.venue,
    )
