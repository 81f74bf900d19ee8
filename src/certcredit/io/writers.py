"""Writers for the same formats the readers take: CSV, JSON, JSON Lines and iCalendar.

A file written here and read back with ``certcredit.io.readers`` gives the same rows, so an export re-imported
adds nothing. Keys are SPEC.md's; the iCalendar writer keeps what iCalendar lacks in ``X-CERTCREDIT-*``
properties, which the reader understands.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

#: Column order for CSV: the SPEC keys first, then a record's activity and the extras a session may carry.
COLUMNS = (
    "id", "date", "title", "description", "minutes", "time", "format", "category", "subject_area", "topic",
    "venue", "provider", "activity", "uid", "start", "end", "location",
)  # fmt: skip
KINDS = ("csv", "json", "jsonl", "ics")
_ICS_PLAIN = {"title", "description", "uid", "location", "date", "start", "end", "minutes"}


def render(rows: Iterable[Mapping[str, Any]], kind: str, calendar_name: str = "certcredit") -> str:
    """The rows as text in ``kind``; empty values are left out."""
    items = [{k: v for k, v in row.items() if v not in (None, "")} for row in rows]
    if kind == "csv":
        return _csv(items)
    if kind == "json":
        return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    if kind == "jsonl":
        return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    if kind == "ics":
        return _ics(items, calendar_name)
    raise ValueError(f"unknown output format {kind!r}; use one of {', '.join(KINDS)}")


def _csv(items: list[dict[str, Any]]) -> str:
    present = {key for item in items for key in item}
    columns = [c for c in COLUMNS if c in present] + sorted(present - set(COLUMNS))
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns or ["title"], lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: escape_cell(v) for k, v in item.items()} for item in items)
    return out.getvalue()


#: what makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def escape_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a single quote in front (OWASP's advice), so ``=HYPERLINK(…)`` shows as text. A negative number
    (``-1.5``) is left as it is, and so is anything else (a date, a word). Text that already starts with quotes
    before such a character gets one more, so ``unescape_cell`` (the CSV reader) gives back exactly what was
    written. Numbers and other non-text values pass through."""
    if not isinstance(value, str) or not value:
        return value
    if _NUMBER.fullmatch(value):
        return value
    if value.lstrip("'").startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value.lstrip("'")):
        return "'" + value
    return value


def unescape_cell(text: str) -> str:
    """The value ``escape_cell`` wrote: one leading quote dropped where it stands before quotes and a formula
    character (``'=SUM(A1)`` reads as ``=SUM(A1)``); any other text is unchanged."""
    if text.startswith("'"):
        rest = text.lstrip("'")
        if rest.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(rest):
            return text[1:]
    return text


def _ics(items: list[dict[str, Any]], calendar_name: str) -> str:
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//certcredit//export//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", calendar_name)
    for item in items:
        calendar.add_component(_event(item))
    text: str = calendar.to_ical().decode("utf-8")
    return text


def _event(item: dict[str, Any]) -> Any:
    """One VEVENT. Without a start time the event is all-day and its minutes travel in X-CERTCREDIT-MINUTES."""
    import icalendar

    event = icalendar.Event()
    if "title" in item:
        event.add("summary", str(item["title"]))
    if "description" in item:
        event.add("description", str(item["description"]))
    if "uid" in item:
        event.add("uid", str(item["uid"]))
    if "location" in item:
        event.add("location", str(item["location"]))
    if "date" in item:
        day = dt.date.fromisoformat(str(item["date"]))
        if "start" in item:
            hour, minute = (int(p) for p in str(item["start"]).split(":"))
            start = dt.datetime.combine(day, dt.time(hour, minute))
            event.add("dtstart", start)
            if "minutes" in item:
                event.add("dtend", start + dt.timedelta(minutes=int(item["minutes"])))
        else:
            event.add("dtstart", day)
    timed = "date" in item and "start" in item
    for key, value in item.items():
        if key in _ICS_PLAIN and not (key == "minutes" and not timed):
            continue
        event.add(f"x-certcredit-{key.replace('_', '-')}", str(value))
    return event
