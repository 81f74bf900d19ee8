"""What a member's Progress page shows beyond the audit itself: bars per requirement in plain words, hours over
time as a chart, the programs the person pursues, the what-if with planned catalogue sessions and the plan (the
fewest upcoming sessions that complete a program by a date).

The what-if and the plan call the engine functions ``certcredit audit --with`` and ``certcredit plan`` call
(``engine.whatif.what_if``, ``engine.plan.plan``) and answer with the same JSON (``engine.planning_report``), on
the person's stored records read as the audit reads them (``audits.read_inputs``: each record with the credit
its linked session's decision gives it) and the catalogue's sessions read the same way: a planned session counts
as the record "I attended" would create for it (no category of its own, so the session's applying decision
decides). The same records exported with ``certcredit export records --as-audited`` and the sessions written
with ``catalogue_rows`` give the CLI's answer (a test compares them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from certcredit.engine.audit import Audit, Rejected, choose_version
from certcredit.engine.plan import plan
from certcredit.engine.planning_report import plan_json, plan_note, what_if_json
from certcredit.engine.records import EducationRecord, RecordError, record_from_row
from certcredit.engine.whatif import what_if
from certcredit.rules.compiled import CompiledProgram
from certcredit.rules.load import load_program
from certcredit.services import audits, charts, history, queries
from certcredit.services import credentials as creds
from certcredit.services.access import check_may_see_records_of
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Session
from certcredit.store.records.models import PursuedPrograms, Record

#: the prefix of a catalogue session's id in a what-if or a plan (``session-12``), so no record's id is taken
SESSION_PREFIX = "session-"
NO_DATE_OR_LENGTH = "no date or length in the catalogue"


# --- the programs a person pursues -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pursued:
    """The programs offered on the person's Progress page: their own choice, or the default and why."""

    programs: tuple[str, ...]
    chosen: bool
    why: str


def pursued(person: Person) -> Pursued:
    """The person's stored choice, else a default from their credential and records (``default_programs``)."""
    stored = PursuedPrograms.objects.filter(person=person).first()
    known = {p.id for p in audits.record_programs()}
    if stored is not None:
        return Pursued(tuple(p for p in stored.programs if p in known), True, "your choice")
    programs, why = default_programs(person)
    return Pursued(programs, False, why)


def default_programs(person: Person) -> tuple[tuple[str, ...], str]:
    """What a person most likely pursues before they say: their credential's next step (the exam application, or
    recertification for a holder), plus a peer program whose own activities their records name (PMI's
    ``giving_back``)."""
    step = creds.next_step(person)
    held = creds.current_credential(person)
    found = list(step.programs)
    why = "from your credential" if held is not None else "the CLM exam application, as for every new member"
    if not found and held is not None:  # eligible or retired: nothing to audit now, so the family's programs
        book = creds.rules(held.family)
        found = [book.recertification_program]
    activities = set(Record.objects.filter(person=person).exclude(activity="").values_list("activity", flat=True))
    if activities:
        for program in audits.record_programs():
            compiled = load_program(program.id)
            declared = {a for v in compiled.versions if v.nesting is not None for a in v.nesting.activities}
            if activities & declared and program.id not in found:
                found.append(program.id)
                why += " and the activities your records name"
    return tuple(found), why


class ProgramsInvalid(ValueError):
    """A choice of programs that names a program that does not audit records."""


@transaction.atomic
def choose_programs(actor: Person, person: Person, programs: Iterable[str]) -> Pursued:
    """Store the programs ``person`` pursues (the person or staff), in the order ``record_programs`` lists them;
    the change goes in the history with who and when. At least one program."""
    check_may_see_records_of(actor, person)
    known = [p.id for p in audits.record_programs()]
    wanted = set(programs)
    unknown = sorted(wanted - set(known))
    if unknown:
        raise ProgramsInvalid(f"unknown program {unknown[0]!r}; use one of {', '.join(known)}")
    if not wanted:
        raise ProgramsInvalid("choose at least one program")
    ordered = [p for p in known if p in wanted]
    stored, created = PursuedPrograms.objects.select_for_update().get_or_create(person=person)
    before = None if created else history.snapshot(stored)
    if created or stored.programs != ordered:
        stored.programs = ordered
        stored.save()
        history.record_change(actor, "choose programs" if created else "change programs", stored, before)
    return Pursued(tuple(ordered), True, "your choice")


# --- bars ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    """One requirement as a bar: how full (``percent``; ``plan_percent`` more with planned sessions) and, in words,
    whether it is met. ``limit`` is a cap rather than a minimum (no bar to fill, only how much of it is used)."""

    id: str
    name: str
    counted: float
    required: float
    needed: float
    met: bool
    limit: bool
    percent: float
    with_plan: float | None
    plan_percent: float
    met_with_plan: bool | None
    words: str
    details: str

    @property
    def svg(self) -> str:
        return charts.bar_svg(self.percent, self.plan_percent, self.met, f"bar-{self.id}")


def _share(part: float, whole: float) -> float:
    return 100.0 if whole <= 0 else max(0.0, min(100.0, 100.0 * part / whole))


def bars(report: dict[str, Any], names: dict[str, str], planned: dict[str, Any] | None = None) -> list[Bar]:
    """The report's requirement lines as bars, in plain words; ``planned`` is the what-if's audit, whose counted
    hours show as the bar's second part."""
    unit = (report.get("unit") or {}).get("many", "hours")
    then = {line["id"]: line for line in planned["requirements"]} if planned else {}
    found = []
    for line in report["requirements"]:
        counted, required = float(line["counted_hours"]), float(line["required_hours"])
        limit = bool(line.get("limit"))
        later = then.get(line["id"])
        with_plan = float(later["counted_hours"]) if later else None
        if limit:
            most = line.get("max_hours")
            words = f"This is a limit, not a requirement: {counted:.2f} {unit} counted" + (
                f", at most {float(most):.2f}" if most is not None else ""
            )
            percent = _share(counted, float(most)) if most else 0.0
            plan_percent = 0.0
        else:
            if line["met"]:
                words = f"Met: {counted:.2f} of {required:.2f} {unit}"
            else:
                words = f"Not met yet: {counted:.2f} of {required:.2f} {unit}, {float(line['hours_needed']):.2f} to go"
            percent = _share(counted, required) if line["met"] else min(_share(counted, required), 99.0)
            plan_percent = 0.0
            if with_plan is not None and later is not None:
                full = _share(with_plan, required) if later["met"] else min(_share(with_plan, required), 99.0)
                plan_percent = max(0.0, full - percent)
                words += f"; with the planned sessions {with_plan:.2f}: {'met' if later['met'] else 'still not met'}"
        details = f"requirement {line['id']}"
        if line.get("within"):
            details += f", within {line['within']}"
        if line.get("max_hours") is not None and not limit:
            details += f", at most {float(line['max_hours']):.2f}"
        for year in line.get("per_year") or ():
            state = "met" if year["met"] else "not met"
            got, of = float(year["counted_hours"]), float(year["required_hours"])
            details += f"; year to {year['to']}: {got:.2f} of {of:.2f} ({state})"
        found.append(
            Bar(
                line["id"],
                names.get(line["id"], line["id"]),
                counted,
                required,
                float(line["hours_needed"]),
                bool(line["met"]),
                limit,
                round(percent, 1),
                with_plan,
                round(plan_percent, 1),
                bool(later["met"]) if later else None,
                words,
                details,
            )
        )
    return found


# --- the chart -----------------------------------------------------------------------------------------------------


def chart(
    report: dict[str, Any],
    names: dict[str, str],
    dates: dict[str, dt.date],
    planned: dict[str, Any] | None = None,
    chart_id: str = "hours-chart",
) -> tuple[charts.HoursChart, str]:
    """Hours counted each month of the report's window, by requirement (the program's categories), as figures
    and as SVG. With ``planned`` (the what-if's audit and its sessions' dates in ``dates``), the hours the planned
    sessions would add are drawn hatched; a record that counts from another cycle (carry-over) has no month and is
    left out of the chart (the bars count it)."""
    start = dt.date.fromisoformat(report["window"]["from"])
    end = dt.date.fromisoformat(report["window"]["to"])

    def lines(allocations: Iterable[dict[str, Any]], only: set[str] | None) -> list[tuple[str, dt.date, float]]:
        found = []
        for line in allocations:
            day = dates.get(line["record"])
            if day is None or (only is not None and line["record"] not in only):
                continue
            found.append((names.get(line["requirement"], line["requirement"]), day, float(line["hours"])))
        return found

    if planned is None:
        counted, added = lines(report["allocations"], None), []
    else:
        sessions = {a["record"] for a in planned["allocations"] if a["record"].startswith(SESSION_PREFIX)}
        mine = {a["record"] for a in planned["allocations"]} - sessions
        counted, added = lines(planned["allocations"], mine), lines(planned["allocations"], sessions)
    unit = (report.get("unit") or {}).get("many", "hours")
    figures = charts.hours_chart(
        start, end, counted, added, unit, f"{unit.capitalize()} counted each month, by category"
    )
    return figures, charts.svg(figures, chart_id)


def requirement_names(audit: Audit) -> dict[str, str]:
    return {s.id: s.name for s in audit.requirements}


# --- the catalogue as planned sessions -------------------------------------------------------------------------


def upcoming_sessions(today: dt.date, until: dt.date | None = None) -> list[Session]:
    """Catalogue sessions dated from ``today`` (to ``until``) with a known length, soonest first (a provider's
    session only once published)."""
    found = Session.objects.filter(queries.in_catalogue(), date__gte=today, minutes__isnull=False)
    found = found.select_related("provider")
    if until is not None:
        found = found.filter(date__lte=until)
    return list(found.order_by("date", "title", "id"))


def catalogue_rows(sessions: Sequence[Session]) -> list[dict[str, Any]]:
    """Sessions as records rows (``session-<id>``), each with the credit its applying decision gives a record
    linked to it that carries no category of its own (what "I attended" stores); sessions with no date or length
    are left out (``NO_DATE_OR_LENGTH``)."""
    applying = audits.applying_of(s.pk for s in sessions)
    rows = []
    for s in sessions:
        if s.date is None or not s.minutes:
            continue
        probe = audits.StoredRow(s.pk, "", s.date, s.title, s.minutes, s.format, "", "", "", "", s.pk)
        credit = audits.credit_of(probe, applying.get(s.pk))
        rows.append(
            {
                "id": f"{SESSION_PREFIX}{s.pk}",
                "date": s.date.isoformat(),
                "title": s.title,
                "minutes": s.minutes,
                "format": s.format,
                "category": credit.category or None,
                "subject_area": credit.subject_area or None,
                "topic": credit.topic or None,
            }
        )
    return rows


def _records(rows: Iterable[dict[str, Any]]) -> tuple[list[EducationRecord], list[Rejected]]:
    records, rejected = [], []
    for position, row in enumerate(rows, start=1):
        try:
            records.append(record_from_row(row, position))
        except RecordError as error:
            rejected.append(Rejected(str(row["id"]), position, str(error), "record"))
    return records, rejected


@dataclass(frozen=True, slots=True)
class WhatIfShown:
    """The what-if's object (``what_if_json``: as ``certcredit audit --with`` prints it under ``what_if``), the
    sessions it planned and those it could not use (no date or length)."""

    report: dict[str, Any]
    sessions: dict[str, Session]
    skipped: list[Session]


def what_if_sessions(
    viewer: Person,
    person: Person,
    program_id: str,
    as_of: dt.date,
    session_ids: Iterable[int],
    specialty: str | None = None,
    today: dt.date | None = None,
    cycle_start: dt.date | None = None,
) -> WhatIfShown:
    """The person's audit with the chosen catalogue sessions added (``engine.whatif.what_if``). Unknown session
    ids raise ``audits.ProgressInvalid`` on ``sessions``; a bad program, date or specialty as ``audits.progress``
    does."""
    check_may_see_records_of(viewer, person)
    wanted = list(dict.fromkeys(session_ids))
    storable = [i for i in wanted if 0 < i < 2**63]  # beyond a database's integers: no such session
    found = {s.pk: s for s in Session.objects.filter(queries.in_catalogue(), pk__in=storable)}  # published only
    missing = [i for i in wanted if i not in found]
    if missing:
        raise audits.ProgressInvalid("sessions", f"no catalogue session {missing[0]}")
    if not wanted:
        raise audits.ProgressInvalid("sessions", "choose at least one catalogue session")
    chosen = [found[i] for i in wanted]
    shown = audits.progress(viewer, person, program_id, as_of, specialty, today, cycle_start)
    records, _rejected = _records(audits.read_inputs(person).rows())
    planned, _ = _records(catalogue_rows(chosen))
    view = what_if(load_program(program_id), shown.audit, records, planned)
    usable = {f"{SESSION_PREFIX}{s.pk}": s for s in chosen if s.date is not None and s.minutes}
    skipped = [s for s in chosen if s.date is None or not s.minutes]
    return WhatIfShown(what_if_json(view), usable, skipped)


def plan_sessions(
    viewer: Person,
    person: Person,
    program_id: str,
    by: dt.date,
    as_of: dt.date | None = None,
    specialty: str | None = None,
    today: dt.date | None = None,
) -> tuple[dict[str, Any], dict[str, Session]]:
    """``certcredit plan``'s object for the person's stored records and the whole catalogue (sessions from
    ``today`` to ``by``), audited as of ``as_of`` (default: ``by``), with the sessions it names by id."""
    check_may_see_records_of(viewer, person)
    as_of = as_of or by
    today = today or dt.date.today()
    if by < today:
        raise audits.ProgressInvalid("by", f"the date {by} is before today ({today}): no session is left to plan")
    program = _record_program(program_id, as_of, specialty)
    records, _rejected = _records(audits.read_inputs(person).rows())
    sessions = upcoming_sessions(today, by)
    catalog, _ = _records(catalogue_rows(sessions))
    suggestion = plan(program, records, catalog, as_of, by, today, specialty)
    data = plan_json(suggestion, by, today, plan_note(suggestion))
    return data, {f"{SESSION_PREFIX}{s.pk}": s for s in sessions}


def _record_program(program_id: str, as_of: dt.date, specialty: str | None) -> CompiledProgram:
    """The record program asked for, once the date and the specialty fit it (``audits.progress``'s checks, with its
    ``ProgressInvalid`` naming the field)."""
    known = {p.id for p in audits.record_programs()}
    if program_id not in known:
        raise audits.ProgressInvalid(
            "program", f"unknown program {program_id!r}; use one of {', '.join(sorted(known))}"
        )
    program = load_program(program_id)
    try:
        book = choose_version(program, as_of)
    except ValueError as error:
        raise audits.ProgressInvalid("as_of", str(error)) from None
    try:
        book.resolve_specialty(specialty)
    except ValueError as error:
        raise audits.ProgressInvalid("specialty", str(error)) from None
    return program


def session_dates(sessions: dict[str, Session]) -> dict[str, dt.date]:
    return {ident: s.date for ident, s in sessions.items() if s.date is not None}
