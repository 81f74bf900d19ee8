"""The audit as SPEC.md's JSON object and as the table a person reads (pure: values in, text or dicts out)."""

from __future__ import annotations

from typing import Any

from certcredit.engine.audit import Audit

BAR_WIDTH = 20


def audit_json(audit: Audit) -> dict[str, Any]:
    """SPEC.md's keys, in its order, plus a few extras (``specialty``, ``window``, per-requirement need)."""
    allocations: list[dict[str, Any]] = []
    for p in audit.allocations:
        line: dict[str, Any] = {"record": p.record, "requirement": p.requirement, "hours": p.hours}
        if p.hours < p.record_hours:
            line["record_hours"] = p.record_hours
        allocations.append(line)
    rejected = []
    for r in audit.rejected:
        entry: dict[str, Any] = {"record": r.record, "line": r.line, "error": r.error}
        if r.unit != "line":  # an iCalendar event or a JSON list item: "line" then counts those
            entry["unit"] = r.unit
        rejected.append(entry)
    result: dict[str, Any] = {
        "program": audit.program,
        "as_of": audit.as_of.isoformat(),
        "rules_version": audit.rules_version,
        "complete": audit.complete,
        "hours_needed": audit.hours_needed,
        "apply_by": audit.apply_by.isoformat() if audit.apply_by else None,
        "requirements": [
            {
                "id": s.id,
                "required_hours": s.required_hours,
                "counted_hours": s.counted_hours,
                "met": s.met,
                "hours_needed": s.hours_needed,
            }
            for s in audit.requirements
        ],
        "allocations": allocations,
        "unused": [{"record": u.record, "reason": u.reason} for u in audit.unused],
        "rejected": rejected,
        "specialty": audit.specialty,
        "window": {
            "from": audit.window_from.isoformat(),
            "from_inclusive": audit.window_from_inclusive,
            "to": audit.as_of.isoformat(),
        },
    }
    if audit.nested is not None:
        _nested_json(audit, result)
    return result


def _nested_json(audit: Audit, result: dict[str, Any]) -> None:
    """Extra keys of a nested program: each requirement's ``max_hours``, ``within`` and ``per_year`` lines, and
    the audit's ``carry_over``."""
    nested = audit.nested
    assert nested is not None
    for line in result["requirements"]:
        ident = line["id"]
        if ident in nested.within:
            line["within"] = nested.within[ident]
        if ident in nested.max_hours:
            line["max_hours"] = nested.max_hours[ident]
        if ident in nested.per_year:
            line["per_year"] = [
                {
                    "from": y.from_.isoformat(),
                    "to": y.to.isoformat(),
                    "required_hours": y.required_hours,
                    "counted_hours": y.counted_hours,
                    "met": y.met,
                }
                for y in nested.per_year[ident]
            ]
    carry = nested.carry_over
    if carry is not None:
        result["carry_over"] = {
            "from_cycle_ending": carry.from_cycle_ending.isoformat(),
            "previous_complete": carry.previous_complete,
            "hours": carry.hours,
            "into": carry.into,
        }


def _bar(counted: float, required: float) -> str:
    share = 1.0 if required <= 0 else min(1.0, counted / required)
    filled = round(share * BAR_WIDTH)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _num(hours: float) -> str:
    return f"{hours:.2f}"


def render_table(audit: Audit) -> str:
    """A plain-text report: each requirement with a bar and a tick, the verdict, apply-by, why records are unused."""
    lines = [f"{audit.program} as of {audit.as_of.isoformat()}  (rules {audit.rules_version})"]
    if audit.specialty:
        lines.append(f"specialty: {audit.specialty}")
    start_word = "from" if audit.window_from_inclusive else "after"
    lines.append(f"window: {start_word} {audit.window_from.isoformat()} to {audit.as_of.isoformat()}")
    lines.append("")
    width = max([len(s.id) for s in audit.requirements] + [11])
    lines.append(f"  {'requirement':<{width}}  {'':{BAR_WIDTH}}  {'counted':>8}  {'required':>8}  {'needed':>7}")
    nested = audit.nested
    for s in audit.requirements:
        tick = "✓" if s.met else "✗"
        note = ""
        if nested is not None:
            if s.id in nested.within:
                note += f"  within {nested.within[s.id]}"
            if s.id in nested.max_hours:
                note += f"  at most {_num(nested.max_hours[s.id])}"
        lines.append(
            f"{tick} {s.id:<{width}}  {_bar(s.counted_hours, s.required_hours)}  {_num(s.counted_hours):>8}"
            f"  {_num(s.required_hours):>8}  {_num(s.hours_needed):>7}{note}"
        )
        for y in nested.per_year.get(s.id, ()) if nested is not None else ():
            mark = "✓" if y.met else "✗"
            lines.append(
                f"    {mark} year to {y.to.isoformat()}: {_num(y.counted_hours)} of {_num(y.required_hours)} h"
            )
    if nested is not None and nested.carry_over is not None:
        carry = nested.carry_over
        if carry.previous_complete:
            lines.append(
                f"carried over from the cycle ending {carry.from_cycle_ending.isoformat()}: "
                f"{_num(carry.hours)} h into {carry.into}"
            )
        else:
            lines.append(
                f"nothing carried over: the cycle ending {carry.from_cycle_ending.isoformat()} was not complete"
            )
    lines.append("")
    if audit.complete:
        lines.append("COMPLETE")
        if audit.apply_by is not None:
            lines.append(f"apply by {audit.apply_by.isoformat()} (after that, older records leave the window)")
    else:
        lines.append(f"NOT COMPLETE: {_num(audit.hours_needed)} more hours needed")
    if audit.allocations:
        lines.append("")
        lines.append("where each record counts:")
        for p in audit.allocations:
            note = f" (of {_num(p.record_hours)}, capped)" if p.hours < p.record_hours else ""
            lines.append(f"  {p.record}: {p.requirement} {_num(p.hours)} h{note}")
    if audit.unused:
        lines.append("")
        lines.append("unused records:")
        lines.extend(f"  {u.record}: {u.reason}" for u in audit.unused)
    if audit.rejected:
        lines.append("")
        lines.append("rejected rows:")
        lines.extend(f"  {r.record} ({r.unit} {r.line}): {r.error}" for r in audit.rejected)
    return "\n".join(lines) + "\n"
