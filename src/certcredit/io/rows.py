"""Row validation for imports: turns a file row's loose values into checked fields, or a reason to reject it.

Pure (no Django): the service layer calls these before touching the store, so a bad row is reported with its
file, line and reason and never half-written. Natural keys live here too, so the CLI, the web upload and the
API all agree on what "the same session" and "the same record" mean.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

from certcredit.engine.records import activity_of
from certcredit.evaluate.duration import DurationError, minutes_from_time, minutes_from_value
from certcredit.rules import vocabulary

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACES = re.compile(r"\s+")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_ACTIVITY = re.compile(vocabulary.ACTIVITY_PATTERN)
MAX_TITLE = 500
MAX_SHORT = 200


class RowInvalid(ValueError):
    """A row that cannot be stored; the message is the reason shown beside its line."""


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

    def base_key(self) -> str:
        """The key without the activity, which ``KnownRecords`` compares first."""
        return record_key(self.date, self.title, self.minutes, self.format)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_key(date: dt.date, title: str, minutes: int, fmt: str, activity: str = "") -> str:
    """A record's stored natural key: date, title (case and spacing ignored), minutes, format and, when it names
    one, the activity. A record without an activity keeps the key it had before the store kept activities.

    The activity is in the key because PMI has a course split across Talent Triangle areas entered as one line
    per area (docs/rules.md): two lines alike but for their activity are two records. Imports decide "already
    present" with ``KnownRecords``, which also lets a row and a record match when only one of them names an
    activity, so neither a file without activities nor one that adds them duplicates what is stored.
    """
    parts = ["r", date.isoformat(), text_key(title), str(minutes), fmt]
    if activity:
        parts.append(activity)
    return "|".join(parts)[:700]


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


def clean_activity(value: object) -> str:
    """A record's activity as the store keeps it: normalised as the engine reads it (``Giving Back`` is
    ``giving_back``), "" for none; ``RowInvalid`` when it cannot be an activity identifier.

    Files for the CLI audit may name any activity (the program then says it is not one of its own); the store
    is stricter, so that what it keeps is an identifier a rulebook could declare, never text to guess at later.
    """
    if value is None:
        return ""
    if isinstance(value, dict | list | bool):
        raise RowInvalid(f"activity must be text, not a {type(value).__name__}")
    activity = activity_of(value)
    if activity is None:
        return ""
    if len(activity) > vocabulary.MAX_ACTIVITY:
        raise RowInvalid(f"activity is longer than {vocabulary.MAX_ACTIVITY} characters")
    if not _ACTIVITY.match(activity):
        raise RowInvalid(
            f"activity {str(value).strip()!r} is not an activity identifier: use letters, digits, spaces, '-' or"
            " '_', starting with a letter (e.g. giving_back)"
        )
    return activity


def text_key(text: str) -> str:
    """Text compared the way a person would: case and runs of spaces ignored."""
    return _SPACES.sub(" ", text).strip().casefold()


def session_fields(data: dict[str, Any]) -> SessionFields:
    """Check a session row: a title is needed; date, duration and designations are checked when given."""
    title = _text(data, "title", MAX_TITLE)
    if not title:
        raise RowInvalid("no title: a catalogued session needs one")
    start_time, end_time = _clock(data, "start"), _clock(data, "end")
    return SessionFields(
        title=title,
        description=_text(data, "description", None),
        date=_date(data, required=False),
        minutes=_duration(data, required=False),
        time_text=_text(data, "time", 100),
        start_time=start_time,
        end_time=end_time,
        format=_choice(data, "format", vocabulary.FORMATS, vocabulary.DEFAULT_FORMAT),
        category=_choice(data, "category", vocabulary.CATEGORIES),
        subject_area=_choice(data, "subject_area", vocabulary.SUBJECT_AREAS),
        topic=_choice(data, "topic", vocabulary.TOPICS),
        venue=_choice(data, "venue", vocabulary.VENUES),
        provider=_text(data, "provider", MAX_SHORT),
        location=_text(data, "location", 300),
        uid=_text(data, "uid", 300) or None,
        external_id=_text(data, "id", 100),
    )


def record_fields(data: dict[str, Any]) -> RecordFields:
    """Check a record row: it needs a date and a duration (``minutes``, or a ``time`` range)."""
    date = _date(data, required=True)
    minutes = _duration(data, required=True)
    assert date is not None and minutes is not None
    return RecordFields(
        date=date,
        minutes=minutes,
        title=_text(data, "title", MAX_TITLE),
        description=_text(data, "description", None),
        time_text=_text(data, "time", 100),
        format=_choice(data, "format", vocabulary.FORMATS, vocabulary.DEFAULT_FORMAT),
        category=_choice(data, "category", vocabulary.CATEGORIES),
        subject_area=_choice(data, "subject_area", vocabulary.SUBJECT_AREAS),
        topic=_choice(data, "topic", vocabulary.TOPICS),
        venue=_choice(data, "venue", vocabulary.VENUES),
        provider=_text(data, "provider", MAX_SHORT),
        external_id=_text(data, "id", 100),
        activity=clean_activity(data.get("activity")),
    )


def _present(data: dict[str, Any], key: str) -> bool:
    value = data.get(key)
    return value is not None and not (isinstance(value, str) and not value.strip())


def _text(data: dict[str, Any], key: str, limit: int | None) -> str:
    if not _present(data, key):
        return ""
    value = data[key]
    if isinstance(value, dict | list):
        raise RowInvalid(f"{key} must be text, not a {type(value).__name__}")
    text = str(value).strip()
    if limit is not None and len(text) > limit:
        raise RowInvalid(f"{key} is longer than {limit} characters")
    return text


def _date(data: dict[str, Any], *, required: bool) -> dt.date | None:
    if not _present(data, "date"):
        if required:
            raise RowInvalid("no date: a record needs one (YYYY-MM-DD)")
        return None
    text = str(data["date"]).strip()
    if not _ISO_DATE.match(text):
        raise RowInvalid(f"date {text!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise RowInvalid(f"date {text!r} does not exist ({error})") from error


def _duration(data: dict[str, Any], *, required: bool) -> int | None:
    try:
        if _present(data, "minutes"):
            minutes = minutes_from_value(data["minutes"])
        elif _present(data, "time"):
            minutes = minutes_from_time(str(data["time"]))
        elif required:
            raise RowInvalid("no duration: give minutes or a time range")
        else:
            return None
    except DurationError as error:
        raise RowInvalid(str(error)) from error
    if minutes == 0:
        raise RowInvalid("a duration of 0 minutes is no activity")
    return minutes


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...], default: str = "") -> str:
    if not _present(data, key):
        return default
    value = str(data[key]).strip()
    if value not in allowed:
        raise RowInvalid(f"unknown {key.replace('_', ' ')} {value!r}; use one of {', '.join(allowed)}")
    return value


def _clock(data: dict[str, Any], key: str) -> dt.time | None:
    """A wall-clock ``HH:MM`` (the ICS reader gives the event's start and end this way)."""
    if not _present(data, key):
        return None
    match = _CLOCK.match(str(data[key]).strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise RowInvalid(f"{key} {data[key]!r} is not a time of day (HH:MM)")
    return dt.time(int(match.group(1)), int(match.group(2)))
