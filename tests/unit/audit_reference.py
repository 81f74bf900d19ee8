"""An independent exact reference for the three CLM programs, written from RULES.md, not from the rulebooks.

It shares nothing with ``certcredit.engine`` or ``certcredit.rules`` but the record shape: its own calendar
arithmetic, its own reading of each program's buckets, caps and repeats, and a plain integer program
(``scipy.optimize.milp``) over every record-to-bucket choice. The property tests compare the engine with it;
``bench/audit.py`` times it as the baseline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

CATEGORY_AREA = {
    "writing": "CM",
    "communication": "CM",
    "self_management": "CM",
    "information_technology": "OM",
    "organizational_development": "CM",
}
CATEGORIES = tuple(CATEGORY_AREA)
AREAS = ("HR", "FM", "OM", "LI", "CM")
TOPICS = ("business_ethics", "substance_abuse")
PASSIVE = ("self_study", "recorded")


@dataclass(frozen=True)
class Ref:
    """A record as the reference sees it."""

    position: int
    date: dt.date
    minutes: int
    format: str = "in_person"
    category: str | None = None
    subject_area: str | None = None
    topic: str | None = None
    title: str = ""


def months_back(day: dt.date, months: int) -> dt.date:
    """``day`` minus ``months`` calendar months; a missing day falls back to the month's last (by stepping down)."""
    year, month = day.year, day.month - months
    while month < 1:
        month += 12
        year -= 1
    d = day.day
    while True:
        try:
            return dt.date(year, month, d)
        except ValueError:
            d -= 1


def in_application_window(day: dt.date, application: dt.date) -> bool:
    return months_back(application, 24) <= day <= application


def in_recert_cycle(day: dt.date, end: dt.date) -> bool:
    return months_back(end, 36) < day <= end


def _area(r: Ref) -> str | None:
    if r.subject_area:
        return r.subject_area
    return CATEGORY_AREA[r.category] if r.category else None


@dataclass
class Setup:
    buckets: list[str]
    required: list[int]
    total: int | None
    caps: list[tuple[tuple[str, ...], int]]
    # per counting record: (minutes, options, format)
    items: list[tuple[int, list[int], str]]


def application_setup(records: Sequence[Ref], as_of: dt.date, specialty: str | None) -> Setup:
    buckets = list(CATEGORIES) + (["specialist_additional"] if specialty else [])
    required = [120] * 5 + ([900] if specialty else [])
    items = []
    for r in records:
        if not in_application_window(r.date, as_of) or r.minutes < 60 or r.format == "teaching":
            continue
        options = []
        if r.category:
            options.append(CATEGORIES.index(r.category))
        area = _area(r)
        if specialty and area in ("HR", "FM", "OM", "LI") and area != specialty:
            options.append(5)
        if options:
            items.append((r.minutes, options, r.format))
    return Setup(buckets, required, None, [(PASSIVE, 240)], items)


def _norm(title: str) -> str:
    return " ".join(title.lower().split())


def recert_setup(records: Sequence[Ref], as_of: dt.date) -> Setup:
    buckets = list(AREAS) + list(TOPICS)
    required = [180] * 5 + [60, 60]
    counting = [r for r in records if in_recert_cycle(r.date, as_of) and r.minutes >= 60]
    seen: set[str] = set()
    kept = []
    for r in sorted(counting, key=lambda r: (r.date, r.position)):
        if r.format == "teaching" and r.title:
            if _norm(r.title) in seen:
                continue
            seen.add(_norm(r.title))
        kept.append(r)
    items = []
    for r in kept:
        options = []
        area = _area(r)
        if area:
            options.append(AREAS.index(area))
        if r.topic:
            options.append(5 + TOPICS.index(r.topic))
        if options:
            items.append((r.minutes, options, r.format))
    return Setup(buckets, required, 36 * 60, [(PASSIVE, 720), (("teaching",), 240)], items)


def fewest_minutes_needed(setup: Setup) -> int:
    """min over allocations of max(sum of bucket shortfalls, total shortfall), in minutes, by an integer program."""
    pairs = [(i, b) for i, (_, options, _) in enumerate(setup.items) for b in options]
    n = len(pairs)
    nb = len(setup.buckets)
    size = 2 * n + nb + 1  # x, y, shortfall per bucket, h
    h = size - 1
    rows, lo, hi = [], [], []
    for i in range(len(setup.items)):
        row = np.zeros(size)
        for k, (j, _) in enumerate(pairs):
            if j == i:
                row[k] = 1
        rows.append(row)
        lo.append(0)
        hi.append(1)
    for k, (i, _) in enumerate(pairs):
        row = np.zeros(size)
        row[n + k] = 1
        row[k] = -setup.items[i][0]
        rows.append(row)
        lo.append(-np.inf)
        hi.append(0)
    for formats, limit in setup.caps:
        row = np.zeros(size)
        for k, (i, _) in enumerate(pairs):
            if setup.items[i][2] in formats:
                row[n + k] = 1
        rows.append(row)
        lo.append(-np.inf)
        hi.append(limit)
    for b in range(nb):
        row = np.zeros(size)
        row[2 * n + b] = 1
        for k, (_, bucket) in enumerate(pairs):
            if bucket == b:
                row[n + k] = 1
        rows.append(row)
        lo.append(setup.required[b])
        hi.append(np.inf)
    row = np.zeros(size)
    row[h] = 1
    row[2 * n : 2 * n + nb] = -1
    rows.append(row)
    lo.append(0)
    hi.append(np.inf)
    if setup.total is not None:
        row = np.zeros(size)
        row[h] = 1
        row[n : 2 * n] = 1
        rows.append(row)
        lo.append(setup.total)
        hi.append(np.inf)
    cost = np.zeros(size)
    cost[h] = 1
    upper = np.full(size, np.inf)
    upper[:n] = 1
    integrality = np.zeros(size)
    integrality[:n] = 1
    result = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), np.array(lo), np.array(hi)),
        integrality=integrality,
        bounds=Bounds(np.zeros(size), upper),
    )
    assert result.x is not None, result.message
    return round(result.fun)


def application_needed(records: Sequence[Ref], as_of: dt.date, specialty: str | None = None) -> int:
    return fewest_minutes_needed(application_setup(records, as_of, specialty))


def recert_needed(records: Sequence[Ref], as_of: dt.date) -> int:
    return fewest_minutes_needed(recert_setup(records, as_of))


def application_apply_by(records: Sequence[Ref], as_of: dt.date, specialty: str | None = None) -> dt.date | None:
    """Scan every day from ``as_of`` until no record is left in the window; the last complete day wins."""
    mine = [r for r in records if r.date <= as_of]
    memo: dict[frozenset[int], bool] = {}
    last = None
    day = as_of
    while True:
        start = months_back(day, 24)
        present = frozenset(r.position for r in mine if start <= r.date)
        if not present and day > as_of:
            return last
        if present not in memo:
            chosen = [r for r in mine if r.position in present]
            memo[present] = application_needed(chosen, day, specialty) == 0
        if memo[present]:
            last = day
        elif day == as_of:
            return None
        day += dt.timedelta(days=1)
