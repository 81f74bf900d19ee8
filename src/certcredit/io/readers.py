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

from certcredit.io.writers import unescape_cell
from certcredit.values.row import Row, RowError

FORMATS = ("csv", "json", "jsonl", "ics")
__all__ = ["FORMATS", "FileFormatError", "Row", "RowError", "detect_format", "read_rows", "read_text"]


class FileFormatError(ValueError):
    """The file as a whole cannot be read (unknown suffix, empty, not UTF-8, not JSON, not a calendar, a CSV quote
    that never closes). The message is ``FILE: line N: reason`` (or ``FILE: reason``), what every command prints
    after its own ``certcredit COMMAND:`` (cli/errors.py); ``file``, ``line`` and ``reason`` are kept apart too."""

    def __init__(self, file: str, reason: str, line: int | None = None) -> None:
        self.file, self.reason, self.line = file, reason, line
        where = f"{file}: line {line}: " if line is not None else f"{file}: "
        super().__init__(where + reason)

    def __reduce__(self) -> tuple[type[FileFormatError], tuple[str, str, int | None]]:
        """Pickled with its parts (a worker process may raise it), not with the joined message."""
        return (type(self), (self.file, self.reason, self.line))


def detect_format(path: Path | str, override: str | None = None) -> str:
    """The reader for a file, from ``override`` or else from its suffix."""
    if override:
        if override not in FORMATS:
            raise FileFormatError(str(path), f"unknown input format {override!r}; use one of {', '.join(FORMATS)}")
        return override
    suffix = Path(path).suffix.lower()
    mapping = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".ics": "ics"}
    if suffix not in mapping:
        raise FileFormatError(
            str(path), f"cannot tell the format from the suffix {suffix!r}; use .csv, .json, .jsonl or .ics"
        )
    return mapping[suffix]


def read_rows(path: Path | str, fmt: str | None = None) -> Iterator[Row | RowError]:
    """All rows of a file, read with the reader its suffix (or ``fmt``) names."""
    kind = detect_format(path, fmt)
    return read_text(read_file_text(path), kind, name=str(path))


def read_file_text(path: Path | str) -> str:
    """A file's text (UTF-8, with or without a byte-order mark); a file that cannot be opened or is not UTF-8 is a
    ``FileFormatError`` naming it, and the line of the first undecodable byte."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise FileFormatError(str(path), f"cannot read the file ({error.strerror or error})") from None
    return decode_text(raw, str(path))


def decode_text(raw: bytes, name: str) -> str:
    """Bytes as UTF-8 text, or a ``FileFormatError`` naming the file, line and byte that are not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise FileFormatError(
            name, f"not UTF-8 text (byte {error.start + 1} is {raw[error.start]:#04x}); save the file as UTF-8", line
        ) from None


def read_text(text: str, kind: str, name: str = "<input>") -> Iterator[Row | RowError]:
    """Rows from text already in memory (uploads through the web and API use this).

    A file with nothing in it (or only blank space) is refused for CSV, JSON and iCalendar, which always have
    something to say (a header, ``[]``, a calendar); an empty JSON Lines file is zero rows. A file-level problem
    found part-way (a CSV quote that never closes) is raised when the reading reaches it."""
    readers = {"csv": _read_csv, "json": _read_json, "jsonl": _read_jsonl, "ics": _read_ics}
    if kind != "jsonl" and not text.strip():
        raise FileFormatError(name, f"the file is empty: {_EMPTY[kind]}")
    return readers[kind](text, name)


_EMPTY = {
    "csv": "a CSV file needs a header row naming its columns (e.g. date,title,minutes) and a row for each item",
    "json": "a JSON file holds a list of objects ([] for none)",
    "ics": "an iCalendar file holds a VCALENDAR with a VEVENT for each session",
}


def _read_csv(text: str, name: str) -> Iterator[Row | RowError]:
    # strict: a quote that never closes (or closes in the middle of a cell) is an error, not a cell that
    # silently swallows the lines after it
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as error:
        raise _csv_problem(name, 1, reader.line_num, error) from None
    keys = [h.strip() for h in header]
    position = 0
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _csv_problem(name, start, reader.line_num, error) from None
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        position += 1
        if len(cells) > len(keys):
            yield RowError(position, line, f"{len(cells)} cells but the header names {len(keys)} columns")
            continue
        # ``unescape_cell`` changes only a cell that starts with a quote
        data = {
            k: v
            for k, v in zip(keys, [(unescape_cell(c) if c[:1] == "'" else c).strip() for c in cells], strict=False)
            if k and v
        }
        yield Row(position, line, data)


def _csv_problem(name: str, start: int, end: int, error: csv.Error) -> FileFormatError:
    """A CSV that cannot be split into rows: named at the line where the broken row starts."""
    text = str(error)
    if "unexpected end of data" in text:
        reason = "a quoted cell starts in this row and its closing quote never comes, so every line after it would "
        reason += 'run into one cell; close the quote (a quote inside a cell is written twice: "")'
    elif "expected after" in text:
        at = f"line {end}" if end != start else "this line"
        reason = f"a quoted cell does not end right after its closing quote ({at}: {error}); an earlier quote may "
        reason += 'be unclosed, or a quote inside a cell should be written twice ("")'
    elif "field limit" in text:
        reason = f"a cell is longer than {csv.field_size_limit():,} characters; a quote left open in this row may "
        reason += "have run the lines after it into one cell"
    else:
        reason = f"cannot be read as CSV ({error})"
    return FileFormatError(name, reason + "; nothing in the file was read", start)


def _read_json(text: str, name: str) -> Iterator[Row | RowError]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileFormatError(name, f"not valid JSON ({error.msg}, column {error.colno})", error.lineno) from None
    except RecursionError:
        raise FileFormatError(name, "not readable JSON (nested too deeply)") from None
    except ValueError:  # a number of more than 4,300 digits, which Python refuses to read
        raise FileFormatError(name, "not valid JSON (a number longer than 4,300 digits)") from None
    if not isinstance(items, list):
        raise FileFormatError(name, f"a JSON file must hold a list of objects, not {_json_kind(items)}")
    for position, item in enumerate(items, start=1):
        if isinstance(item, dict):
            yield Row(position, position, item, unit="item")
        else:
            yield RowError(position, position, "not a JSON object", unit="item")


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a string" if isinstance(value, str) else "a number"


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
        except RecursionError:
            yield RowError(position, line, "not readable JSON (nested too deeply)")
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
        raise FileFormatError(name, f"not an iCalendar file ({error})") from None
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
