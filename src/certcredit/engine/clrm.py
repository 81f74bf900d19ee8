"""The CLRM status engine: where a candidate stands in the academies-then-paper workflow (pure core).

RULES.md, "Program clrm", is the normative reading; docs/clrm.md explains it for users. The engine replays a
candidate's events in a fixed order and keeps only what the rules need: when each academy was first completed,
the effective completion date (moved by later Foundation retakes), the arbitrator approval and orientation,
and the first *timely* submission, after which review events may fall on any date.

Why a replay and not a formula: the deadline that judges a submission is the one in force at that submission,
and Foundation retakes move it; only walking the events in order gets every submission its own deadline.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from certcredit.rules.clrm import ClrmProgram, ClrmRulesVersion, load_clrm_program

PROGRAM_ID: Final = "clrm"

ACADEMY_COMPLETED: Final = "academy_completed"
ARBITRATOR_APPROVED: Final = "arbitrator_approved"
ORIENTATION_ATTENDED: Final = "orientation_attended"
PAPER_SUBMITTED: Final = "paper_submitted"
REVISION_REQUESTED: Final = "revision_requested"
PAPER_ACCEPTED: Final = "paper_accepted"

# Events of one date are replayed in the workflow's own order (academies, approval, orientation, submission,
# review), then in input order. So a submission on the day the academies are completed is "on or after" that
# day, and a review dated the day of a submission is a review of that submission.
EVENT_TYPES: Final = (
    ACADEMY_COMPLETED,
    ARBITRATOR_APPROVED,
    ORIENTATION_ATTENDED,
    PAPER_SUBMITTED,
    REVISION_REQUESTED,
    PAPER_ACCEPTED,
)
_TYPE_ORDER: Final = {name: rank for rank, name in enumerate(EVENT_TYPES)}

ACADEMIES_INCOMPLETE: Final = "academies_incomplete"
PAPER_DUE: Final = "paper_due"
RETAKE_REQUIRED: Final = "retake_required"
UNDER_REVIEW: Final = "under_review"
STATUS_REVISION_REQUESTED: Final = "revision_requested"
CERTIFIED: Final = "certified"
STATUSES: Final = (ACADEMIES_INCOMPLETE, PAPER_DUE, RETAKE_REQUIRED, UNDER_REVIEW, STATUS_REVISION_REQUESTED, CERTIFIED)
#: Each status in a few words, for pages and tables (the identifiers above are what files and the API use).
STATUS_WORDS: Final = {
    ACADEMIES_INCOMPLETE: "core academies still to complete",
    PAPER_DUE: "paper due",
    RETAKE_REQUIRED: "deadline passed: retake required",
    UNDER_REVIEW: "paper under review",
    STATUS_REVISION_REQUESTED: "revision requested",
    CERTIFIED: "certified",
}

_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ARBITRATOR_SEPARATOR: Final = ";"


# --------------------------------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class ClrmEvent:
    """One step a candidate took or was given, read and checked.

    ``position`` is the event's 1-based place in its file; ``event_id`` is the caller's id or, without one,
    that position as text (SPEC.md: ids are echoed back as strings).
    """

    position: int
    event_id: str
    date: dt.date
    type: str
    academy: str | None = None
    paper_type: str | None = None
    arbitrators: tuple[str, ...] = ()

    @property
    def replay_key(self) -> tuple[dt.date, int, int]:
        return (self.date, _TYPE_ORDER[self.type], self.position)


@dataclass(frozen=True, slots=True)
class RejectedEvent:
    """An event that could not be read, with the reason a person can act on; nothing else is lost.

    ``position`` is the event's place in its file, so an edge can point at the file's line.
    """

    event_id: str
    error: str
    position: int

    def as_dict(self) -> dict[str, str]:
        return {"event": self.event_id, "error": self.error}


class EventError(ValueError):
    """Why one event cannot be used."""


def parse_events(
    rows: Iterable[Mapping[str, Any]],
    program: ClrmProgram | None = None,
    *,
    positions: Sequence[int] | None = None,
) -> tuple[list[ClrmEvent], list[RejectedEvent]]:
    """Check every row as a CLRM event; good ones become events, bad ones are rejected with the reason.

    ``positions`` gives each row's place in its file when the caller has already dropped unreadable rows
    (the reader's ``Row.position``), so an event without an id is still named by its true position.
    """
    program = program or load_clrm_program()
    events: list[ClrmEvent] = []
    rejected: list[RejectedEvent] = []
    for index, row in enumerate(rows):
        position = positions[index] if positions is not None else index + 1
        event_id = _event_id(row, position)
        try:
            events.append(parse_event(row, position, program))
        except EventError as error:
            rejected.append(RejectedEvent(event_id, str(error), position))
    return events, rejected


def parse_event(row: Mapping[str, Any], position: int, program: ClrmProgram) -> ClrmEvent:
    """One row as a CLRM event, or ``EventError`` naming the first problem found."""
    if not isinstance(row, Mapping):
        raise EventError(f"an event must be an object with date and type, not {type(row).__name__}")
    event_type = _required_text(row, "type")
    if event_type not in _TYPE_ORDER:
        raise EventError(f"unknown event type {event_type!r}; use one of {', '.join(EVENT_TYPES)}")
    day = _event_date(row)
    academy = _optional_text(row, "academy")
    if event_type == ACADEMY_COMPLETED:
        if academy is None:
            raise EventError("an academy_completed event needs an academy")
        if academy not in program.academy_ids:
            raise EventError(f"unknown academy {academy!r}; use one of {', '.join(program.academy_ids)}")
    elif academy is not None:
        raise EventError(f"academy is only for academy_completed events, not {event_type}")
    paper_type = _optional_text(row, "paper_type")
    if paper_type is not None and paper_type not in program.paper_types:
        raise EventError(f"unknown paper_type {paper_type!r}; use one of {', '.join(program.paper_types)}")
    return ClrmEvent(
        position=position,
        event_id=_event_id(row, position),
        date=day,
        type=event_type,
        academy=academy,
        paper_type=paper_type,
        arbitrators=_arbitrators(row),
    )


def _event_id(row: Any, position: int) -> str:
    raw = row.get("id") if isinstance(row, Mapping) else None
    if raw is None or isinstance(raw, bool) or raw == "":
        return str(position)
    return str(raw)


def _required_text(row: Mapping[str, Any], key: str) -> str:
    value = _optional_text(row, key)
    if value is None:
        raise EventError(f"missing {key}")
    return value


def _optional_text(row: Mapping[str, Any], key: str) -> str | None:
    """A text field, stripped; blank counts as absent (CSV files leave unused columns empty)."""
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise EventError(f"{key} must be text, not {value!r}")
    value = value.strip()
    return value or None


def _event_date(row: Mapping[str, Any]) -> date:
    value = row.get("date")
    if isinstance(value, date) and type(value) is date:
        return value
    if value is None or value == "":
        raise EventError("missing date")
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise EventError(f"date {value!r} is not an ISO date YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise EventError(f"date {value!r} is not a real calendar day") from None


def _arbitrators(row: Mapping[str, Any]) -> tuple[str, ...]:
    """``arbitrator`` (one name) and ``arbitrators`` (a list, or names separated by ';'), merged in order."""
    names: list[str] = []
    for key in ("arbitrator", "arbitrators"):
        value = row.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            parts = value.split(_ARBITRATOR_SEPARATOR) if key == "arbitrators" else [value]
        elif isinstance(value, list) and key == "arbitrators" and all(isinstance(part, str) for part in value):
            parts = value
        else:
            raise EventError(f"{key} must be {'a name' if key == 'arbitrator' else 'a list of names'}, not {value!r}")
        names.extend(part.strip() for part in parts if part.strip())
    return tuple(dict.fromkeys(names))


# ------------------------------------------------------------------------------------------------ dates


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months; a missing day takes the month's last day (Aug 31 + 6 → Feb 28)."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def paper_deadline(effective_completion: date, program: ClrmProgram) -> date:
    """The last day a first timely submission may be made (that day included), under the version in force."""
    version = program.version_on(effective_completion)
    return add_months(effective_completion, version.paper_deadline_months)


# ------------------------------------------------------------------------------------------------ status


@dataclass(slots=True)
class ClrmProgress:
    """Where a candidate stands on a date: the status and the facts it was decided from."""

    as_of: date
    status: str
    rules_version: str
    version: ClrmRulesVersion
    first_completed: dict[str, date]
    missing_academies: list[str]
    completed_on: date | None = None
    effective_completion: date | None = None
    deadline: date | None = None
    approved_on: date | None = None
    oriented_on: date | None = None
    timely_submission: ClrmEvent | None = None
    last_review: ClrmEvent | None = None
    accepted: ClrmEvent | None = None
    untimely_submissions: list[ClrmEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: every submission by event id: None when it counts (the timely one, or a resubmission after it), else why not
    submissions: dict[str, str | None] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.status == CERTIFIED


@dataclass(slots=True)
class _Replay:
    """The running state of a replay; each handler reads one event and updates it."""

    program: ClrmProgram
    first_completed: dict[str, date] = field(default_factory=dict)
    completed_on: date | None = None
    effective_completion: date | None = None
    approved_on: date | None = None
    oriented_on: date | None = None
    timely_submission: ClrmEvent | None = None
    last_review: ClrmEvent | None = None
    accepted: ClrmEvent | None = None
    untimely_submissions: list[ClrmEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    submissions: dict[str, str | None] = field(default_factory=dict)

    def academy_completed(self, event: ClrmEvent) -> None:
        if event.academy not in self.program.academy_ids:
            # parse_events never lets one through; an event built by hand might.
            self.warnings.append(f"event {event.event_id} names no core academy ({event.academy!r}) and was ignored")
            return
        if event.academy not in self.first_completed:
            self.first_completed[event.academy] = event.date
            if len(self.first_completed) == len(self.program.academy_ids):
                self.completed_on = self.effective_completion = event.date
        elif (
            self.completed_on is not None
            and event.academy == self.program.retake_academy
            and event.date > self.completed_on
        ):
            # A retake of Foundation after completion moves the effective completion date (and so the
            # deadline), whether the old deadline had passed or not. Replay order keeps dates rising.
            self.effective_completion = event.date

    def arbitrator_approved(self, event: ClrmEvent) -> None:
        if self.approved_on is None:
            self.approved_on = event.date

    def orientation_attended(self, event: ClrmEvent) -> None:
        if self.oriented_on is None:
            self.oriented_on = event.date

    def paper_submitted(self, event: ClrmEvent) -> None:
        if self.timely_submission is not None:
            self.submissions[event.event_id] = (
                None if self.accepted is None else f"came after the acceptance of {self.accepted.date}"
            )
            self._review(event)
            return
        reason = self.why_not_timely(event)
        self.submissions[event.event_id] = reason
        if reason is None:
            self.timely_submission = self.last_review = event
        else:
            self.untimely_submissions.append(event)
            self.warnings.append(f"the paper submitted on {event.date} (event {event.event_id}) {reason}")

    def review(self, event: ClrmEvent) -> None:
        if self.timely_submission is None:
            what = "acceptance" if event.type == PAPER_ACCEPTED else "revision request"
            self.warnings.append(
                f"the {what} of {event.date} (event {event.event_id}) was ignored: it follows no timely submission"
            )
            return
        self._review(event)

    def _review(self, event: ClrmEvent) -> None:
        """A review step after a timely submission: any date is fine; acceptance is final."""
        if self.accepted is not None:
            self.warnings.append(
                f"the {event.type.replace('_', ' ')} of {event.date} (event {event.event_id}) came after the"
                f" acceptance of {self.accepted.date} and changes nothing"
            )
            return
        self.last_review = event
        if event.type == PAPER_ACCEPTED:
            self.accepted = event

    def why_not_timely(self, event: ClrmEvent) -> str | None:
        """None when this submission is timely (RULES.md), else why not, in words for the candidate."""
        if self.effective_completion is None:
            return "does not count: it came before all three core academies were completed"
        if event.date < self.effective_completion:
            return f"does not count: it came before the effective completion date {self.effective_completion}"
        deadline = paper_deadline(self.effective_completion, self.program)
        if event.date > deadline:
            return f"is not timely: it came after the paper deadline {deadline}"
        same_day = self.program.version_on(self.effective_completion).prerequisites_same_day
        for step, done_on in (("arbitrator approval", self.approved_on), ("orientation", self.oriented_on)):
            if done_on is None or done_on > event.date or (done_on == event.date and not same_day):
                return f"does not count: it came before the {step}"
        return None


def clrm_progress(events: Iterable[ClrmEvent], as_of: date, program: ClrmProgram) -> ClrmProgress:
    """Replay the candidate's events up to ``as_of`` and decide the status (RULES.md, "Program clrm")."""
    replay = _Replay(program)
    kept: list[ClrmEvent] = []
    for event in events:
        if event.date > as_of:
            replay.warnings.append(
                f"event {event.event_id} ({event.type} on {event.date}) is after the as-of date and was ignored"
            )
        else:
            kept.append(event)
    handlers = {
        ACADEMY_COMPLETED: replay.academy_completed,
        ARBITRATOR_APPROVED: replay.arbitrator_approved,
        ORIENTATION_ATTENDED: replay.orientation_attended,
        PAPER_SUBMITTED: replay.paper_submitted,
        REVISION_REQUESTED: replay.review,
        PAPER_ACCEPTED: replay.review,
    }
    for event in sorted(kept, key=lambda e: e.replay_key):
        handlers[event.type](event)
    return _decide(replay, as_of)


def _decide(replay: _Replay, as_of: date) -> ClrmProgress:
    program = replay.program
    missing = [academy for academy in program.academy_ids if academy not in replay.first_completed]
    effective = replay.effective_completion
    deadline = paper_deadline(effective, program) if effective is not None else None
    if missing or effective is None or deadline is None:
        status = ACADEMIES_INCOMPLETE
    elif replay.accepted is not None:
        status = CERTIFIED
    elif replay.last_review is not None:
        status = UNDER_REVIEW if replay.last_review.type == PAPER_SUBMITTED else STATUS_REVISION_REQUESTED
    elif as_of <= deadline:
        status = PAPER_DUE
    else:
        status = RETAKE_REQUIRED
    version = program.version_on(effective if effective is not None else as_of)
    return ClrmProgress(
        as_of=as_of,
        status=status,
        rules_version=program.version_label(version),
        version=version,
        first_completed=dict(replay.first_completed),
        missing_academies=missing,
        completed_on=replay.completed_on,
        effective_completion=effective,
        deadline=deadline,
        approved_on=replay.approved_on,
        oriented_on=replay.oriented_on,
        timely_submission=replay.timely_submission,
        last_review=replay.last_review,
        accepted=replay.accepted,
        untimely_submissions=replay.untimely_submissions,
        warnings=replay.warnings,
        submissions=dict(replay.submissions),
    )


# ------------------------------------------------------------------------------------------- next steps


def next_steps(progress: ClrmProgress, program: ClrmProgram) -> list[str]:
    """What the candidate should do next, one sentence a step, in the workflow's order."""
    status = progress.status
    if status == CERTIFIED:
        accepted = progress.accepted
        return [
            f"The paper was accepted on {accepted.date if accepted else progress.as_of}: the certificate is to be"
            " issued to the candidate.",
            "The paper's summary may be featured in the bulletin, and the candidate is to be honored at the next"
            " Annual Conference general session.",
        ]
    if status == UNDER_REVIEW:
        submitted = progress.last_review.date if progress.last_review else progress.as_of
        return [f"Await the review of the paper submitted on {submitted}; no deadline applies while it is reviewed."]
    if status == STATUS_REVISION_REQUESTED:
        asked = progress.last_review.date if progress.last_review else progress.as_of
        return [
            f"Revise the paper (or do the further research asked for on {asked}) and resubmit it; revisions"
            " after a timely submission are never late."
        ]
    steps: list[str] = []
    if status == ACADEMIES_INCOMPLETE:
        names = ", ".join(program.academy_name(academy) for academy in progress.missing_academies)
        steps.append(f"Complete the remaining core {_plural(len(progress.missing_academies), 'academy')}: {names}.")
    if status == RETAKE_REQUIRED:
        # A retake taken now is judged by the version in force now, not the one of the lapsed completion.
        months = program.version_on(progress.as_of).paper_deadline_months
        steps.append(
            f"The paper deadline {progress.deadline} passed without a timely submission: retake"
            f" {program.academy_name(program.retake_academy)}, which opens a new deadline"
            f" {months} months after the retake."
        )
    steps.extend(_paper_steps(progress, program))
    return steps


def _paper_steps(progress: ClrmProgress, program: ClrmProgram) -> list[str]:
    """The steps between the academies and a timely submission that are still open."""
    steps: list[str] = []
    if progress.approved_on is None:
        steps.append(
            "Select the arbitrator(s) to analyse with the Executive Director or a designee, and have them approved."
        )
    if progress.oriented_on is None:
        steps.append("Attend an orientation on the paper standards and on finding arbitration awards.")
    types = "type " + " or ".join(program.paper_types)
    if progress.status == PAPER_DUE:
        steps.append(f"Research and write the paper ({types}) and submit it by {progress.deadline}.")
    elif progress.status == RETAKE_REQUIRED:
        steps.append(f"After the retake, submit the paper ({types}) within the new deadline.")
    else:
        months = program.version_on(progress.as_of).paper_deadline_months
        steps.append(
            f"Then research and write the paper ({types}); it is due {months} months after the academies are completed."
        )
    return steps


def _plural(count: int, word: str) -> str:
    if count == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


# ----------------------------------------------------------------------------------------------- audit


def audit_clrm(
    events: Sequence[Mapping[str, Any]],
    as_of: date,
    program: ClrmProgram | None = None,
    *,
    positions: Sequence[int] | None = None,
) -> dict[str, Any]:
    """SPEC.md's audit object for ``clrm``, from a candidate's raw event rows.

    Bad rows land in ``rejected`` ({"event": id, "error": reason}); the rest are still audited.
    """
    program = program or load_clrm_program()
    parsed, rejected = parse_events(events, program, positions=positions)
    progress = clrm_progress(parsed, as_of, program)
    steps = next_steps(progress, program)
    return {
        "program": PROGRAM_ID,
        "as_of": as_of.isoformat(),
        "rules_version": progress.rules_version,
        "status": progress.status,
        "complete": progress.complete,
        "missing_academies": progress.missing_academies,
        "completion_date": _iso(progress.effective_completion),
        "paper_deadline": _iso(progress.deadline),
        "paper_days_left": paper_days_left(progress),
        "next_steps": " ".join(steps),
        "next_steps_list": steps,
        "academies_completed_date": _iso(progress.completed_on),
        "academies": [
            {"id": academy.id, "name": academy.name, "first_completed": _iso(progress.first_completed.get(academy.id))}
            for academy in program.academies
        ],
        "arbitrator_approved_date": _iso(progress.approved_on),
        "orientation_date": _iso(progress.oriented_on),
        "timely_submission_date": _iso(progress.timely_submission.date if progress.timely_submission else None),
        "accepted_date": _iso(progress.accepted.date if progress.accepted else None),
        "warnings": progress.warnings,
        "rejected": [item.as_dict() for item in rejected],
    }


def paper_days_left(progress: ClrmProgress) -> int | None:
    """Days from the as-of date to the paper deadline while the paper is due (0 on the deadline day), else None."""
    if progress.status != PAPER_DUE or progress.deadline is None:
        return None
    return (progress.deadline - progress.as_of).days


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


# ----------------------------------------------------------------------------------------- arbitrators


@dataclass(frozen=True, slots=True)
class AcceptedPaper:
    """An accepted CLRM paper and the arbitrator(s) it analyses (the members' library)."""

    candidate: str
    arbitrators: tuple[str, ...]
    accepted_on: date | None = None


@dataclass(frozen=True, slots=True)
class Reservation:
    """An arbitrator chosen by a candidate whose paper is still in progress."""

    candidate: str
    arbitrator: str


def arbitrator_warnings(
    arbitrator: str,
    accepted_papers: Iterable[AcceptedPaper],
    reservations: Iterable[Reservation],
    *,
    candidate: str | None = None,
    program: ClrmProgram | None = None,
) -> list[str]:
    """Warnings for the approver about selecting ``arbitrator`` (RULES.md: flagged, never blocked).

    Names match ignoring case and runs of spaces. The candidate's own reservation is not a conflict.
    """
    checks = (program or load_clrm_program()).arbitrator_checks
    wanted = _name_key(arbitrator)
    found: list[str] = []
    if checks.warn_if_covered_by_accepted_paper:
        for paper in accepted_papers:
            if any(_name_key(name) == wanted for name in paper.arbitrators):
                when = f" on {paper.accepted_on}" if paper.accepted_on else ""
                found.append(f"{arbitrator} is already covered by the paper of {paper.candidate}, accepted{when}.")
    if checks.warn_if_reserved_by_other_candidate:
        for reservation in reservations:
            if _name_key(reservation.arbitrator) == wanted and reservation.candidate != candidate:
                found.append(f"{arbitrator} is reserved by {reservation.candidate}, whose paper is in progress.")
    return found


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def arbitrator_key(name: str) -> str:
    """The form under which two spellings of one arbitrator's name match (case and runs of spaces ignored)."""
    return _name_key(name)


# ------------------------------------------------------------------------------------------- after acceptance


def conference_year(accepted_on: date, conference_month_day: tuple[int, int]) -> int:
    """The year of the next Annual Conference after an acceptance: this year's if it is still to come (a paper
    accepted on the conference day itself waits for the next one, the list being printed beforehand)."""
    month, day = conference_month_day
    this_year = date(accepted_on.year, month, min(day, calendar.monthrange(accepted_on.year, month)[1]))
    return accepted_on.year if accepted_on < this_year else accepted_on.year + 1
