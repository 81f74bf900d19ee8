"""Rows with edge values (minutes 0, 59, 60 and huge; ids as numbers; odd dates; booleans; NUL; long text) and the
reasons the one reading (``certcredit.values.row.check_row``) gives for them: the tests that feed them to every
path that reads a row (the CLI audit and its batch, the store's imports, the evaluator) share them.

The reasons are written out by hand: they are what a person reads beside the line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: a key to leave out of a row
_DROP = object()


def good(n: int, **changes: Any) -> dict[str, Any]:
    """A row every path accepts (each with its own title, so no two are the same record), then ``changes``."""
    row: dict[str, Any] = {"id": f"r{n}", "date": "2025-03-01", "minutes": 90, "title": f"Drafting clearly {n}"}
    row.update(changes)
    return {k: v for k, v in row.items() if v is not _DROP}


#: (row, the reasons every path gives, or None where every path accepts it)
CASES: list[tuple[dict[str, Any], str | None]] = [
    (good(1, category="writing"), None),
    # minutes
    (good(2, minutes=0), "a duration of 0 minutes is no activity"),
    (good(3, minutes=59), None),
    (good(4, minutes=60), None),
    (good(5, minutes="60"), None),
    (good(6, minutes=60.0), None),
    (good(7, minutes=" 0075 "), None),
    (good(8, minutes=10_000), None),
    (good(9, minutes=10_001), "minutes must be at most 10,000 (one record), not the number 10001"),
    (good(10, minutes=1_000_000), "minutes must be at most 10,000 (one record), not the number 1000000"),
    (good(11, minutes=2_147_483_648), "minutes must be at most 10,000 (one record), not the number 2147483648"),
    (
        good(12, minutes=99_999_999_999_999_999_999),
        "minutes must be at most 10,000 (one record), not the number 99999999999999999999",
    ),
    (
        good(13, minutes="9" * 5000),
        "minutes must be at most 10,000 (one record), not '999999999999999999999999999999'… (5,000 characters)",
    ),
    (good(14, minutes=-5), "minutes cannot be negative: the number -5"),
    (good(15, minutes="ninety"), "minutes must be a whole number, not 'ninety'"),
    (good(16, minutes=True), "minutes must be a whole number, not the yes/no value true"),
    (good(17, minutes=90.5), "minutes must be a whole number, not the number 90.5"),
    (good(18, minutes="²"), "minutes must be a whole number, not '²'"),
    (good(19, minutes=_DROP, time="9 – 10:30 A.M."), None),
    (good(20, minutes=_DROP, time="sometime after lunch"), "cannot read the time range 'sometime after lunch'"),
    (good(21, time="sometime after lunch"), None),  # minutes win; the time is kept as printed
    # ids, echoed as strings
    (good(22, id=3), None),
    (good(23, id=3.0), None),
    (good(24, id=1e20), None),
    (good(25, id="  spaced  "), None),
    (good(26, id=""), None),
    (good(27, id=True), "id must be text or a number, not the yes/no value true"),
    (good(28, id=[1]), "id must be text or a number, not a list"),
    (good(29, id="x" * 101), "id is longer than 100 characters"),
    (good(30, id="a\x00b"), "id holds a NUL character (\\u0000), which no store keeps"),
    # dates
    (good(31, date="2025-W10-1"), "date '2025-W10-1' is not an ISO date (YYYY-MM-DD)"),
    (good(32, date="20250301"), "date '20250301' is not an ISO date (YYYY-MM-DD)"),
    (good(33, date=20250301), "date must be text in the form YYYY-MM-DD, not the number 20250301"),
    (good(34, date="2025-02-30"), "date '2025-02-30' does not exist (day is out of range for month)"),
    (good(35, date="03/01/2025"), "date '03/01/2025' is not an ISO date (YYYY-MM-DD)"),
    (good(36, date=" 2025-03-01 "), None),
    (good(37, date="２０２５-03-01"), "date '２０２５-03-01' is not an ISO date (YYYY-MM-DD)"),
    (good(38, date=True), "date must be text in the form YYYY-MM-DD, not the yes/no value true"),
    # designations and other keys
    (
        good(39, format=True),
        "unknown format the yes/no value true; use one of in_person, live_online, recorded, self_study, teaching",
    ),
    (
        good(40, category="poetry"),
        "unknown category 'poetry'; use one of writing, communication, self_management, "
        "information_technology, organizational_development",
    ),
    (good(41, subject_area=" HR "), None),
    (good(42, venue="hotel"), "unknown venue 'hotel'; use one of ala_conference"),
    (good(43, activity="Giving Back"), None),
    (
        good(44, activity="Giving Back!"),
        "activity 'Giving Back!' is not an activity identifier: use letters, digits, spaces, '-' or '_', starting "
        "with a letter (e.g. giving_back)",
    ),
    # text
    (good(45, title="Nul\x00byte"), "title holds a NUL character (\\u0000), which no store keeps"),
    (
        good(46, title="Half \ud800 a pair"),
        "title holds a lone surrogate (an invalid \\ud800-\\udfff escape), which is not text",
    ),
    (good(47, title="T" * 500), None),
    (good(48, title="T" * 501), "title is longer than 500 characters (it has 501)"),
    (good(49, title=2026), "title must be text, not the number 2026"),
    (good(50, title=True), "title must be text, not the yes/no value true"),
    (good(51, description="d" * 10_001), "description is longer than 10,000 characters (it has 10,001)"),
    (good(52, provider="p" * 201), "provider is longer than 200 characters (it has 201)"),
    (good(53, title="  Spaced   title  ", description="Line one\nline two"), None),
    # every problem of a row, in one message
    (
        good(54, date=20260101, minutes=True, category="poetry"),
        "date must be text in the form YYYY-MM-DD, not the number 20260101; minutes must be a whole number, not the "
        "yes/no value true; unknown category 'poetry'; use one of writing, communication, self_management, "
        "information_technology, organizational_development",
    ),
]

#: rows a record needs more of than a session: the audit and the record import refuse them, the evaluator does not
RECORD_ONLY: list[tuple[dict[str, Any], str]] = [
    (good(60, date=_DROP), "no date: a record needs one (YYYY-MM-DD)"),
    (good(61, minutes=_DROP), "no duration: give minutes or a time range"),
    (
        good(62, date=" ", minutes=""),
        "no date: a record needs one (YYYY-MM-DD); no duration: give minutes or a time range",
    ),
]
#: and the other way round: a session needs a title
SESSION_ONLY: list[tuple[dict[str, Any], str]] = [
    (good(70, title=_DROP), "no title: a session needs one"),
    (good(71, title="   "), "no title: a session needs one"),
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def expected(cases: list[tuple[dict[str, Any], str | None]]) -> dict[int, str]:
    """Line (1-based, one row a line) -> the reason, for the rows that are refused."""
    return {line: reason for line, (_row, reason) in enumerate(cases, start=1) if reason is not None}
