"""A person's records as the engine reads them, and turning a file's row into one (or a reason it cannot be).

SPEC.md: a record needs a date; its duration comes from ``minutes`` or else ``time``; an unknown category,
subject area, topic or format value rejects the row, never silently drops the credit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from certcredit.evaluate.duration import DurationError, minutes_from_time, minutes_from_value
from certcredit.rules.vocabulary import CATEGORIES, DEFAULT_FORMAT, FORMATS, SUBJECT_AREAS, TOPICS

_CATEGORIES = frozenset(CATEGORIES)
_AREAS = frozenset(SUBJECT_AREAS)
_TOPICS = frozenset(TOPICS)
_FORMATS = frozenset(FORMATS)


@dataclass(slots=True)
class Record:
    """One education activity: ``position`` is its 1-based place in the person's list (ties break on it)."""

    id: str
    position: int
    date: dt.date
    minutes: int
    format: str = DEFAULT_FORMAT
    category: str | None = None
    subject_area: str | None = None
    topic: str | None = None
    title: str = ""
    #: a program's own activity kind (PMI's giving_back, SHRM's profession); ignored by programs without any
    activity: str | None = None


class RecordError(ValueError):
    """A row that cannot be a record; the message is the reason a person reads."""


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _choice(data: Mapping[str, Any], key: str, allowed: frozenset[str], label: str) -> str | None:
    value = _text(data, key)
    if value is not None and value not in allowed:
        raise RecordError(f"unknown {label} {value!r}; use one of {', '.join(sorted(allowed))}")
    return value


_ACTIVITY_SEPARATORS = str.maketrans({" ": "_", "-": "_"})


def activity_of(value: object) -> str | None:
    """A record's ``activity`` as an identifier: ``Giving Back`` and ``giving-back`` read as ``giving_back``.

    Files are read before a program is known, so any text is accepted here; the program decides whether it
    knows the activity (an unknown one leaves the record unused, with that reason)."""
    if value is None:
        return None
    text = "_".join(str(value).strip().lower().translate(_ACTIVITY_SEPARATORS).split("_"))
    return "_".join(part for part in text.split("_") if part) or None


def record_id(data: Mapping[str, Any], position: int) -> str:
    """The caller's id as a string, else the 1-based position (SPEC.md)."""
    value = data.get("id")
    if value is None or value == "":
        return str(position)
    return str(value)


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise RecordError("no date: an audited record needs a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(f"unreadable date {value!r}: use YYYY-MM-DD") from None


def record_from_row(data: Mapping[str, Any], position: int) -> Record:
    """The record a row describes, or ``RecordError`` saying why the row cannot be audited.

    The common shape (a ``YYYY-MM-DD`` date, whole minutes, known values) is read on a short path, since a batch
    reads tens of millions of rows; anything else takes the careful path, which gives the precise reason.
    """
    get = data.get
    day_text, minutes, fmt = get("date"), get("minutes"), get("format", DEFAULT_FORMAT)
    category, area, topic = get("category"), get("subject_area"), get("topic")
    if (
        type(minutes) is int
        and minutes >= 0
        and type(day_text) is str
        and len(day_text) == 10
        and type(fmt) is str
        and fmt in _FORMATS
        and (category is None or (type(category) is str and category in _CATEGORIES))
        and (area is None or (type(area) is str and area in _AREAS))
        and (topic is None or (type(topic) is str and topic in _TOPICS))
    ):
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            pass
        else:
            ident = get("id")
            title = get("title")
            activity = get("activity")
            return Record(
                str(position) if ident is None or ident == "" else str(ident),
                position,
                day,
                minutes,
                fmt,
                category,
                area,
                topic,
                title.strip() if type(title) is str else ("" if title is None else str(title).strip()),
                None if activity is None else activity_of(activity),
            )
    return _record_carefully(data, position)


def _record_carefully(data: Mapping[str, Any], position: int) -> Record:
    if "date" not in data or data.get("date") in (None, ""):
        raise RecordError("no date: an audited record needs a date (YYYY-MM-DD)")
    day = parse_date(data["date"])
    try:
        if data.get("minutes") not in (None, ""):
            minutes = minutes_from_value(data["minutes"])
        elif data.get("time") not in (None, ""):
            minutes = minutes_from_time(str(data["time"]))
        else:
            raise RecordError("no duration: give minutes or a time range")
    except DurationError as error:
        raise RecordError(str(error)) from None
    fmt = _choice(data, "format", _FORMATS, "format") or DEFAULT_FORMAT
    return Record(
        id=record_id(data, position),
        position=position,
        date=day,
        minutes=minutes,
        format=fmt,
        category=_choice(data, "category", _CATEGORIES, "category"),
        subject_area=_choice(data, "subject_area", _AREAS, "subject area"),
        topic=_choice(data, "topic", _TOPICS, "topic"),
        title=_text(data, "title") or "",
        activity=activity_of(data.get("activity")),
    )
