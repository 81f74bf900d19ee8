"""The audit as SPEC.md's JSON object and as the table a person reads (pure: values in, text or dicts out)."""

from __future__ import annotations

from typing import Any

from certcredit.engine.audit import CAPPED, Audit

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
        if ident in nested.limit_only:
            line["limit"] = True
    for line in result["allocations"]:
        if line["record"] in nested.capped_by and "record_hours" in line:
            line["capped_by"] = list(nested.capped_by[line["record"]])
        if line["record"] in nested.grace_records:
            line["grace"] = True
    carry = nested.carry_over
    carried_from = set(carry.records) if carry is not None else set()
    for line in result["unused"]:
        if line["reason"] == CAPPED and line["record"] in nested.capped_by:
            line["capped_by"] = list(nested.capped_by[line["record"]])
        if line["record"] in carried_from:
            line["carry_over"] = True
    if nested.unit is not None:
        result["unit"] = {"one": nested.unit[0], "many": nested.unit[1]}
    if carry is not None:
        result["carry_over"] = {
            "from_cycle_ending": carry.from_cycle_ending.isoformat(),
            "previous_complete": carry.previous_complete,
            "hours": carry.hours,
            "into": carry.into,
            "status": carry.status,
            "rules_version": carry.rules_version,
            "counts": carry.counts,
            "records": list(carry.records),
            "also": dict(carry.also),
            "note": carry_sentence(audit),
        }
    if nested.grace_until is not None:
        result["grace"] = {"until": nested.grace_until.isoformat(), "records": list(nested.grace_records)}
    if nested.first_cycle_start is not None:
        result["first_cycle"] = {"start": nested.first_cycle_start.isoformat()}


def unit_words(audit: Audit) -> tuple[str, str]:
    """How the audit's credit is written after a number: short (``h``, ``PDUs``) and in full (``hours``, ``PDUs``)."""
    unit = audit.nested.unit if audit.nested is not None else None
    if unit is None:
        return "h", "hours"
    return unit[1], unit[1]


def carry_sentence(audit: Audit) -> str:
    """What a person reads about carry-over: how much came from which cycle and records, or why nothing did."""
    nested = audit.nested
    carry = nested.carry_over if nested is not None else None
    if carry is None:
        return ""
    _, many = unit_words(audit)
    ending = carry.from_cycle_ending.isoformat()
    if carry.status == "carried":
        text = f"carried over from the cycle ending {ending}: {_num(carry.hours)} {many} into {carry.into}"
        text += f" ({carry.counts} {many} beyond that cycle's total"
        text += f"; from records {', '.join(carry.records)})" if carry.records else ")"
        for ident, hours in carry.also:
            text += f"; up to {_num(hours)} of them may count for {ident}"
        return text
    why = {
        "no_excess": f"the cycle ending {ending} had no {carry.counts} {many} beyond its total",
        "previous_incomplete": f"the cycle ending {ending} was not complete",
        "nothing_given": f"no records were given for the cycle ending {ending}",
        "no_carry_rule": (
            f"the rules in force for the cycle ending {ending} ({carry.rules_version}) allow no carry-over"
        ),
        "before_rules": f"the cycle ending {ending} predates every version of this program's rules",
        "first_cycle": "this is the person's first cycle",
    }.get(carry.status, carry.status)
    return f"nothing carried over: {why}"


def _bar(counted: float, required: float) -> str:
    """``counted`` of ``required`` as a bar: full only when met, so a shortfall always shows (34.75 of 35)."""
    share = 1.0 if required <= 0 else min(1.0, counted / required)
    filled = int(share * BAR_WIDTH)
    if counted < required:
        filled = min(filled, BAR_WIDTH - 1)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _num(hours: float) -> str:
    return f"{hours:.2f}"


def render_table(audit: Audit) -> str:
    """A plain-text report: each requirement with a bar and a tick, the verdict, apply-by, why records are unused.

    A requirement without a minimum (a maximum or a category: PMI's Giving Back, SHRM's categories) is a limit, not
    something to meet: it gets a dot instead of a tick, its bar (if it has a maximum) shows how much of the maximum
    is used, and its required and needed columns are blank."""
    short, many = unit_words(audit)
    lines = [f"{audit.program} as of {audit.as_of.isoformat()}  (rules {audit.rules_version})"]
    if audit.specialty:
        lines.append(f"specialty: {audit.specialty}")
    start_word = "from" if audit.window_from_inclusive else "after"
    lines.append(f"window: {start_word} {audit.window_from.isoformat()} to {audit.as_of.isoformat()}")
    nested = audit.nested
    if nested is not None and nested.first_cycle_start is not None:
        lines.append(f"first cycle, begun on {nested.first_cycle_start.isoformat()}")
    if nested is not None and nested.unit is not None:
        lines.append(f"counted in {many}")
    lines.append("")
    width = max([len(s.id) for s in audit.requirements] + [11])
    lines.append(f"  {'requirement':<{width}}  {'':{BAR_WIDTH}}  {'counted':>8}  {'required':>8}  {'needed':>7}")
    for s in audit.requirements:
        tick = "✓" if s.met else "✗"
        note = ""
        limit = nested is not None and s.id in nested.limit_only
        if nested is not None:
            if s.id in nested.within:
                note += f"  within {nested.within[s.id]}"
            if s.id in nested.max_hours:
                note += f"  at most {_num(nested.max_hours[s.id])}"
            elif limit:
                note += "  no minimum"
        if limit and nested is not None:
            most = nested.max_hours.get(s.id)
            bar = _bar(s.counted_hours, most) if most is not None else " " * BAR_WIDTH
            lines.append(f"· {s.id:<{width}}  {bar}  {_num(s.counted_hours):>8}  {'limit':>8}  {'':>7}{note}")
            continue
        lines.append(
            f"{tick} {s.id:<{width}}  {_bar(s.counted_hours, s.required_hours)}  {_num(s.counted_hours):>8}"
            f"  {_num(s.required_hours):>8}  {_num(s.hours_needed):>7}{note}"
        )
        for y in nested.per_year.get(s.id, ()) if nested is not None else ():
            mark = "✓" if y.met else "✗"
            lines.append(
                f"    {mark} year to {y.to.isoformat()}: {_num(y.counted_hours)} of {_num(y.required_hours)} {short}"
            )
    if nested is not None and nested.carry_over is not None:
        lines.append(carry_sentence(audit))
    if nested is not None and nested.grace_until is not None and (nested.grace_records or not audit.complete):
        used = f": {', '.join(nested.grace_records)} counted" if nested.grace_records else ""
        lines.append(
            f"grace period to {nested.grace_until.isoformat()}: records dated in it count where this cycle needs "
            f"them{used}"
        )
    lines.append("")
    if audit.complete:
        lines.append("COMPLETE")
        if audit.apply_by is not None:
            lines.append(f"apply by {audit.apply_by.isoformat()} (after that, older records leave the window)")
    else:
        lines.append(f"NOT COMPLETE: {_num(audit.hours_needed)} more {many} needed")
    capped_by = nested.capped_by if nested is not None else {}
    texts = nested.limit_texts if nested is not None else {}
    if audit.allocations:
        lines.append("")
        lines.append("where each record counts:")
        for p in audit.allocations:
            note = ""
            grace = nested is not None and p.record in nested.grace_records
            if p.hours < p.record_hours and not (grace and p.record not in capped_by):
                names = capped_by.get(p.record, ())
                by = f" by {', '.join(texts.get(n, n) for n in names)}" if names else ""
                note = f" (of {_num(p.record_hours)}, capped{by})"
            elif p.hours < p.record_hours:
                note = f" (of {_num(p.record_hours)}: the rest stays for the next cycle)"
            if grace:
                note += " (earned in the grace period)"
            lines.append(f"  {p.record}: {p.requirement} {_num(p.hours)} {short}{note}")
    if audit.unused:
        carried_from = nested.carry_over if nested is not None and nested.carry_over is not None else None
        lines.append("")
        lines.append("unused records:")
        for u in audit.unused:
            text = u.reason
            if u.reason == CAPPED and capped_by.get(u.record):
                text += f" by {', '.join(texts.get(n, n) for n in capped_by[u.record])}"
            if carried_from is not None and u.record in carried_from.records:
                text += (
                    f" (it counted in the cycle ending {carried_from.from_cycle_ending.isoformat()}, "
                    "whose excess carried over)"
                )
            lines.append(f"  {u.record}: {text}")
    if audit.rejected:
        lines.append("")
        lines.append("rejected rows:")
        lines.extend(f"  {r.record} ({r.unit} {r.line}): {r.error}" for r in audit.rejected)
    return "\n".join(lines) + "\n"
