"""A row as the store keeps it: the checked values of the one reading (``certcredit.values.row``) in the store's
shape, with the natural keys that say what "the same session" and "the same record" mean.

Pure (no Django): the service layer calls these before touching the store, so a bad row is reported with its
file, line and reasons and never half-written. The reading itself is ``values.row.check_row``, the one the CLI
audit and the evaluator use too, so a row the store refuses is refused everywhere, for the same reasons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from certcredit.values.keys import KEY_LENGTH, record_key, text_key
from certcredit.values.row import CheckedRow, RowInvalid, check_row, clean_activity

#: ``RowInvalid``, ``clean_activity`` and the natural keys are the values layer's, named here too for the services
#: that read rows through this module
__all__ = [
    "KnownRecords", "RecordFields", "RowInvalid", "SessionFields", "clean_activity", "record_fields",
    "record_fields_of", "record_key", "session_fields", "text_key",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class SessionFields:
    """A catalogue session as checked from one row; ``minutes`` is None when the file gives no duration."""

    title: str
    description: str
    date: dt.date | None
    minutes: int | None
    time_text: str
    start_time: dt.time | None
    end_time: dt.time | None
    format: str
    category: str
    subject_area: str
    topic: str
    venue: str
    provider: str
    location: str
    uid: str | None
    external_id: str

    @property
    def designated(self) -> bool:
        return bool(self.category or self.subject_area or self.topic)

    def natural_key(self) -> str:
        """ICS UID when present, else provider, title, date and start (time text, start time or minutes)."""
        if self.uid:
            return f"uid:{self.uid}"
        if self.start_time is not None:
            start = self.start_time.strftime("%H:%M")
        elif self.time_text:
            start = text_key(self.time_text)
        else:
            start = "" if self.minutes is None else f"{self.minutes}m"
        date = self.date.isoformat() if self.date else ""
        return "|".join(("s", text_key(self.provider), text_key(self.title), date, start))[:700]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RecordFields:
    """A person's record as checked from one row: it always has a date and a duration."""

    date: dt.date
    minutes: int
    title: str
    description: str
    time_text: str
    format: str
    category: str
    subject_area: str
    topic: str
    venue: str
    provider: str
    external_id: str
    #: a program's own activity kind (PMI's ``giving_back``), normalised; "" when the row names none
    activity: str = ""

    def natural_key(self) -> str:
        """Per person: date, title (case and spacing ignored), minutes, format and activity (``record_key``)."""
        return record_key(self.date, self.title, self.minutes, self.format, self.activity)

    def keys(self) -> tuple[str, str]:
        """``(base_key(), natural_key())`` built once: the natural key is the base key and the activity."""
        base = record_key(self.date, self.title, self.minutes, self.format)
        if not self.activity or len(base) >= KEY_LENGTH:
            return base, base
        return base, f"{base}|{self.activity}"[:KEY_LENGTH]

    def base_key(self) -> str:
        """The key without the activity, which ``KnownRecords`` compares first."""
        return record_key(self.date, self.title, self.minutes, self.format)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class KnownRecords:
    """A person's records as imports compare rows with them: by key without the activity (``record_key(...)``
    with none), then by activity.

    A row is one of the records when they agree on date, title, minutes and format and either name the same
    activity or one of them names none. So an old file re-imported after the member set activities on the
    record page adds nothing, a file that names an activity for a record stored without one adds nothing either
    (an import never changes a stored record: set the activity on the record), and PMI's one-line-per-area rows,
    whose activities differ, are all kept.
    """

    def __init__(self) -> None:
        self._activities: dict[str, set[str]] = {}

    def add(self, base: str, activity: str) -> None:
        self._activities.setdefault(base, set()).add(activity)

    def __contains__(self, item: tuple[str, str]) -> bool:
        base, activity = item
        seen = self._activities.get(base)
        if not seen:
            return False
        return not activity or "" in seen or activity in seen


def session_fields(data: dict[str, Any]) -> SessionFields:
    """Check a session row: a title is needed; date, duration and designations are checked when given."""
    row = check_row(data, "session")
    return SessionFields(
        title=row.title,
        description=row.description,
        date=row.date,
        minutes=row.minutes,
        time_text=row.time_text,
        start_time=row.start_time,
        end_time=row.end_time,
        format=row.format,
        category=row.category or "",
        subject_area=row.subject_area or "",
        topic=row.topic or "",
        venue=row.venue or "",
        provider=row.provider,
        location=row.location,
        uid=row.uid or None,
        external_id=row.id,
    )


def record_fields(data: dict[str, Any]) -> RecordFields:
    """Check a record row: it needs a date and a duration (``minutes``, or a ``time`` range)."""
    return record_fields_of(check_row(data, "record"))


def record_fields_of(row: CheckedRow) -> RecordFields:
    """A record row's checked values in the store's shape (blank designations are "")."""
    assert row.date is not None and row.minutes is not None  # check_row(..., "record") makes sure
    return RecordFields(
        date=row.date,
        minutes=row.minutes,
        title=row.title,
        description=row.description,
        time_text=row.time_text,
        format=row.format,
        category=row.category or "",
        subject_area=row.subject_area or "",
        topic=row.topic or "",
        venue=row.venue or "",
        provider=row.provider,
        external_id=row.id,
        activity=row.activity or "",
    )
