"""CLRM candidates in the store: recording their workflow events and reading where they stand.

Every change is a service action with who and when in the history. Where a candidate stands is never stored:
``timeline`` replays the stored events through ``certcredit.engine.clrm.audit_clrm``, the function behind
``certcredit audit EVENTS --program clrm``, so the page, the API and the CLI give the same answer. The events a
candidate has are exported by ``event_rows`` in the very shape that command reads.

Who may do what: staff record events, import rosters and list every candidate; a candidate sees their own
timeline. A timeline the viewer may not see is "not found", as a missing one is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from certcredit.engine.clrm import (
    ACADEMY_COMPLETED,
    EVENT_TYPES,
    STATUS_WORDS,
    STATUSES,
    EventError,
    audit_clrm,
    parse_event,
)
from certcredit.io.readers import Row, RowError
from certcredit.rules.clrm import ClrmProgram, load_clrm_program
from certcredit.services import history
from certcredit.services.access import Forbidden, is_staff
from certcredit.services.imports import ImportReport, Rejection
from certcredit.store.accounts.models import Person
from certcredit.store.clrm.models import Candidate, Event

SORTS = ("deadline", "name")
#: The stored bounds (``store.clrm.models.Event``): the arbitrators' names, joined, and a note.
MAX_ARBITRATORS = 500
MAX_NOTE = 300


class NotFound(LookupError):
    """No such candidate, or one the viewer may not see (the two look the same)."""


class EventInvalid(ValueError):
    """An event the engine would reject; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class EventConflict(ValueError):
    """The candidate already has this event on this day."""


def today() -> dt.date:
    """The CLRM workflow's today: the day actions are dated with and timelines are judged on by default (the
    server's local day; the browser test moves it to walk a candidate through a year)."""
    return timezone.localdate()


def check_staff(viewer: Person) -> None:
    if not is_staff(viewer):
        raise Forbidden("only staff may record CLRM events and see every candidate")


def program() -> ClrmProgram:
    return load_clrm_program()


# ------------------------------------------------------------------------------------------------ writing


def enrol(actor: Person | None, person: Person) -> Candidate:
    """The person's candidacy, created (with a history entry) when they have none; staff only."""
    if actor is not None:
        check_staff(actor)
    candidate = Candidate.objects.filter(person=person).first()
    if candidate is None:
        candidate = Candidate.objects.create(person=person, enrolled_by=actor)
        history.record_change(actor, "create", candidate, None, note=f"CLRM candidate {person.email}")
    return candidate


def check_event(
    event_type: str, date: dt.date | str, academy: str = "", paper_type: str = "", arbitrators: str = ""
) -> dict[str, Any]:
    """The event as a row the engine reads, checked by the engine itself (``EventInvalid`` names the field)."""
    row: dict[str, Any] = {"type": event_type, "date": date if isinstance(date, str) else date.isoformat()}
    for key, value in (("academy", academy), ("paper_type", paper_type), ("arbitrators", arbitrators)):
        if value and value.strip():
            row[key] = value.strip()
    try:
        event = parse_event(row, 1, program())
    except EventError as error:
        raise EventInvalid(_field_of(str(error)), str(error)) from None
    names = "; ".join(event.arbitrators)
    if len(names) > MAX_ARBITRATORS or "\x00" in names:
        raise EventInvalid("arbitrators", f"arbitrators: at most {MAX_ARBITRATORS} characters of names, no NUL")
    return {
        "type": event.type,
        "date": event.date,
        "academy": event.academy or "",
        "paper_type": event.paper_type or "",
        "arbitrators": names,
    }


#: The engine's messages start by naming what is wrong; each start names the input at fault.
_FIELD_BY_START = (
    ("unknown event type", "type"),
    ("missing type", "type"),
    ("type must", "type"),
    ("unknown paper_type", "paper_type"),
    ("paper_type", "paper_type"),
    ("arbitrator", "arbitrators"),
    ("missing date", "date"),
    ("date", "date"),
)


def _field_of(message: str) -> str:
    """The input an engine message is about (``academy`` for the academy's own messages and anything else)."""
    return next((field for start, field in _FIELD_BY_START if message.startswith(start)), "academy")


def record_event(
    actor: Person | None,
    person: Person,
    event_type: str,
    date: dt.date | str,
    *,
    academy: str = "",
    paper_type: str = "",
    arbitrators: str = "",
    note: str = "",
) -> Event:
    """Record one event for a person (enrolling them if needed); staff only. The same event twice is a conflict."""
    if actor is not None:
        check_staff(actor)
    fields = check_event(event_type, date, academy, paper_type, arbitrators)
    if len(note) > MAX_NOTE or "\x00" in note:
        raise EventInvalid("note", f"note: at most {MAX_NOTE} characters, no NUL")
    with transaction.atomic():
        candidate = enrol(actor, person)
        return store_event(actor, candidate, fields, note)


def store_event(actor: Person | None, candidate: Candidate, fields: dict[str, Any], note: str = "") -> Event:
    """Store an event checked by ``check_event`` for a candidate, with its history entry; the same event twice is
    a conflict. No permission check: ``record_event`` (staff) and the workflow's actions (``clrm_flow``: an
    approver approving, staff recording attendance, a candidate submitting, a reviewer reviewing) check their
    own before calling it."""
    person = candidate.person
    with transaction.atomic():
        if Event.objects.filter(
            candidate=candidate, type=fields["type"], date=fields["date"], academy=fields["academy"]
        ).exists():
            raise EventConflict(f"{person.email} already has {_describe(fields)}")
        try:
            with transaction.atomic():
                event = Event.objects.create(candidate=candidate, recorded_by=actor, note=note, **fields)
        except IntegrityError:  # recorded at the same moment by someone else
            raise EventConflict(f"{person.email} already has {_describe(fields)}") from None
        history.record_change(actor, "create", event, None, note=f"CLRM {_describe(fields)} for {person.email}")
    return event


def record_academy(actor: Person | None, person: Person, academy: str, date: dt.date | str) -> Event:
    """Staff record that a person attended a core academy in full on that day."""
    return record_event(actor, person, ACADEMY_COMPLETED, date, academy=academy)


def import_roster(
    rows: Sequence[Row | RowError], academy: str, date: dt.date | str, actor: Person | None, file_name: str
) -> ImportReport:
    """Attendance of one academy day from a roster file (one ``email`` a row, other columns ignored).

    A row is rejected, with its line and reason, when it has no e-mail or names no account; every other row
    records the academy for that person. A person already recorded for that academy on that day is counted as
    already present, so importing the same roster again adds nothing. Written in one transaction.
    """
    if actor is not None:
        check_staff(actor)
    fields = check_event(ACADEMY_COMPLETED, date, academy)
    readable = [row for row in rows if isinstance(row, Row)]
    if readable and not any("email" in row.data for row in readable):
        raise ValueError(f"{file_name}: no email column; a roster has one e-mail address a row")
    report = ImportReport(kind="clrm roster", file_name=file_name, rows=len(rows))
    found: list[tuple[Row, Person]] = []
    seen: set[int] = set()
    for row in rows:
        if isinstance(row, RowError):
            report.rejected.append(Rejection(row.position, row.where, row.reason))
            continue
        email = str(row.data.get("email") or "").strip()
        if not email:
            report.rejected.append(Rejection(row.position, row.where, "missing email"))
            continue
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            report.rejected.append(Rejection(row.position, row.where, f"no account with the e-mail {email!r}"))
            continue
        if person.pk in seen:
            report.already_present += 1
            continue
        seen.add(person.pk)
        found.append((row, person))
    note = f"from the roster {file_name}"
    with transaction.atomic():
        for row, person in found:
            candidate = enrol(actor, person)
            if Event.objects.filter(
                candidate=candidate, type=ACADEMY_COMPLETED, date=fields["date"], academy=fields["academy"]
            ).exists():
                report.already_present += 1
                continue
            event = Event.objects.create(
                candidate=candidate, recorded_by=actor, source_file=file_name[:300], source_line=row.where, **fields
            )
            history.record_change(actor, "create", event, None, note=f"CLRM {_describe(fields)} {note}")
            report.added += 1
    return report


def _describe(fields: dict[str, Any]) -> str:
    day = fields["date"].isoformat() if isinstance(fields["date"], dt.date) else fields["date"]
    if fields["type"] == ACADEMY_COMPLETED:
        return f"the {program().academy_name(fields['academy'])} academy on {day}"
    return f"{fields['type'].replace('_', ' ')} on {day}"


# ------------------------------------------------------------------------------------------------ reading


def event_rows(candidate: Candidate) -> list[dict[str, Any]]:
    """The candidate's events in the file shape ``certcredit audit EVENTS --program clrm`` reads (ids: ``e<pk>``)."""
    rows: list[dict[str, Any]] = []
    for event in candidate.events.order_by("date", "id"):
        row: dict[str, Any] = {"id": f"e{event.pk}", "date": event.date.isoformat(), "type": event.type}
        if event.academy:
            row["academy"] = event.academy
        if event.paper_type:
            row["paper_type"] = event.paper_type
        if event.arbitrators:
            row["arbitrators"] = event.arbitrators
        rows.append(row)
    return rows


@dataclass(frozen=True, slots=True)
class Timeline:
    """A candidate's standing on a day: ``audit`` is exactly the CLI's audit object for their stored events."""

    candidate: Candidate
    as_of: dt.date
    audit: dict[str, Any]
    events: list[Event]

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.audit["status"], self.audit["status"])

    def steps(self) -> list[dict[str, Any]]:
        """Every step of the workflow in order, each with its date (None: not yet) for the page."""
        audit = self.audit
        found: list[dict[str, Any]] = [
            {"step": f"{academy['name']} academy", "date": academy["first_completed"], "kind": "academy"}
            for academy in audit["academies"]
        ]
        retakes = _retakes(self.events, audit)
        found += [{"step": "Foundation retake", "date": day, "kind": "retake"} for day in retakes]
        found += [
            {"step": "Effective completion", "date": audit["completion_date"], "kind": "date"},
            {"step": "Arbitrator approved", "date": audit["arbitrator_approved_date"], "kind": "step"},
            {"step": "Orientation attended", "date": audit["orientation_date"], "kind": "step"},
            {"step": "Paper submitted in time", "date": audit["timely_submission_date"], "kind": "step"},
            {"step": "Paper accepted", "date": audit["accepted_date"], "kind": "step"},
        ]
        # in the order they happened (ISO dates sort as text); the steps still to come keep the workflow's order
        done = sorted((s for s in found if s["date"]), key=lambda s: s["date"])
        return done + [s for s in found if not s["date"]]

    def event_lines(self) -> list[dict[str, Any]]:
        """The stored events for the page: what happened in words, who recorded it, when, and from where."""
        names = {academy.id: academy.name for academy in program().academies}
        lines: list[dict[str, Any]] = []
        for event in self.events:
            what = event.get_type_display()
            if event.academy:
                what = f"{names.get(event.academy, event.academy)} academy completed"
            if event.paper_type:
                what += f" ({event.paper_type} paper)"
            lines.append(
                {
                    "date": event.date,
                    "what": what,
                    "arbitrators": event.arbitrators,
                    "recorded_by": event.recorded_by.email if event.recorded_by else "command line",
                    "recorded_at": event.recorded_at,
                    "source": f"{event.source_file}, {event.source_line}"
                    if event.source_file
                    else event.note or "by hand",
                }
            )
        return lines


def _retakes(events: list[Event], audit: dict[str, Any]) -> list[str]:
    """Foundation completions after the first completion of all three academies (the engine's retakes)."""
    done = audit["academies_completed_date"]
    if done is None:
        return []
    retake = program().retake_academy
    as_of = audit["as_of"]
    return [
        e.date.isoformat()
        for e in events
        if e.type == ACADEMY_COMPLETED and e.academy == retake and done < e.date.isoformat() <= as_of
    ]


def candidate_seen_by(viewer: Person, candidate_id: int) -> Candidate:
    """A candidate the viewer may see (themselves, or anyone for staff); otherwise ``NotFound``."""
    candidate = Candidate.objects.select_related("person").filter(pk=candidate_id).first()
    if candidate is None or not (candidate.person_id == viewer.pk or is_staff(viewer)):
        raise NotFound(f"no CLRM candidate {candidate_id}")
    return candidate


def own_candidacy(viewer: Person) -> Candidate | None:
    return Candidate.objects.select_related("person").filter(person=viewer).first()


def timeline(viewer: Person, candidate: Candidate, as_of: dt.date) -> Timeline:
    """Where the candidate stands on ``as_of``, replayed by the engine from the stored events."""
    if not (candidate.person_id == viewer.pk or is_staff(viewer)):
        raise NotFound(f"no CLRM candidate {candidate.pk}")
    events = list(candidate.events.select_related("recorded_by").order_by("date", "id"))
    return Timeline(candidate, as_of, audit_clrm(event_rows(candidate), as_of, program()), events)


def candidates(viewer: Person, as_of: dt.date, status: str = "", sort: str = "deadline") -> list[Timeline]:
    """Every candidate's timeline (staff only), filtered by status, sorted by deadline (none last) or name."""
    check_staff(viewer)
    if status and status not in STATUSES:
        raise EventInvalid("status", f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    if sort not in SORTS:
        raise EventInvalid("sort", f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    rows = Candidate.objects.select_related("person").prefetch_related("events__recorded_by")
    found: list[Timeline] = []
    for candidate in rows:
        events = sorted(candidate.events.all(), key=lambda e: (e.date, e.pk))
        audit = audit_clrm(event_rows(candidate), as_of, program())
        if not status or audit["status"] == status:
            found.append(Timeline(candidate, as_of, audit, events))
    if sort == "deadline":
        found.sort(key=lambda t: (t.audit["paper_deadline"] is None, t.audit["paper_deadline"] or "", _name(t)))
    else:
        found.sort(key=_name)
    return found


def _name(t: Timeline) -> str:
    return (t.candidate.person.name or t.candidate.person.email).casefold()


__all__ = [
    "EVENT_TYPES",
    "STATUSES",
    "STATUS_WORDS",
    "EventConflict",
    "EventInvalid",
    "NotFound",
    "Timeline",
    "candidate_seen_by",
    "candidates",
    "enrol",
    "event_rows",
    "import_roster",
    "own_candidacy",
    "record_academy",
    "record_event",
    "timeline",
]
