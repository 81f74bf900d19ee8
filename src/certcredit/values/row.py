"""The record row: one row of a file (SPEC.md's keys) read into checked values, or every reason it cannot be.

There is one reading. The command-line audit and its batch, the store's imports (CLI, web upload, API) and the
evaluator all call ``check_row``; fast paths may pre-check the common shape but hand anything else to it. Uses
differ only in which keys must be there: an audited or stored record needs a date and a duration, an evaluated
or catalogued session needs a title. A key that is given is read the same way by every use, with the store's
bounds (``MAX_*`` here, ``duration.MAX_MINUTES``; the same on SQLite and PostgreSQL), so a row that one path
accepts is accepted by all, and a row one path rejects is rejected by all with the same reasons: every problem
of the row, in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, NamedTuple

from certcredit.values import vocabulary
from certcredit.values.duration import MAX_MINUTES, DurationError, minutes_from_time, minutes_from_value, shown

MAX_ID: Final = 100
MAX_TITLE: Final = 500
MAX_DESCRIPTION: Final = 10_000
MAX_TIME: Final = 100
MAX_PROVIDER: Final = 200
MAX_LOCATION: Final = 300
MAX_UID: Final = 300

#: What a row is read for: a record (audited or stored) or a session (evaluated or catalogued).
Need = Literal["record", "session"]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_ACTIVITY = re.compile(vocabulary.ACTIVITY_PATTERN)
#: an identifier with no doubled, leading or trailing "_" (``activity_of`` would change those)
_PLAIN_ACTIVITY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_ACTIVITY_SEPARATORS = str.maketrans({" ": "_", "-": "_"})
_FORMATS = frozenset(vocabulary.FORMATS)
_CATEGORIES = frozenset(vocabulary.CATEGORIES)
_AREAS = frozenset(vocabulary.SUBJECT_AREAS)
_TOPICS = frozenset(vocabulary.TOPICS)
_VENUES = frozenset(vocabulary.VENUES)
#: a string of at most this many ASCII digits is read inline as minutes (anything else: ``minutes_from_value``)
_SHORT_DIGITS = 7


@dataclass(frozen=True, slots=True)
class Row:
    """One data row as a reader found it: ``position`` counts data rows from 1; ``line`` is where to point."""

    position: int
    line: int
    data: dict[str, Any]
    unit: str = "line"

    @property
    def where(self) -> str:
        return f"{self.unit} {self.line}"


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not be read at all (not JSON, too many cells), with the reason a person can act on."""

    position: int
    line: int
    reason: str
    unit: str = "line"
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.unit} {self.line}"


class RowInvalid(ValueError):
    """A row that cannot be read as a record or a session; ``problems`` holds every reason, the message joins
    them with "; "."""

    def __init__(self, *problems: str) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class CheckedRow(NamedTuple):
    """A row's values as every path reads them. Text is stripped ("" when absent); designations are None when
    absent; ``id`` is the caller's id exactly as given, as text ("" when none: the row's position stands in).

    A named tuple rather than a frozen dataclass: imports build one a row, and a frozen dataclass's ``__init__``
    costs as much as the whole reading."""

    id: str
    date: dt.date | None
    minutes: int | None
    title: str
    description: str
    time_text: str
    start_time: dt.time | None
    end_time: dt.time | None
    format: str
    category: str | None
    subject_area: str | None
    topic: str | None
    venue: str | None
    provider: str
    location: str
    uid: str
    activity: str | None


def check_row(data: Mapping[str, Any], need: Need) -> CheckedRow:
    """The row's checked values, or ``RowInvalid`` with every problem (SPEC.md, "Record and session files").

    Imports read millions of rows: an absent key costs one look-up, and plain text and known identifiers are
    taken inline; anything else goes to the helper that words its problem."""
    problems: list[str] = []
    get = data.get
    value = get("id")
    ident = (
        value if type(value) is str and len(value) <= MAX_ID and value.isprintable() else _identifier(value, problems)
    )
    date = _date(get("date"), need, problems)
    value = get("time")
    time_text = "" if value is None else _text(value, "time", MAX_TIME, problems)
    minutes = _duration(data, time_text, need, problems)
    value = get("title")
    title = "" if value is None else _text(value, "title", MAX_TITLE, problems)
    if need == "session" and not title and _absent(value):
        problems.append("no title: a session needs one")
    value = get("description")
    description = "" if value is None else _text(value, "description", MAX_DESCRIPTION, problems)
    value = get("format")
    if value is None:
        row_format = vocabulary.DEFAULT_FORMAT
    elif type(value) is str and value in _FORMATS:
        row_format = value
    else:
        row_format = _choice(value, "format", vocabulary.FORMATS, problems) or vocabulary.DEFAULT_FORMAT
    value = get("category")
    category = value if value is None or (type(value) is str and value in _CATEGORIES) else (
        _choice(value, "category", vocabulary.CATEGORIES, problems)
    )  # fmt: skip
    value = get("subject_area")
    subject_area = value if value is None or (type(value) is str and value in _AREAS) else (
        _choice(value, "subject area", vocabulary.SUBJECT_AREAS, problems)
    )  # fmt: skip
    value = get("topic")
    topic = value if value is None or (type(value) is str and value in _TOPICS) else (
        _choice(value, "topic", vocabulary.TOPICS, problems)
    )  # fmt: skip
    value = get("venue")
    venue = value if value is None or (type(value) is str and value in _VENUES) else (
        _choice(value, "venue", vocabulary.VENUES, problems)
    )  # fmt: skip
    value = get("provider")
    provider = "" if value is None else _text(value, "provider", MAX_PROVIDER, problems)
    value = get("location")
    location = "" if value is None else _text(value, "location", MAX_LOCATION, problems)
    value = get("uid")
    uid = "" if value is None else _text(value, "uid", MAX_UID, problems)
    value = get("start")
    start_time = None if value is None else _clock(value, "start", problems)
    value = get("end")
    end_time = None if value is None else _clock(value, "end", problems)
    value = get("activity")
    activity = None
    if value is not None:
        try:
            activity = clean_activity(value) or None
        except RowInvalid as error:
            problems.extend(error.problems)
    if problems:
        raise RowInvalid(*problems)
    return CheckedRow(
        ident, date, minutes, title, description, time_text, start_time, end_time, row_format, category,
        subject_area, topic, venue, provider, location, uid, activity,
    )  # fmt: skip


def row_id(data: Mapping[str, Any], position: int) -> str:
    """The id to name a row by, even a rejected one: the caller's when it can be read, else the position."""
    problems: list[str] = []
    ident = _identifier(data.get("id"), problems)
    return str(position) if problems or not ident else ident


def activity_of(value: object) -> str | None:
    """A record's ``activity`` as an identifier: ``Giving Back`` and ``giving-back`` read as ``giving_back``."""
    if value is None:
        return None
    text = "_".join(str(value).strip().lower().translate(_ACTIVITY_SEPARATORS).split("_"))
    return "_".join(part for part in text.split("_") if part) or None


def clean_activity(value: object) -> str:
    """A record's activity as every path keeps it: normalised (``Giving Back`` is ``giving_back``), "" for none;
    ``RowInvalid`` when it cannot be an identifier a rulebook could declare (never text to guess at later)."""
    if value is None:
        return ""
    if type(value) is str and len(value) <= vocabulary.MAX_ACTIVITY and _PLAIN_ACTIVITY.fullmatch(value):
        return value  # already the identifier it reads as
    if isinstance(value, dict | list | bool):
        raise RowInvalid(f"activity must be text, not {shown(value)}")
    if isinstance(value, str) and (problem := _unstorable("activity", value)):
        raise RowInvalid(problem)
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


def _absent(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _unstorable(key: str, text: str) -> str | None:
    """Why a text cannot be kept as it is on every store (PostgreSQL refuses NUL; UTF-8 has no lone surrogate)."""
    if "\x00" in text:
        return f"{key} holds a NUL character (\\u0000), which no store keeps"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return f"{key} holds a lone surrogate (an invalid \\ud800-\\udfff escape), which is not text"
    return None


def _identifier(value: object, problems: list[str]) -> str:
    """SPEC.md: an id is a string or a number, echoed back as a string (``3.0`` as "3.0", ``3`` as "3")."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(f"id must be text or a number, not {shown(value)}")
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(f"id must be text or a number, not {shown(value)}")
        return ""
    if isinstance(value, int) and value.bit_length() > 3 * MAX_ID:  # str() of a very long number is refused
        problems.append(f"id is longer than {MAX_ID} characters")
        return ""
    text = value if isinstance(value, str) else str(value)
    if problem := _unstorable("id", text):
        problems.append(problem)
        return ""
    if len(text) > MAX_ID:
        problems.append(f"id is longer than {MAX_ID} characters")
        return ""
    return text


def _text(value: object, key: str, limit: int, problems: list[str]) -> str:
    if type(value) is str and len(value) <= limit and value.isprintable():  # no NUL, no lone surrogate
        return value.strip()
    if not isinstance(value, str):
        problems.append(f"{key} must be text, not {shown(value)}")
        return ""
    if problem := _unstorable(key, value):
        problems.append(problem)
        return ""
    text = value.strip()
    if len(text) > limit:
        problems.append(f"{key} is longer than {limit:,} characters (it has {len(text):,})")
        return ""
    return text


def _date(value: object, need: Need, problems: list[str]) -> dt.date | None:
    if _absent(value):
        if need == "record":
            problems.append("no date: a record needs one (YYYY-MM-DD)")
        return None
    if type(value) is str and len(value) == 10 and value[4] == "-" == value[7] and value.isascii():
        try:
            return dt.date.fromisoformat(value)  # "YYYY-MM-DD": the only ten-character form with these dashes
        except ValueError:
            pass  # worded below
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        problems.append(f"date must be text in the form YYYY-MM-DD, not {shown(value)}")
        return None
    text = value.strip()
    if not _ISO_DATE.fullmatch(text):
        problems.append(f"date {shown(text)} is not an ISO date (YYYY-MM-DD)")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        problems.append(f"date {text!r} does not exist ({error})")
        return None


def _duration(data: Mapping[str, Any], time_text: str, need: Need, problems: list[str]) -> int | None:
    """``minutes`` when given, else the printed ``time`` range; a record needs one of them."""
    value = data.get("minutes")
    if type(value) is int and 0 < value <= MAX_MINUTES:
        return value
    if type(value) is str and len(value) <= _SHORT_DIGITS and value.isascii() and value.isdigit():
        minutes = int(value)  # a CSV's minutes: what ``minutes_from_value`` reads, without its regular expression
        if 0 < minutes <= MAX_MINUTES:
            return minutes
    try:
        if not _absent(value):
            minutes = minutes_from_value(value)
        elif time_text:
            minutes = minutes_from_time(time_text)
        elif _absent(data.get("time")):
            if need == "record":
                problems.append("no duration: give minutes or a time range")
            return None
        else:  # a time that could not be read as text is already a problem
            return None
    except DurationError as error:
        problems.append(str(error))
        return None
    if minutes == 0:
        problems.append("a duration of 0 minutes is no activity")
        return None
    return minutes


def _choice(value: object, label: str, allowed: tuple[str, ...], problems: list[str]) -> str | None:
    if _absent(value):
        return None
    text = value.strip() if isinstance(value, str) else None
    if text not in allowed:
        problems.append(f"unknown {label} {shown(value if text is None else text)}; use one of {', '.join(allowed)}")
        return None
    return text


def _clock(value: object, key: str, problems: list[str]) -> dt.time | None:
    """A wall-clock ``HH:MM`` (the iCalendar reader gives an event's start and end this way)."""
    if _absent(value):
        return None
    match = _CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        problems.append(f"{key} {shown(value)} is not a time of day (HH:MM)")
        return None
    return dt.time(int(match.group(1)), int(match.group(2)))
