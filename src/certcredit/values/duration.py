"""Minutes from the time ranges people print in brochures and agendas.

Durations are kept in minutes (RULES.md); a range such as ``9 – 10:30 A.M.`` or ``11 – 1 P.M.`` is read the
way a reader of the brochure would read it, and anything that cannot be read that way is an error naming the
text, never a guess.
"""

from __future__ import annotations

import math
import re
from typing import Final

#: the longest printed time range read as one sitting
MAX_RANGE_MINUTES: Final = 12 * 60
#: The most minutes one record may hold (about 166 hours: more than any single activity a program counts, a
#: semester's course included), so a slip such as 1,000,000 is an error rather than a certification.
MAX_MINUTES: Final = 10_000
_DIGITS = re.compile(r"[0-9]+")


class DurationError(ValueError):
    """A duration or time range that cannot be read; the message names the text."""


_MERIDIEM = re.compile(r"\b([ap])\s*\.?\s*m\b\.?", re.IGNORECASE)
_DASHES = re.compile(r"\s*(?:[-‐‑‒–—―−~]+|\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b)\s*", re.IGNORECASE)
_TIME = r"(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(am|pm|noon|midnight)?|(noon|midnight)"
_RANGE = re.compile(rf"^\s*(?:{_TIME})\s*-\s*(?:{_TIME})\s*$")
_TRAILING_ZONE = re.compile(
    r"\s*\(?\b(?:[ecmp][sd]?t|utc|gmt|local(?: time)?)\b\)?\s*$",
    re.IGNORECASE,
)
_LEADING_LABEL = re.compile(r"^\s*(?:time|when)\s*:?\s*", re.IGNORECASE)
_LEADING_WORD = re.compile(r"^\s*(?:from|between)\s+", re.IGNORECASE)
_BETWEEN_AND = re.compile(r"^(\s*between\s+.*?)\s+and\s+", re.IGNORECASE)
_MILITARY = re.compile(r"(?<![\d:.])([01]\d|2[0-3])([0-5]\d)(?![\d:.])")
_HOURS_WORD = re.compile(r"\s*\b(?:hrs?|hours)\b\.?", re.IGNORECASE)


def minutes_from_time(text: str) -> int:
    """The minutes between the two ends of a printed time range, e.g. ``9am to noon`` -> 180."""
    normal = _normalise(text)
    match = _RANGE.match(normal)
    if match is None:
        raise DurationError(f"cannot read the time range {text!r}")
    start = _Clock.from_groups(match.group(1, 2, 3, 4), text)
    end = _Clock.from_groups(match.group(5, 6, 7, 8), text)
    minutes = _resolve(start, end, text)
    if minutes > MAX_RANGE_MINUTES:
        raise DurationError(f"the time range {text!r} is longer than 12 hours")
    return minutes


def minutes_from_value(value: object) -> int:
    """Minutes given as a whole number or a string of digits (SPEC.md, key ``minutes``).

    At most ``MAX_MINUTES``. Never raises anything but ``DurationError``: a string of digits too long to be
    minutes is refused before it is parsed (Python refuses to parse more than 4,300 digits at all)."""
    if isinstance(value, bool):
        raise DurationError(f"minutes must be a whole number, not {shown(value)}")
    if isinstance(value, int):
        minutes = value
    elif isinstance(value, float) and value.is_integer():
        minutes = int(value)
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        digits = value.strip().lstrip("0") or "0"
        minutes = int(digits) if len(digits) <= len(str(MAX_MINUTES)) else MAX_MINUTES + 1
    else:
        raise DurationError(f"minutes must be a whole number, not {shown(value)}")
    if minutes < 0:
        raise DurationError(f"minutes cannot be negative: {shown(value)}")
    if minutes > MAX_MINUTES:
        raise DurationError(f"minutes must be at most {MAX_MINUTES:,} (one record), not {shown(value)}")
    return minutes


def shown(value: object) -> str:
    """A value as an error message names it: JSON's spelling, and never a page of it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the yes/no value {'true' if value else 'false'}"
    if isinstance(value, int):
        if value.bit_length() <= 100:
            return f"the number {value}"
        if value.bit_length() <= 13_000:  # Python writes at most 4,300 digits
            return f"a number of {len(str(abs(value))):,} digits"
        return "a number of more than 3,900 digits"
    if isinstance(value, float):
        return f"the number {value!r}" if math.isfinite(value) else f"the value {value!r}"
    if isinstance(value, str):
        if len(value) > 40:
            return f"{value[:30]!r}… ({len(value):,} characters)"
        return repr(value)
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _normalise(text: str) -> str:
    s = _LEADING_LABEL.sub("", text)
    s = _BETWEEN_AND.sub(lambda m: m.group(1) + " - ", s)  # "between 9 and 10:30 am"
    s = _LEADING_WORD.sub("", s)
    s = _MILITARY.sub(lambda m: f"{m.group(1)}:{m.group(2)}", s)  # "0900-1030", "1300–1430 hrs"
    s = _HOURS_WORD.sub("", s)
    s = _MERIDIEM.sub(lambda m: f" {m.group(1).lower()}m ", s)
    s = s.lower().replace("12 noon", "noon").replace("12 midnight", "midnight")
    s = _TRAILING_ZONE.sub("", s.strip().rstrip("."))
    s = _DASHES.sub("-", s.strip())
    return s.strip().rstrip(".").strip()


class _Clock:
    """One end of a range: hour and minute as printed, with its meridiem if one was printed."""

    __slots__ = ("hour", "meridiem", "minute", "padded")

    def __init__(self, hour: int, minute: int, meridiem: str | None, padded: bool) -> None:
        self.hour, self.minute, self.meridiem, self.padded = hour, minute, meridiem, padded

    @classmethod
    def from_groups(cls, groups: tuple[str | None, ...], text: str) -> _Clock:
        hour_text, minute_text, meridiem, word = groups
        word = word or (meridiem if meridiem in ("noon", "midnight") else None)
        if word == "noon":
            return cls(12, 0, "pm", False)
        if word == "midnight":
            return cls(12, 0, "am", False)
        assert hour_text is not None
        hour, minute = int(hour_text), int(minute_text or 0)
        if minute > 59 or hour > 24 or (meridiem and not 1 <= hour <= 12):
            raise DurationError(f"the time range {text!r} holds an impossible time")
        return cls(hour, minute, meridiem, hour_text.startswith("0") and len(hour_text) == 2)

    def minutes(self, meridiem: str | None) -> int:
        """Minutes after midnight, reading the hour with ``meridiem`` (None: as a 24-hour clock)."""
        hour = self.hour
        if meridiem == "am":
            hour = 0 if hour == 12 else hour
        elif meridiem == "pm":
            hour = 12 if hour == 12 else hour + 12
        return hour * 60 + self.minute


def _resolve(start: _Clock, end: _Clock, text: str) -> int:
    """Apply the printed meridiems; a missing one is borrowed from the other end as a reader would."""
    if start.meridiem and end.meridiem:
        return _positive(end.minutes(end.meridiem) - start.minutes(start.meridiem), text)
    if end.meridiem:
        stop = end.minutes(end.meridiem)
        same = stop - start.minutes(end.meridiem)
        if same > 0:
            return same
        # "11 – 1 P.M.": the start lies before noon.
        return _positive(stop - start.minutes("am"), text) if end.meridiem == "pm" else _positive(same, text)
    if start.meridiem:
        begin = start.minutes(start.meridiem)
        same = end.minutes(start.meridiem) - begin
        if same > 0:
            return same
        return _positive(end.minutes("pm") - begin, text) if start.meridiem == "am" else _positive(same, text)
    if start.hour > 12 or end.hour > 12 or start.padded or end.padded:
        return _positive(end.minutes(None) - start.minutes(None), text)
    span = end.minutes(None) - start.minutes(None)
    return span if span > 0 else _positive(span + 12 * 60, text)


def _positive(minutes: int, text: str) -> int:
    if minutes <= 0:
        raise DurationError(f"the time range {text!r} ends before it starts")
    return minutes
