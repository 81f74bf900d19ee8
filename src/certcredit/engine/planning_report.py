"""Outlook, what-if and plan as JSON (extra keys beside SPEC.md's audit object) and as table sections. Pure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from certcredit.engine.outlook import Outlook
from certcredit.engine.plan import Suggestion
from certcredit.engine.records import EducationRecord
from certcredit.engine.report import audit_json, unit_words
from certcredit.engine.whatif import WhatIf


def _num(hours: float) -> str:
    return f"{hours:.2f}"


def outlook_json(view: Outlook) -> dict[str, Any]:
    """The ``outlook`` key: ``ageing_out`` for a rolling window, ``deadline`` for a cycle (the other null)."""
    ageing = None
    if view.ageing_out is not None:
        a = view.ageing_out
        ageing = {
            "until": a.until.isoformat(),
            "leaving": [
                {"record": r.record, "date": r.date.isoformat(), "last_day": r.last_day.isoformat(), "hours": r.hours}
                for r in a.leaving
            ],
            "complete_then": a.complete_then,
            "hours_needed_then": a.hours_needed_then,
            "incomplete_from": a.incomplete_from.isoformat() if a.incomplete_from else None,
        }
    deadline = None
    if view.deadline is not None:
        d = view.deadline
        deadline = {
            "today": d.today.isoformat(),
            "cycle_end": d.cycle_end.isoformat(),
            "days_left": d.days_left,
            "months_left": d.months_left,
            "hours_needed": d.hours_needed,
            "hours_needed_per_month": d.hours_needed_per_month,
            "counted_so_far": d.counted_so_far,
            "pace_hours_per_month": d.pace_hours_per_month,
            "on_pace": d.on_pace,
        }
    return {"ageing_out": ageing, "deadline": deadline}


def outlook_table(view: Outlook, unit: str = "h", grace_until: dt.date | None = None) -> str:
    """The outlook as table lines; ``unit`` follows a number (``h``, or the program's own: ``PDUs``);
    ``grace_until``: the last day of a grace period after the cycle, when the program has one."""
    lines: list[str] = []
    if view.ageing_out is not None:
        a = view.ageing_out
        lines.append(f"ageing out (to {a.until.isoformat()}):")
        if not a.leaving:
            lines.append("  no counting record leaves the window")
        for r in a.leaving:
            lines.append(
                f"  {r.record} ({r.date.isoformat()}, {_num(r.hours)} h): last counts on {r.last_day.isoformat()}"
            )
        verdict = "still complete" if a.complete_then else f"not complete, {_num(a.hours_needed_then)} h needed"
        lines.append(f"  on {a.until.isoformat()} with these records: {verdict}")
        if a.incomplete_from is not None:
            lines.append(f"  no longer complete from {a.incomplete_from.isoformat()}")
    if view.deadline is not None:
        d = view.deadline
        lines.append(f"deadline: cycle ends {d.cycle_end.isoformat()}, {d.days_left} days from {d.today.isoformat()}")
        if d.hours_needed <= 0:
            lines.append("  nothing more needed")
        elif d.hours_needed_per_month is None and d.today == d.cycle_end:
            lines.append(
                f"  the cycle ends today: {_num(d.hours_needed)} {unit} still needed (today's activities count)"
            )
        elif d.hours_needed_per_month is None:
            lines.append(f"  the cycle has ended {_num(d.hours_needed)} {unit} short")
            if grace_until is not None and d.today <= grace_until:
                lines.append(f"  what is earned in the grace period, to {grace_until.isoformat()}, still counts for it")
        else:
            lines.append(
                f"  {_num(d.hours_needed)} {unit} still needed: {_num(d.hours_needed_per_month)} {unit} a month "
                f"over {d.months_left:.2f} months"
            )
            pace = (
                ("no hours yet" if unit == "h" else f"no {unit} yet")
                if d.pace_hours_per_month is None
                else f"{_num(d.pace_hours_per_month)} {unit} a month"
            )
            verdict = "on pace" if d.on_pace else "behind pace"
            lines.append(f"  pace so far: {pace} ({_num(d.counted_so_far)} {unit} counted to date): {verdict}")
    return "\n".join(lines) + "\n" if lines else ""


def what_if_json(view: WhatIf) -> dict[str, Any]:
    """The ``what_if`` key: the planned sessions' use, the verdict with them, and the whole audit with them."""
    return {
        "complete": view.result.complete,
        "hours_needed": view.result.hours_needed,
        "hours_gained": view.hours_gained,
        "planned": [
            {
                "record": use.record,
                "date": use.date.isoformat(),
                "counts_for": [{"requirement": req, "hours": hours} for req, hours in use.counts_for],
                "reason": use.reason,
            }
            for use in view.planned
        ],
        "audit": audit_json(view.result),
    }


def what_if_table(view: WhatIf) -> str:
    today, then = view.today, view.result
    unit = unit_words(then)[0]
    lines = ["what if (with the planned sessions):"]
    for use in view.planned:
        if use.counts_for:
            where = ", ".join(f"{req} {_num(hours)} {unit}" for req, hours in use.counts_for)
        else:
            where = f"would not count: {use.reason}"
        lines.append(f"  {use.record} ({use.date.isoformat()}): {where}")
    width = max([len(s.id) for s in then.requirements] + [11])
    lines.append(f"    {'requirement':<{width}}  {'today':>8}  {'with plan':>9}  {'required':>8}")
    before = {s.id: s for s in today.requirements}
    for s in then.requirements:
        old = before.get(s.id)
        mark = "✓" if s.met else "✗"
        counted = _num(old.counted_hours) if old else "-"
        lines.append(f"  {mark} {s.id:<{width}}  {counted:>8}  {_num(s.counted_hours):>9}  {_num(s.required_hours):>8}")
    today_word = "complete" if today.complete else f"{_num(today.hours_needed)} {unit} needed"
    then_word = "COMPLETE" if then.complete else f"NOT COMPLETE: {_num(then.hours_needed)} {unit} needed"
    lines.append(f"  today: {today_word}; with the plan: {then_word}")
    return "\n".join(lines) + "\n"


def _counts(result_audit: Any, record: str) -> list[tuple[str, float]]:
    return [(p.requirement, p.hours) for p in result_audit.allocations if p.record == record]


def _session_json(record: EducationRecord, counts: list[tuple[str, float]]) -> dict[str, Any]:
    return {
        "record": record.id,
        "date": record.date.isoformat(),
        "minutes": record.minutes,
        "title": record.title or None,
        "format": record.format,
        "category": record.category,
        "subject_area": record.subject_area,
        "topic": record.topic,
        "activity": record.activity,
        "counts_for": [{"requirement": req, "hours": hours} for req, hours in counts],
    }


def plan_note(suggestion: Suggestion) -> str:
    """The plan's note in words: already complete, the smallest set (proven or not), or no set found."""
    if suggestion.today.complete:
        return "already complete: no session needed"
    if not suggestion.complete:
        if suggestion.exact:
            return "no set of the catalogue's sessions completes the program by that date"
        return "the solver's time limit passed before it found a set of sessions that completes the program"
    if suggestion.exact:
        return "the smallest set (proven by an integer program over every catalogue session)"
    return "the best set found before the solver's time limit: it completes the program but may not be the smallest"


def plan_json(suggestion: Suggestion, by: dt.date, today: dt.date, note: str) -> dict[str, Any]:
    """``plan``'s object: the verdict today, the chosen sessions with where each counts, and the audit with them."""
    now = suggestion.today
    return {
        "program": now.program,
        "as_of": now.as_of.isoformat(),
        "by": by.isoformat(),
        "today": today.isoformat(),
        "complete_today": now.complete,
        "hours_needed_today": now.hours_needed,
        "sessions": [_session_json(s, _counts(suggestion.result, s.id)) for s in suggestion.sessions],
        "complete": suggestion.complete,
        "exact": suggestion.exact,
        "method": suggestion.method,
        "note": note,
        "considered": suggestion.considered,
        "excluded": [{"record": r, "reason": why} for r, why in suggestion.excluded],
        "audit": audit_json(suggestion.result),
    }


def plan_table(suggestion: Suggestion, by: dt.date, today: dt.date, note: str) -> str:
    now = suggestion.today
    unit = unit_words(now)[0]
    lines = [
        f"{now.program}: sessions from {today.isoformat()} to {by.isoformat()} (audit as of {now.as_of.isoformat()})"
    ]
    lines.append(f"today: {'complete' if now.complete else _num(now.hours_needed) + f' {unit} needed'}")
    lines.append(f"{suggestion.considered} catalogue session(s) could count; {len(suggestion.excluded)} could not")
    lines.append("")
    if suggestion.sessions:
        lines.append(f"suggested sessions ({len(suggestion.sessions)}):")
        for s in suggestion.sessions:
            designation = s.activity or s.topic or s.subject_area or s.category or "-"
            where = ", ".join(f"{req} {_num(h)} {unit}" for req, h in _counts(suggestion.result, s.id)) or "-"
            title = f" {s.title}" if s.title else ""
            lines.append(f"  {s.date.isoformat()}  {s.id}{title} ({s.minutes} min, {designation}): {where}")
        lines.append("")
    verdict = (
        "COMPLETE"
        if suggestion.result.complete
        else f"NOT COMPLETE: {_num(suggestion.result.hours_needed)} {unit} needed"
    )
    lines.append(f"with them: {verdict}")
    lines.append(note)
    if suggestion.excluded:
        lines.append("")
        lines.append("sessions that cannot count:")
        lines.extend(f"  {r}: {why}" for r, why in suggestion.excluded)
    return "\n".join(lines) + "\n"
