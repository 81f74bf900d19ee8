"""Suggestions: the smallest set of catalogue sessions that would complete a program by a date. Pure.

The catalogue's sessions dated from ``today`` to ``by`` are candidates; each is sorted like a record (window,
length, format, activity, repeats: of two sessions of the same course only the earlier is offered), and those
that could count join the person's records as optional items of one integer program: choose sessions (binary),
allocate records and chosen sessions exactly as the audit does (engine/nested.py), require every minimum met
with no new hours, and minimise the number of sessions; ties go to fewer minutes, then to earlier sessions
(the tie-break costs add up to less than one session). The solver's answer is the smallest set whatever the
catalogue's size; it runs under a time limit (``TIME_LIMIT`` seconds), and when the limit stops it first, the
set found is reported as not proven smallest. The chosen set is then audited the ordinary way, as a check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from certcredit.engine.audit import Audit, audit, choose_version, sort_for_audit
from certcredit.engine.nested import NestedItem, Selection, allocate_nested
from certcredit.engine.prepared import prepare
from certcredit.engine.records import EducationRecord
from certcredit.engine.whatif import with_planned
from certcredit.rules.compiled import CompiledProgram

TIME_LIMIT = 30.0
BEFORE_TODAY = "before today"
AFTER_BY = "after the --by date"


@dataclass(frozen=True, slots=True)
class Suggestion:
    today: Audit
    #: the chosen sessions, in date order (ids as in the catalogue, prefixed ``planned-`` if a record has one)
    sessions: tuple[EducationRecord, ...]
    #: whether the chosen sessions complete the program (False: no set of these sessions does)
    complete: bool
    #: whether the set is proven the smallest (False only when the time limit stopped the solver)
    exact: bool
    #: catalogue sessions that could count, and those that could not with the reason
    considered: int
    excluded: tuple[tuple[str, str], ...]
    #: the audit with the chosen sessions (with every candidate when no set completes it)
    result: Audit
    method: str = "milp"


def plan(
    program: CompiledProgram,
    records: Sequence[EducationRecord],
    catalog: Sequence[EducationRecord],
    as_of: dt.date,
    by: dt.date,
    today: dt.date,
    specialty: str | None = None,
    time_limit: float = TIME_LIMIT,
) -> Suggestion:
    """The smallest set of ``catalog`` sessions (dated ``today`` to ``by``) with which the audit as of ``as_of``
    is complete (module docstring)."""
    book = choose_version(program, as_of)
    specialty = book.resolve_specialty(specialty)
    now = audit(program, records, as_of, specialty)
    mine, sessions = with_planned(records, catalog)
    excluded: list[tuple[str, str]] = []
    dated = []
    for session in sessions:
        if session.date < today:
            excluded.append((session.id, BEFORE_TODAY))
        elif session.date > by:
            excluded.append((session.id, AFTER_BY))
        else:
            dated.append(session)
    if now.complete:
        return Suggestion(now, (), True, True, 0, tuple(excluded), now)
    sorted_records = sort_for_audit(prepare(book, specialty), mine + dated, as_of)
    session_ids = {s.id for s in dated}
    excluded += [(r.id, sorted_records.unused[r.position]) for r in dated if r.position in sorted_records.unused]
    from certcredit.engine.carry import carry_in, carry_items
    from certcredit.engine.years import year_bounds, year_of

    bounds = year_bounds(book, as_of)
    items: list[NestedItem] = []
    session_of: list[int] = []
    candidates: list[EducationRecord] = []
    for key, (_, record, ticks, _, options, *_) in enumerate(sorted_records.items):
        options = options or (-1,)  # a CLM record with no bucket counts toward the total only
        items.append(NestedItem(key, ticks, options, record.format, year_of(bounds, record.date)))
        if record.id in session_ids:
            session_of.append(len(candidates))
            candidates.append(record)
        else:
            session_of.append(-1)
    if book.nesting is not None:
        for carried in carry_items(carry_in(program, book, records, as_of, specialty), len(sorted_records.counting)):
            items.append(carried)
            session_of.append(-1)
    minutes = [c.minutes for c in candidates]
    order = sorted(range(len(candidates)), key=lambda i: (candidates[i].date, candidates[i].position))
    rank = {index: place for place, index in enumerate(order)}
    # one session costs 1; fewer minutes, then earlier dates, break ties (all of them together below 1)
    scale = 2.0 * (1 + sum(minutes)) * (1 + len(candidates))
    costs = [1.0 + (minutes[i] * (1 + len(candidates)) + rank[i]) / scale for i in range(len(candidates))]
    selection = Selection(session_of, costs, time_limit)
    found = allocate_nested(book, items, len(bounds), selection)
    if found.chosen is None:
        with_all = audit(program, mine + dated, as_of, specialty)
        return Suggestion(now, (), False, found.proven, len(candidates), tuple(excluded), with_all)
    chosen = sorted((candidates[i] for i in found.chosen), key=lambda r: (r.date, r.position))
    result = audit(program, mine + chosen, as_of, specialty)
    return Suggestion(now, tuple(chosen), result.complete, found.proven, len(candidates), tuple(excluded), result)
