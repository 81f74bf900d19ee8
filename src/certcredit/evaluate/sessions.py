"""A session to evaluate, read from one row of a file (SPEC.md keys), and the evaluation it gets.

Reading validates everything the evaluator relies on, so a bad row becomes one clear error (the row is
rejected in place) rather than a wrong decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from certcredit.evaluate.duration import DurationError, minutes_from_time, minutes_from_value
from certcredit.rules.vocabulary import CATEGORIES, FORMATS, SUBJECT_AREAS, TOPICS, VENUES

DECISIONS: Final = ("qualifies", "does_not_qualify", "needs_review")
MINUTES_PER_HOUR: Final = 60
MINIMUM_MINUTES: Final = 60


class SessionError(ValueError):
    """A row that cannot be evaluated; the message says why in words a provider can act on."""


@dataclass(frozen=True, slots=True)
class Session:
    """What the evaluator needs to know about one session; designations are None unless given."""

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


def session_from_row(data: dict[str, Any], position: int) -> Session:
    """A Session from one row's keys; ``position`` is its id when the row has none (SPEC.md)."""
    title = _text(data.get("title"), "title")
    if not title:
        raise SessionError("the session has no title")
    _choice(data, "format", FORMATS)  # not used to decide, but an unknown format is a mistake worth reporting
    return Session(
        id=_identifier(data.get("id"), position),
        title=title,
        description=_text(data.get("description"), "description"),
        minutes=_minutes(data),
        category=_choice(data, "category", CATEGORIES),
        subject_area=_choice(data, "subject_area", SUBJECT_AREAS),
        topic=_choice(data, "topic", TOPICS),
        venue=_choice(data, "venue", VENUES),
    )


def _identifier(value: Any, position: int) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return str(position)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SessionError(f"id must be a string or a number, not {value!r}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _text(value: Any, key: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SessionError(f"{key} must be text, not {value!r}")
    return " ".join(value.split())


def _minutes(data: dict[str, Any]) -> int | None:
    """``minutes`` when given, else the printed ``time`` range, else unknown (None)."""
    try:
        if data.get("minutes") not in (None, ""):
            return minutes_from_value(data["minutes"])
        time = data.get("time")
        if time in (None, ""):
            return None
        if not isinstance(time, str):
            raise SessionError(f"time must be a printed range such as '9 – 10:30 A.M.', not {time!r}")
        return minutes_from_time(time)
    except DurationError as error:
        raise SessionError(str(error)) from error


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or value.strip() not in allowed:
        raise SessionError(f"unknown {key} {value!r}; use one of {', '.join(allowed)}")
    return value.strip()
