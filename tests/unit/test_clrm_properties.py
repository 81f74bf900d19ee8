"""Random CLRM histories against an independent reference written from RULES.md's sentences.

The engine replays events one by one; the reference below instead states each rule as a formula over the
whole history (the completion date as the latest first completion, each submission judged on its own against
the effective completion date on its day, the first timely one found by search). The two agree or one is wrong.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from certcredit.engine.clrm import audit_clrm

ACADEMIES = ("foundation", "negotiations", "arbitration")
TYPE_RANK = {
    "academy_completed": 0,
    "arbitrator_approved": 1,
    "orientation_attended": 2,
    "paper_submitted": 3,
    "revision_requested": 4,
    "paper_accepted": 5,
}
REVIEW = ("paper_submitted", "revision_requested", "paper_accepted")
CHANGE = date(2019, 1, 1)  # the shipped placeholder: 6 months before it, 12 from it
START = date(2017, 6, 1)


def months_later(day: date, months: int) -> date:
    """Calendar months later, stepping back from the same day number until the day exists."""
    year = day.year + (day.month - 1 + months) // 12
    month = (day.month - 1 + months) % 12 + 1
    for day_number in range(day.day, 27, -1):
        try:
            return date(year, month, day_number)
        except ValueError:
            continue
    return date(year, month, day.day)


def deadline_for(effective: date) -> date:
    return months_later(effective, 12 if effective >= CHANGE else 6)


def reference(rows: list[dict[str, Any]], as_of: date) -> dict[str, Any]:
    """The rules as formulas over the whole history (no replay)."""
    events = [(index, row) for index, row in enumerate(rows) if date.fromisoformat(row["date"]) <= as_of]

    def day(item: tuple[int, dict[str, Any]]) -> date:
        return date.fromisoformat(item[1]["date"])

    def key(item: tuple[int, dict[str, Any]]) -> tuple[date, int, int]:
        return (day(item), TYPE_RANK[item[1]["type"]], item[0])

    first = {name: min((day(e) for e in events if e[1].get("academy") == name), default=None) for name in ACADEMIES}
    missing = [name for name in ACADEMIES if first[name] is None]
    if missing:
        return {"status": "academies_incomplete", "missing": missing, "effective": None, "deadline": None}
    completed = max(d for d in first.values() if d is not None)
    foundations = [day(e) for e in events if e[1].get("academy") == "foundation"]

    def effective_on(when: date) -> date:
        return max([completed, *(d for d in foundations if completed < d <= when)])

    approvals = [day(e) for e in events if e[1]["type"] == "arbitrator_approved"]
    orientations = [day(e) for e in events if e[1]["type"] == "orientation_attended"]

    def timely(item: tuple[int, dict[str, Any]]) -> bool:
        when = day(item)
        return (
            completed <= when <= deadline_for(effective_on(when))
            and any(a < when for a in approvals)
            and any(o < when for o in orientations)
        )

    effective = effective_on(as_of)
    outcome: dict[str, Any] = {"missing": [], "effective": effective, "deadline": deadline_for(effective)}
    timely_ones = sorted((e for e in events if e[1]["type"] == "paper_submitted" and timely(e)), key=key)
    if not timely_ones:
        outcome["status"] = "paper_due" if as_of <= deadline_for(effective) else "retake_required"
        return outcome
    first_timely = key(timely_ones[0])
    reviews = sorted((e for e in events if e[1]["type"] in REVIEW and key(e) >= first_timely), key=key)
    if any(e[1]["type"] == "paper_accepted" for e in reviews):
        outcome["status"] = "certified"
    elif reviews[-1][1]["type"] == "paper_submitted":
        outcome["status"] = "under_review"
    else:
        outcome["status"] = "revision_requested"
    return outcome


def edges(day: date) -> set[date]:
    """The day, the day after, and the days a 6- or 12-month deadline from it falls on or has just passed."""
    found = {day, day + timedelta(days=1)}
    for months in (6, 12):
        deadline = months_later(day, months)
        found.update({deadline, deadline + timedelta(days=1)})
    return found


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[dict[str, Any]], date]:
    """A candidate's history built in the workflow's rough order, on few distinct days, so ties are common.

    Later steps fall on the edges of earlier ones (the completion day, the day after, the day a deadline from
    it falls on and the day after that), where off-by-one mistakes live; the input order is shuffled.
    """
    base = START + timedelta(days=draw(st.integers(0, 900)))
    early = sorted({base + timedelta(days=n) for n in draw(st.lists(st.integers(0, 400), min_size=1, max_size=3))})
    rows: list[dict[str, Any]] = []
    for name in ACADEMIES:
        if draw(st.integers(0, 9)) < 9:  # most candidates finish every academy
            rows.append(
                {"date": draw(st.sampled_from(early)).isoformat(), "type": "academy_completed", "academy": name}
            )
    firsts = [date.fromisoformat(row["date"]) for row in rows]
    pool = set(early)
    pool.update(*(edges(day) for day in firsts))
    if draw(st.booleans()):  # a Foundation retake, with its own deadline edges
        retake = draw(st.sampled_from(sorted(pool)))
        rows.append({"date": retake.isoformat(), "type": "academy_completed", "academy": "foundation"})
        pool.update(edges(retake))
    days = sorted(pool)
    if draw(st.integers(0, 3)) > 0:  # most have their arbitrator approved and attended an orientation
        for kind in ("arbitrator_approved", "orientation_attended"):
            rows.append({"date": draw(st.sampled_from(early + days)).isoformat(), "type": kind})
    kinds = [*TYPE_RANK, *REVIEW, *REVIEW[:2]]
    for _ in range(draw(st.integers(0, 10))):  # submissions, reviews, more retakes and repeats
        kind = draw(st.sampled_from(kinds))
        row: dict[str, Any] = {"date": draw(st.sampled_from(days)).isoformat(), "type": kind}
        if kind == "academy_completed":
            row["academy"] = draw(st.sampled_from([*ACADEMIES, "foundation", "foundation"]))
        rows.append(row)
    rows = draw(st.permutations(rows))
    as_of = draw(st.sampled_from([*days, days[-1]])) + timedelta(days=draw(st.sampled_from([0, 0, 1, 30, 400])))
    return rows, as_of


@settings(max_examples=600, deadline=None)
@given(histories())
def test_the_engine_agrees_with_the_reference_on_random_histories(case: tuple[list[dict[str, Any]], date]) -> None:
    rows, as_of = case
    expected = reference(rows, as_of)
    result = audit_clrm(rows, as_of)
    assert result["rejected"] == []
    assert result["status"] == expected["status"]
    assert result["missing_academies"] == expected["missing"]
    assert result["completion_date"] == (expected["effective"].isoformat() if expected["effective"] else None)
    assert result["paper_deadline"] == (expected["deadline"].isoformat() if expected["deadline"] else None)
    assert result["complete"] == (expected["status"] == "certified")


@settings(max_examples=200, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_the_input_order_of_events_does_not_change_the_outcome(
    case: tuple[list[dict[str, Any]], date], shuffler: random.Random
) -> None:
    rows, as_of = case
    shuffled = list(rows)
    shuffler.shuffle(shuffled)
    keys = ("status", "missing_academies", "completion_date", "paper_deadline", "timely_submission_date")
    original, reordered = audit_clrm(rows, as_of), audit_clrm(shuffled, as_of)
    assert {k: original[k] for k in keys} == {k: reordered[k] for k in keys}


@settings(max_examples=200, deadline=None)
@given(histories(), st.lists(st.sampled_from(list(TYPE_RANK)), max_size=5))
def test_events_after_the_as_of_date_change_nothing_but_the_warnings(
    case: tuple[list[dict[str, Any]], date], later_types: list[str]
) -> None:
    rows, as_of = case
    later = [
        {
            "date": (as_of + timedelta(days=1 + n)).isoformat(),
            "type": kind,
            **({"academy": "foundation"} if kind == "academy_completed" else {}),
        }
        for n, kind in enumerate(later_types)
    ]
    plain, extended = audit_clrm(rows, as_of), audit_clrm([*rows, *later], as_of)
    assert len(extended["warnings"]) == len(plain["warnings"]) + len(later)
    del plain["warnings"], extended["warnings"]
    assert plain == extended
