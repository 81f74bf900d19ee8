"""What-if: today's records plus planned sessions, audited together, and what each planned session would add.

Pure. The planned sessions join the records after them (their positions follow on); a planned id that repeats a
record's id is prefixed ``planned-`` so every line of the result names one row. The allocation is chosen afresh
for the whole set, so a planned session may free an existing record for another requirement: the per-session
view lists where each planned session itself counts, and the whole audit is there to see the rest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from certcredit.engine.audit import Audit, audit
from certcredit.engine.records import EducationRecord
from certcredit.rules.compiled import CompiledProgram


@dataclass(frozen=True, slots=True)
class PlannedUse:
    record: str
    date: dt.date
    #: (requirement, hours) where the session counts; empty when it would not count
    counts_for: tuple[tuple[str, float], ...]
    #: why it would not count (the audit's unused reason), else None
    reason: str | None


@dataclass(frozen=True, slots=True)
class WhatIf:
    today: Audit
    planned: tuple[PlannedUse, ...]
    result: Audit

    @property
    def hours_gained(self) -> float:
        return round(self.today.hours_needed - self.result.hours_needed, 4)


def with_planned(
    records: Sequence[EducationRecord], planned: Sequence[EducationRecord]
) -> tuple[list[EducationRecord], list[EducationRecord]]:
    """The records and the planned sessions renumbered to follow them, with ids made distinct."""
    taken = {r.id for r in records}
    start = max((r.position for r in records), default=0)
    renumbered = []
    for offset, session in enumerate(planned, start=1):
        ident = session.id if session.id not in taken else f"planned-{session.id}"
        while ident in taken:
            ident = f"planned-{ident}"
        taken.add(ident)
        renumbered.append(dataclasses.replace(session, id=ident, position=start + offset))
    return list(records), renumbered


def what_if(
    program: CompiledProgram, today: Audit, records: Sequence[EducationRecord], planned: Sequence[EducationRecord]
) -> WhatIf:
    """Audit ``records`` with ``planned`` added, under the same program, as-of date and specialty as ``today``."""
    mine, sessions = with_planned(records, planned)
    first = today.nested.first_cycle_start if today.nested is not None else None
    result = audit(program, mine + sessions, today.as_of, today.specialty, cycle_start=first)
    uses = []
    for session in sessions:
        counts = tuple((p.requirement, p.hours) for p in result.allocations if p.record == session.id)
        reason = next((u.reason for u in result.unused if u.record == session.id), None)
        uses.append(PlannedUse(session.id, session.date, counts, reason))
    return WhatIf(today, tuple(uses), result)
