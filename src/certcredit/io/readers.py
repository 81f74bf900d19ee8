"""Readers for the files SPEC.md lists: CSV (header row), JSON (a list), JSON Lines and iCalendar.

Every reader yields the rows in file order, each with its 1-based position (the id a row gets when it has
none) and the line (or event, or item) to name in an error. A row that cannot be read at all becomes a
``RowError`` in its place, so one bad row never hides the good ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from certcredit.values.row import Row, RowError

FORMATS = ("csv", "json", "jsonl", "ics")
__all__ = ["FORMATS", "FileFormatError", "Row", "RowError", "detect_format", "read_rows", "read_text"]


class FileFormatError(ValueError):
    """The file as a whole cannot be read (unknown suffix, not JSON, not a calendar)."""


def detect_format(path: Path | str, override: str | None = None) -> str:
    """The reader for a file, from ``override`` or else from its suffix."""
    if override:
        if override not in FORMATS:
            raise FileFormatError(f"unknown input format {override!r}; use one of {', '.join(FORMATS)}")
        return override
    suffix = Path(path).suffix.lower()
    mapping = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".ics": "ics"}
    if suffix not in mapping:
        raise FileFormatError(f"{path}: cannot tell the format from the suffix {suffix!r}")
    return mapping[suffix]


def read_rows(path: Path | str, fmt: str | None = None) -> Iterator[Row | RowError]:
    """All rows of a file, read with the reader its suffix (or ``fmt``) names."""
    kind = detect_format(path, fmt)
    text = Path(path).read_text(encoding="utf-8-sig")
    return read_text(text, kind, name=str(path))


def read_text(text: str, kind: str, name: str = "<input>") -> Iterator[Row | RowError]:
    """Rows from text already in memory (uploads through the web and API use this)."""
    readers = {"csv": _read_csv, "json": _read_json, "jsonl": _read_jsonl, "ics": _read_ics}
    return readers[kind](text, name)


def _read_csv(text: str, _name: str) -> Iterator[Row | RowError]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    keys = [h.strip() for h in header]
    position = 0
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        position += 1
        if len(cells) > len(keys):
            yield RowError(position, line, f"{len(cells)} cells but the header names {len(keys)} columns")
            continue
        data = {k: v.strip() for k, v in zip(keys, cells, strict=False) if k and v.strip() != ""}
        yield Row(position, line, data)


def _read_json(text: str, name: str) -> Iterator[Row | RowError]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileFormatError(f"{name}: not valid JSON (line {error.lineno}: {error.msg})") from error
    except ValueError as error:  # a number of more than 4,300 digits, which Python refuses to read
        raise FileFormatError(f"{name}: not valid JSON (a number longer than 4,300 digits)") from error
    if not isinstance(items, list):
        raise FileFormatError(f"{name}: a JSON file must hold a list of objects")
    for position, item in enumerate(items, start=1):
        if isinstance(item, dict):
            yield Row(position, position, item, unit="item")
        else:
            yield RowError(position, position, "not a JSON object", unit="item")


def _read_jsonl(text: str, _name: str) -> Iterator[Row | RowError]:
    position = 0
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        position += 1
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as error:
            yield RowError(position, line, f"not valid JSON ({error.msg})")
            continue
        except ValueError:  # a number of more than 4,300 digits, which Python refuses to read
            yield RowError(position, line, "not valid JSON (a number longer than 4,300 digits)")
            continue
        if isinstance(item, dict):
            yield Row(position, line, item)
        else:
            yield RowError(position, line, "not a JSON object")


def _read_ics(text: str, name: str) -> Iterator[Row | RowError]:
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise FileFormatError(f"{name}: not an iCalendar file ({error})") from error
    for position, event in enumerate(calendar.walk("VEVENT"), start=1):
        try:
            data = _event_data(event)
        except (ValueError, TypeError) as error:
            yield RowError(position, position, str(error), unit="event")
            continue
        yield Row(position, position, data, unit="event")


#: iCalendar properties of our own (``X-CERTCREDIT-CATEGORY: writing``) carry the SPEC keys ICS lacks.
ICS_EXTRA_KEYS = (
    "id", "format", "category", "subject_area", "topic", "venue", "provider", "minutes", "time", "activity",
)  # fmt: skip


def _event_data(event: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if event.get("SUMMARY") is not None:
        data["title"] = str(event.get("SUMMARY"))
    if event.get("DESCRIPTION") is not None:
        data["description"] = str(event.get("DESCRIPTION"))
    if event.get("UID") is not None:
        data["uid"] = str(event.get("UID"))
    if event.get("LOCATION") is not None:
        data["location"] = str(event.get("LOCATION"))
    organizer = event.get("ORGANIZER")
    if organizer is not None and organizer.params.get("CN"):
        data["provider"] = str(organizer.params["CN"])
    start = event.decoded("DTSTART") if event.get("DTSTART") is not None else None
    if start is not None:
        data["date"] = (start.date() if isinstance(start, dt.datetime) else start).isoformat()
        minutes = _event_minutes(event, start)
        if minutes is not None:
            data["minutes"] = minutes
        if isinstance(start, dt.datetime):
            data["start"] = start.strftime("%H:%M")
            if minutes is not None:
                data["end"] = (start + dt.timedelta(minutes=minutes)).strftime("%H:%M")
    for key in ICS_EXTRA_KEYS:
        value = event.get(f"X-CERTCREDIT-{key.upper().replace('_', '-')}")
        if value is not None:
            data[key] = str(value)
    return data


def _event_minutes(event: Any, start: Any) -> int | None:
    """Minutes from DTEND or DURATION; none for an all-day event, whose length says nothing of contact time."""
    if not isinstance(start, dt.datetime):
        return None
    if event.get("DTEND") is not None:
        end = event.decoded("DTEND")
        if not isinstance(end, dt.datetime):
            raise ValueError("DTEND is a date while DTSTART is a date-time")
        delta = end - start
    elif event.get("DURATION") is not None:
        delta = event.decoded("DURATION")
    else:
        return None
    minutes = int(delta.total_seconds() // 60)
    if minutes <= 0:
        raise ValueError("the event ends before it starts")
    return minutes
