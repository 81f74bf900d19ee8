"""One person's standing in the program they pursue (docs/staff.md, "Statuses"): the rules, and the careful path.

- a certified CLM holder: ``clm-recertification``, audited as of the cycle's end. ``lapsed`` when the credential
  has lapsed; else ``complete`` when the audit is; else ``expiring`` when the cycle ends within 90 days; else
  ``on_pace`` or ``behind`` by the outlook's pace (the hours earned per month so far, kept up to the cycle's end,
  earn the missing hours);
- anyone else with records: ``clm-application``, audited today. ``expiring`` when complete today but records age
  out of the window within 90 days so that it no longer is; ``complete``; else ``on_pace`` when the hours earned
  in the last twelve months are at least the hours still needed (another year at that rate completes it), else
  ``behind``.

``decide`` holds these rules once. ``assess`` is the careful path: the person's full audit with its outlook, as
the Progress page computes it (``services.audits``). The re-audit of everyone takes the batch engine's fast lane
for the same answers (``services.reaudit``), and this path for the people the lane does not take.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from certcredit.engine.credential import LAPSED, VALID
from certcredit.engine.results import Audit
from certcredit.rules.load import load_program
from certcredit.services import audits
from certcredit.services import credentials as creds
from certcredit.store.credentials.models import Credential
from certcredit.store.standings.models import Standing

HORIZON_DAYS = 90
APPLICATION, RECERTIFICATION = "clm-application", "clm-recertification"


@dataclass(frozen=True, slots=True)
class Found:
    program: str
    status: str
    counted_hours: float
    required_hours: float
    hours_needed: float
    deadline: dt.date | None
    as_of: dt.date
    records: int


@dataclass(frozen=True, slots=True)
class Pursued:
    """Which program a person is audited for, as of which day, and whether they hold the credential."""

    program: str
    as_of: dt.date
    certified: bool
    lapsed: bool


def pursued(credential: Credential | None, has_records: bool, today: dt.date) -> Pursued | None:
    """The program and as-of date of a person with this current credential (``creds.current_credential``) and
    records or none; None for someone who pursues nothing (no credential and no records)."""
    state = creds.standing(credential, today).state if credential is not None else None
    certified = credential is not None and credential.valid_until is not None and state in (VALID, LAPSED)
    if certified:
        assert credential is not None and credential.valid_until is not None
        return Pursued(RECERTIFICATION, credential.valid_until, True, state == LAPSED)
    if not has_records:
        return None
    return Pursued(APPLICATION, today, False, False)


def counted_total(audit: Audit) -> tuple[float, float]:
    """Hours counted and required in all: the ``total`` line when there is one, else the sum of the lines."""
    for line in audit.requirements:
        if line.id == "total":
            return line.counted_hours, line.required_hours
    return (sum(line.counted_hours for line in audit.requirements),
            sum(line.required_hours for line in audit.requirements))  # fmt: skip


def last_year(rows: Iterable[dict[str, Any]], result: Audit, today: dt.date) -> float:
    """Hours the audit counted from records dated in the twelve months up to today (``rows``: the audited rows,
    ``audits.Inputs.rows``)."""
    since = today - dt.timedelta(days=365)
    dated = {}
    for row in rows:
        dated[str(row["id"])] = dt.date.fromisoformat(row["date"])
    return sum(p.hours for p in result.allocations if since < dated.get(p.record, dt.date.min) <= today)


def decide(
    aim: Pursued,
    result: Audit,
    today: dt.date,
    records: int,
    on_pace: Callable[[], bool],
    incomplete_from: Callable[[], dt.date | None],
    earned_last_year: Callable[[], float],
) -> Found:
    """The standing from the audit (module docstring). The three callables give what the outlook says, asked only
    when the status depends on it: the pace of a certified holder; the first day within 90 days on which a
    complete applicant no longer is; the hours counted from the last twelve months."""
    counted, required = counted_total(result)
    deadline: dt.date | None = aim.as_of if aim.certified else None
    if aim.lapsed:
        status = Standing.Status.LAPSED
    elif aim.certified:
        if result.complete:
            status = Standing.Status.COMPLETE
        elif (aim.as_of - today).days <= HORIZON_DAYS:
            status = Standing.Status.EXPIRING
        else:
            status = Standing.Status.ON_PACE if on_pace() else Standing.Status.BEHIND
    else:
        leaves = incomplete_from() if result.complete else None
        if leaves is not None:
            status, deadline = Standing.Status.EXPIRING, leaves
        elif result.complete:
            status = Standing.Status.COMPLETE
        else:
            status = Standing.Status.ON_PACE if earned_last_year() >= result.hours_needed else Standing.Status.BEHIND
    return Found(aim.program, str(status), round(counted, 2), round(required, 2), round(result.hours_needed, 2),
                 deadline, aim.as_of, records)  # fmt: skip


def assess_inputs(inputs: audits.Inputs, credential: Credential | None, today: dt.date) -> Found | None:
    """The careful path: the standing from the person's full audit with its outlook (``audits.audited_inputs``,
    as the Progress page computes it); None for someone who pursues nothing."""
    aim = pursued(credential, bool(inputs.raw), today)
    if aim is None:
        return None
    audited = audits.audited_inputs(load_program(aim.program), inputs, aim.as_of, None, today)
    outlook = audited.report["outlook"]

    def leaves() -> dt.date | None:
        found = (outlook.get("ageing_out") or {}).get("incomplete_from")
        return dt.date.fromisoformat(found) if found else None

    return decide(
        aim,
        audited.audit,
        today,
        len(inputs.raw),
        lambda: bool((outlook.get("deadline") or {}).get("on_pace")),
        leaves,
        lambda: last_year(inputs.rows(), audited.audit, today),
    )


def search_text(name: str, email: str) -> str:
    """What the dashboard's search looks in: the name and the e-mail, case-folded."""
    return f"{name} {email}".casefold()[:460]


def standing_fields(name: str, email: str, found: Found) -> dict[str, Any]:
    """A ``Standing`` row's values (but the person and the time of the audit) for this person and standing."""
    return {
        "program": found.program,
        "status": found.status,
        "name": name or email,
        "email": email,
        "search": search_text(name, email),
        "counted_hours": found.counted_hours,
        "required_hours": found.required_hours,
        "hours_needed": found.hours_needed,
        "deadline": found.deadline,
        "as_of": found.as_of,
        "records": found.records,
    }
