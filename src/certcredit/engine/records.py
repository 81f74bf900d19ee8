"""A person's records as the engine reads them, and turning a file's row into one (or the reasons it cannot be).

The reading is the one every path shares (``certcredit.values.row.check_row``: SPEC.md's keys, the store's
bounds); ``record_from_row`` only adds a short path for the common shape, which hands anything else to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from certcredit.values.duration import MAX_MINUTES
from certcredit.values.row import MAX_ID, MAX_TITLE, CheckedRow, RowInvalid, activity_of, check_row, row_id
from certcredit.values.vocabulary import CATEGORIES, DEFAULT_FORMAT, FORMATS, SUBJECT_AREAS, TOPICS

_CATEGORIES = frozenset(CATEGORIES)
_AREAS = frozenset(SUBJECT_AREAS)
_TOPICS = frozenset(TOPICS)
_FORMATS = frozenset(FORMATS)
#: the keys the short path reads itself; a row with any other key takes the one reading
_SHORT_KEYS = frozenset(("id", "date", "minutes", "format", "category", "subject_area", "topic", "title"))
#: ids the short path writes with ``str`` (a longer number takes the one reading, which bounds it)
_SHORT_ID = 10**18
#: the engine's name for the one validator's error (a row that cannot be a record; the message gives every reason)
RecordError = RowInvalid
__all__ = ["EducationRecord", "RecordError", "activity_of", "record_from_checked", "record_from_row", "record_id"]


@dataclass(slots=True)
class EducationRecord:
    """One education activity as the audit reads it (a file's row, or a stored ``records.Record`` read the same way).

    Not the store's model: this is a plain value with no person or import run; ``position`` is its 1-based place
    in the person's list (ties break on it).
    """

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


def record_id(data: Mapping[str, Any], position: int) -> str:
    """The caller's id as a string, else the 1-based position (SPEC.md); a rejected row is named this way too."""
    return row_id(data, position)


def record_from_checked(row: CheckedRow, position: int) -> EducationRecord:
    """The record a checked row describes (``check_row(data, "record")`` gives it a date and a duration)."""
    assert row.date is not None and row.minutes is not None
    return EducationRecord(
        row.id or str(position),
        position,
        row.date,
        row.minutes,
        row.format,
        row.category,
        row.subject_area,
        row.topic,
        row.title,
        row.activity,
    )


def record_from_row(data: Mapping[str, Any], position: int) -> EducationRecord:
    """The record a row describes, or ``RecordError`` giving every reason the row cannot be audited.

    The common shape (an ISO date, whole minutes in bounds, known values, a plain id and title) is read on a
    short path, since a batch reads tens of millions of rows; any other row takes the one reading
    (``values.row.check_row``), which the short path agrees with wherever both apply (a property test).
    """
    get = data.get
    day_text, minutes, fmt = get("date"), get("minutes"), get("format", DEFAULT_FORMAT)
    category, area, topic = get("category"), get("subject_area"), get("topic")
    ident, title = get("id"), get("title")
    if (
        type(minutes) is int
        and 0 < minutes <= MAX_MINUTES
        and type(day_text) is str
        and len(day_text) == 10
        and day_text[4] == "-" == day_text[7]
        and day_text.isascii()
        and type(fmt) is str
        and fmt in _FORMATS
        and (category is None or (type(category) is str and category in _CATEGORIES))
        and (area is None or (type(area) is str and area in _AREAS))
        and (topic is None or (type(topic) is str and topic in _TOPICS))
        and (title is None or (type(title) is str and len(title) <= MAX_TITLE and title.isprintable()))
        and (
            ident is None
            or (type(ident) is int and -_SHORT_ID < ident < _SHORT_ID)
            or (type(ident) is str and len(ident) <= MAX_ID and ident.isprintable())
        )
        and data.keys() <= _SHORT_KEYS
    ):
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            pass
        else:
            return EducationRecord(
                str(position) if ident is None or ident == "" else str(ident),
                position,
                day,
                minutes,
                fmt,
                category,
                area,
                topic,
                "" if title is None else title.strip(),
                None,
            )
    return record_from_checked(check_row(data, "record"), position)
