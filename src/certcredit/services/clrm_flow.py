"""The CLRM workflow as people act in it: arbitrators proposed and approved, orientations, papers and reviews,
and what acceptance sets off (docs/clrm.md, "The workflow in the app").

One function per use case; each checks who may act, changes the store in one transaction, writes the history
(who and when) and, where the step is one the rules count, stores the dated ``clrm.Event`` the engine replays.
Where a candidate stands is still never stored: ``clrm.timeline`` replays the events, so the pages, the API and
``certcredit audit --program clrm`` keep agreeing.

Who may do what:

- a **candidate** proposes arbitrators, enrols in an orientation, uploads drafts and reads their own papers and
  reviews; never another candidate's;
- an **approver** (role ``clrm_approver``: the Executive Director or a designee) approves or declines proposals,
  seeing the warnings the rules ask for (an arbitrator covered by an accepted paper, or reserved by another
  candidate in progress); a warning never blocks;
- a **paper reviewer** (role ``clrm_reviewer``) reads the papers waiting for review and accepts them or returns
  them for revision or for more research, with comments;
- **staff** keep the arbitrator registry, schedule orientations and record attendance, see every paper and
  export the bulletin queue and the Annual Conference recognition list.

Anything a person may not see is "not found", as a missing one is; an action they may not take is ``Forbidden``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from certcredit.engine.clrm import (
    ARBITRATOR_APPROVED,
    CERTIFIED,
    ORIENTATION_ATTENDED,
    PAPER_ACCEPTED,
    PAPER_SUBMITTED,
    REVISION_REQUESTED,
    UNDER_REVIEW,
    AcceptedPaper,
    Reservation,
    arbitrator_key,
    arbitrator_warnings,
    clrm_progress,
    conference_year,
    parse_events,
)
from certcredit.io.papers import MAX_PAPER_BYTES, PaperRefused, paper_kind
from certcredit.io.writers import escape_cell
from certcredit.services import clrm, history, library
from certcredit.services import credentials as creds
from certcredit.services.access import Forbidden, is_staff
from certcredit.store.accounts.models import Person, Role
from certcredit.store.clrm.models import (
    PAPER_TYPES,
    Arbitrator,
    BulletinFeature,
    Candidate,
    Enrolment,
    Event,
    OrientationSession,
    PaperVersion,
    Proposal,
    Recognition,
    Review,
)

FAMILY = "clrm"
PAPER_TYPE_IDS = tuple(key for key, _label in PAPER_TYPES)
#: a proposal's states (``Proposal.Status``), as plain strings for the edges
PROPOSED, APPROVED, DECLINED = "proposed", "approved", "declined"
#: a review's outcomes (``Review.Outcome``): accept, or return for revision or for more research
ACCEPT, REVISE, RESEARCH = "accept", "revise", "research"
OUTCOMES = (ACCEPT, REVISE, RESEARCH)
#: the largest id the store holds; a larger one is "not found", never a database error
MAX_ID = 2**63 - 1
#: control characters refused in a one-line text (a tab is allowed) and in a text of several lines (line breaks too)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FlowInvalid(ValueError):
    """A request the workflow refuses; ``field`` names the input at fault (None: the request as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def today() -> dt.date:
    """The day an action is dated with: ``clrm.today`` (the server's local day), the same day the timeline is
    judged on by default."""
    return clrm.today()


# ------------------------------------------------------------------------------------------------ who may


def is_approver(person: Person) -> bool:
    return person.has_role(Role.CLRM_APPROVER)


def is_paper_reviewer(person: Person) -> bool:
    return person.has_role(Role.CLRM_REVIEWER)


def _check(allowed: bool, what: str) -> None:
    if not allowed:
        raise Forbidden(what)


def _text(value: Any, field: str, limit: int, *, required: bool = False, lines: bool = False) -> str:
    """Text a person typed: stripped, bounded, no control characters (line breaks allowed where ``lines``)."""
    text = str(value if value is not None else "").strip()
    pattern = _CONTROL_IN_LINES if lines else _CONTROL
    if pattern.search(text):
        raise FlowInvalid(f"{field} has a control character", field)
    if len(text) > limit:
        raise FlowInvalid(f"{field} is longer than {limit} characters", field)
    if required and not text:
        raise FlowInvalid(f"{field} is required", field)
    return text


def _candidate_of(person: Person) -> Candidate:
    candidate = clrm.own_candidacy(person)
    if candidate is None:
        raise FlowInvalid("you are not a CLRM candidate: staff enrol you when they record your first academy")
    return candidate


def _progress(candidate: Candidate, as_of: dt.date) -> Any:
    """The engine's replay of the candidate's stored events (the same one the timeline and the CLI run)."""
    rows = clrm.event_rows(candidate)
    events, _rejected = parse_events(rows, clrm.program())
    return clrm_progress(events, as_of, clrm.program())


# ------------------------------------------------------------------------------------------- arbitrators


def arbitrators() -> QuerySet[Arbitrator]:
    """The registry, by name (any signed-in person reads it: candidates choose from it)."""
    return Arbitrator.objects.annotate(proposal_count=Count("proposals")).order_by("name_key")


@transaction.atomic
def add_arbitrator(actor: Person, name: str, location: str = "", case_kinds: str = "") -> Arbitrator:
    """Staff or an approver add an arbitrator to the registry; the same name (any case or spacing) is refused."""
    _check(is_staff(actor) or is_approver(actor), "only staff and CLRM approvers keep the arbitrator registry")
    name = _text(name, "name", 200, required=True)
    location = _text(location, "location", 200)
    case_kinds = _text(case_kinds, "case_kinds", 300)
    key = arbitrator_key(name)
    if Arbitrator.objects.filter(name_key=key).exists():
        raise FlowInvalid(f"{name} is already in the registry", "name")
    try:
        with transaction.atomic():
            made = Arbitrator.objects.create(
                name=" ".join(name.split()), name_key=key, location=location, case_kinds=case_kinds, added_by=actor
            )
    except IntegrityError:
        raise FlowInvalid(f"{name} is already in the registry", "name") from None
    history.record_change(actor, "clrm.arbitrator.add", made, None, note=f"arbitrator {made.name}")
    return made


def arbitrator_by_id(arbitrator_id: int) -> Arbitrator:
    found = Arbitrator.objects.filter(pk=arbitrator_id).first() if 0 < arbitrator_id <= MAX_ID else None
    if found is None:
        raise clrm.NotFound(f"no arbitrator {arbitrator_id}")
    return found


# ------------------------------------------------------------------------------------------- proposals


def proposals_of(candidate: Candidate) -> QuerySet[Proposal]:
    return candidate.proposals.prefetch_related("arbitrators").select_related("decided_by", "proposed_by")


@transaction.atomic
def propose(
    actor: Person, candidate: Candidate, arbitrator_ids: Sequence[int], paper_type: str, note: str = ""
) -> Proposal:
    """The candidate (or staff for them) proposes one or more arbitrators and the paper type.

    Refused: an arbitrator not in the registry, an unknown paper type, a proposal already waiting, an approved
    one already in place (the choice is made once), a candidate already certified.
    """
    _check(actor.pk == candidate.person_id or is_staff(actor), "only the candidate or staff propose arbitrators")
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()  # one proposal at a time per candidate
    if paper_type not in PAPER_TYPE_IDS:
        raise FlowInvalid(f"unknown paper type {paper_type!r}; use one of {', '.join(PAPER_TYPE_IDS)}", "paper_type")
    ids = list(dict.fromkeys(int(i) for i in arbitrator_ids))
    if not ids:
        raise FlowInvalid("choose at least one arbitrator from the registry", "arbitrators")
    chosen = list(Arbitrator.objects.filter(pk__in=[i for i in ids if 0 < i <= MAX_ID]))
    if len(chosen) != len(ids):
        missing = sorted(set(ids) - {a.pk for a in chosen})
        raise FlowInvalid(f"no arbitrator {', '.join(map(str, missing))} in the registry", "arbitrators")
    note = _text(note, "note", 500, lines=True)
    if candidate.proposals.filter(status=Proposal.Status.PROPOSED).exists():
        raise FlowInvalid("a proposal of yours is already waiting for the approver's decision")
    if candidate.proposals.filter(status=Proposal.Status.APPROVED).exists():
        raise FlowInvalid("your arbitrators are already approved; ask the Executive Director to change them")
    if _progress(candidate, today()).status == CERTIFIED:
        raise FlowInvalid("this candidate is already certified")
    proposal = Proposal.objects.create(candidate=candidate, paper_type=paper_type, note=note, proposed_by=actor)
    proposal.arbitrators.set(chosen)
    names = "; ".join(a.name for a in chosen)
    history.record_change(actor, "clrm.proposal.submit", proposal, None, note=f"{names} ({paper_type})")
    return proposal


def approver_queue(viewer: Person) -> QuerySet[Proposal]:
    """Proposals waiting for a decision, oldest first (approvers only)."""
    _check(is_approver(viewer), "only CLRM approvers decide arbitrator proposals")
    return (
        Proposal.objects.filter(status=Proposal.Status.PROPOSED)
        .select_related("candidate__person")
        .prefetch_related("arbitrators")
        .order_by("proposed_at", "id")
    )


def proposal_seen_by(viewer: Person, proposal_id: int) -> Proposal:
    """A proposal its candidate, staff or an approver may see; anyone else: ``NotFound``."""
    found = (
        Proposal.objects.select_related("candidate__person", "decided_by").prefetch_related("arbitrators")
        .filter(pk=proposal_id).first() if 0 < proposal_id <= MAX_ID else None
    )  # fmt: skip
    if found is None or not (found.candidate.person_id == viewer.pk or is_staff(viewer) or is_approver(viewer)):
        raise clrm.NotFound(f"no proposal {proposal_id}")
    return found


def _label(candidate: Candidate) -> str:
    return candidate.person.name or candidate.person.email


def warnings_for(proposal: Proposal) -> list[str]:
    """What the approver is told about each proposed arbitrator (engine ``arbitrator_warnings``): covered by an
    accepted paper, or reserved by another candidate whose paper is in progress (approved, not yet accepted)."""
    accepted = [
        AcceptedPaper(_label(item.candidate), tuple(n.strip() for n in item.arbitrators.split(";") if n.strip()),
                      item.accepted_on)
        for item in BulletinFeature.objects.select_related("candidate__person")
    ]  # fmt: skip
    done = {item.candidate_id for item in BulletinFeature.objects.only("candidate_id")}
    reservations = [
        Reservation(_label(other.candidate), arbitrator.name)
        for other in Proposal.objects.filter(status=Proposal.Status.APPROVED)
        .exclude(candidate_id__in=done)
        .exclude(candidate_id=proposal.candidate_id)
        .select_related("candidate__person")
        .prefetch_related("arbitrators")
        for arbitrator in other.arbitrators.all()
    ]
    found: list[str] = []
    for arbitrator in proposal.arbitrators.all():
        found += arbitrator_warnings(
            arbitrator.name, accepted, reservations, candidate=_label(proposal.candidate), program=clrm.program()
        )
    return found


@transaction.atomic
def decide_proposal(actor: Person, proposal: Proposal, approve: bool, reason: str = "") -> Proposal:
    """An approver approves (the ``arbitrator_approved`` event, dated today) or declines with a reason.

    The warnings are computed again at the decision and kept with it; they never block an approval.
    """
    _check(is_approver(actor), "only CLRM approvers (the Executive Director or a designee) decide proposals")
    proposal = Proposal.objects.select_for_update().select_related("candidate__person").get(pk=proposal.pk)
    reason = _text(reason, "reason", 500, lines=True)
    if proposal.status != Proposal.Status.PROPOSED:
        raise FlowInvalid(f"this proposal was already {proposal.status}")
    if not approve and not reason:
        raise FlowInvalid("say why the proposal is declined", "reason")
    if proposal.candidate.person_id == actor.pk:
        raise Forbidden("an approver does not decide their own proposal")
    before = history.snapshot(proposal)
    proposal.warnings = warnings_for(proposal)
    proposal.status = Proposal.Status.APPROVED if approve else Proposal.Status.DECLINED
    proposal.decided_by, proposal.decided_at, proposal.reason = actor, timezone.now(), reason
    if approve:
        names = "; ".join(a.name for a in proposal.arbitrators.all())
        fields = clrm.check_event(ARBITRATOR_APPROVED, today(), arbitrators=names)
        try:
            proposal.event = clrm.store_event(
                actor, proposal.candidate, fields, note=f"approval of proposal {proposal.pk}"
            )
        except clrm.EventConflict as error:
            raise FlowInvalid(str(error)) from None
    proposal.save()
    action = "clrm.proposal.approve" if approve else "clrm.proposal.decline"
    note = reason or ("; ".join(proposal.warnings) if proposal.warnings else "no warnings")
    history.record_change(actor, action, proposal, before, note=note)
    return proposal


def approved_proposal(candidate: Candidate) -> Proposal | None:
    return proposals_of(candidate).filter(status=Proposal.Status.APPROVED).first()


# ------------------------------------------------------------------------------------------- orientation


def orientation_sessions(upcoming_from: dt.date | None = None) -> QuerySet[OrientationSession]:
    """Orientation sessions by date with their enrolment counts (from ``upcoming_from`` if given)."""
    found = OrientationSession.objects.annotate(enrolled=Count("enrolments")).order_by("date", "id")
    return found.filter(date__gte=upcoming_from) if upcoming_from else found


@transaction.atomic
def schedule_orientation(
    actor: Person, date: dt.date, place: str, capacity: int | None = None, note: str = ""
) -> OrientationSession:
    """Staff schedule an orientation session."""
    _check(is_staff(actor), "only staff schedule orientations")
    place = _text(place, "place", 200, required=True)
    note = _text(note, "note", 300)
    if capacity is not None and not 1 <= capacity <= 10_000:
        raise FlowInvalid("capacity is a number of seats from 1 to 10,000, or empty for no limit", "capacity")
    if not dt.date(2000, 1, 1) <= date <= today() + dt.timedelta(days=3 * 366):
        raise FlowInvalid(f"an orientation on {date} is out of range (from 2000, at most three years ahead)", "date")
    made = OrientationSession.objects.create(date=date, place=place, capacity=capacity, note=note, created_by=actor)
    history.record_change(actor, "clrm.orientation.schedule", made, None, note=f"orientation {date} at {place}")
    return made


def session_by_id(session_id: int) -> OrientationSession:
    found = OrientationSession.objects.filter(pk=session_id).first() if 0 < session_id <= MAX_ID else None
    if found is None:
        raise clrm.NotFound(f"no orientation session {session_id}")
    return found


@transaction.atomic
def enrol_orientation(actor: Person, candidate: Candidate, session: OrientationSession) -> Enrolment:
    """The candidate (or staff for them) enrols in a session that has not taken place yet and has a seat left."""
    _check(actor.pk == candidate.person_id or is_staff(actor), "only the candidate or staff enrol in an orientation")
    session = OrientationSession.objects.select_for_update().get(pk=session.pk)
    if session.date < today() and not is_staff(actor):
        raise FlowInvalid(f"the orientation of {session.date} has already taken place; choose a later one")
    if Enrolment.objects.filter(session=session, candidate=candidate).exists():
        raise FlowInvalid(f"already enrolled in the orientation of {session.date}")
    if session.capacity is not None and session.enrolments.count() >= session.capacity:
        raise FlowInvalid(f"the orientation of {session.date} is full; choose another")
    made = Enrolment.objects.create(session=session, candidate=candidate, enrolled_by=actor)
    history.record_change(actor, "clrm.orientation.enrol", made, None, note=f"{candidate.person.email}")
    return made


def enrolments_of(candidate: Candidate) -> QuerySet[Enrolment]:
    return candidate.enrolments.select_related("session", "attendance_by")


def enrolments_in(viewer: Person, session: OrientationSession) -> QuerySet[Enrolment]:
    _check(is_staff(viewer), "only staff see who enrolled in an orientation")
    return session.enrolments.select_related("candidate__person", "attendance_by")


@transaction.atomic
def record_attendance(actor: Person, enrolment: Enrolment) -> Enrolment:
    """Staff record that an enrolled candidate attended: the ``orientation_attended`` event on the session's day."""
    _check(is_staff(actor), "only staff record orientation attendance")
    enrolment = (
        Enrolment.objects.select_for_update().select_related("session", "candidate__person").get(pk=enrolment.pk)
    )
    if enrolment.attended_at is not None:
        raise FlowInvalid(f"{enrolment.candidate.person.email}'s attendance is already recorded")
    day = enrolment.session.date
    if day > today():
        raise FlowInvalid(f"the orientation of {day} has not taken place yet")
    before = history.snapshot(enrolment)
    fields = clrm.check_event(ORIENTATION_ATTENDED, day)
    existing = Event.objects.filter(candidate=enrolment.candidate, type=ORIENTATION_ATTENDED, date=day).first()
    enrolment.event = existing or clrm.store_event(
        actor, enrolment.candidate, fields, note=f"attendance at the orientation of {day}"
    )
    enrolment.attended_at, enrolment.attendance_by = timezone.now(), actor
    enrolment.save()
    history.record_change(actor, "clrm.orientation.attended", enrolment, before, note=enrolment.candidate.person.email)
    return enrolment


def enrolment_by_id(viewer: Person, enrolment_id: int) -> Enrolment:
    found = (
        Enrolment.objects.select_related("session", "candidate__person").filter(pk=enrolment_id).first()
        if 0 < enrolment_id <= MAX_ID else None
    )  # fmt: skip
    if found is None or not (is_staff(viewer) or found.candidate.person_id == viewer.pk):
        raise clrm.NotFound(f"no enrolment {enrolment_id}")
    return found


# ------------------------------------------------------------------------------------------- papers


def may_read_papers_of(viewer: Person, candidate: Candidate) -> bool:
    """The candidate, staff and paper reviewers read a candidate's drafts; nobody else (another candidate never)."""
    return candidate.person_id == viewer.pk or is_staff(viewer) or is_paper_reviewer(viewer)


def candidate_with_papers_seen_by(viewer: Person, candidate_id: int) -> Candidate:
    """A candidate whose papers the viewer may read (themselves, reviewers, staff); anyone else: ``NotFound``."""
    found = (
        Candidate.objects.select_related("person").filter(pk=candidate_id).first() if 0 < candidate_id <= MAX_ID
        else None
    )  # fmt: skip
    if found is None or not may_read_papers_of(viewer, found):
        raise clrm.NotFound(f"no CLRM candidate {candidate_id}")
    return found


def papers_of(viewer: Person, candidate: Candidate) -> QuerySet[PaperVersion]:
    if not may_read_papers_of(viewer, candidate):
        raise clrm.NotFound(f"no CLRM candidate {candidate.pk}")
    return candidate.papers.select_related("event", "uploaded_by").prefetch_related("reviews__reviewer")


def paper_seen_by(viewer: Person, version_id: int) -> PaperVersion:
    """A draft the viewer may read; another's (for a candidate) and a missing one look the same (``NotFound``)."""
    found = (
        PaperVersion.objects.select_related("candidate__person", "event").filter(pk=version_id).first()
        if 0 < version_id <= MAX_ID else None
    )  # fmt: skip
    if found is None or not may_read_papers_of(viewer, found.candidate):
        raise clrm.NotFound(f"no paper {version_id}")
    return found


@dataclass(frozen=True, slots=True)
class Judged:
    """A draft with what the engine says of it: ``counts`` (timely, or a resubmission after the timely one) and,
    when it does not count, ``why`` in the engine's words; ``reviews`` are its review rounds."""

    version: PaperVersion
    counts: bool | None
    why: str
    reviews: list[Review]


def judged_papers(viewer: Person, candidate: Candidate, as_of: dt.date | None = None) -> list[Judged]:
    """Every draft, newest first, judged exactly as the engine replays the stored events on ``as_of``."""
    versions = list(papers_of(viewer, candidate).order_by("-number"))
    progress = _progress(candidate, as_of or today())
    found = []
    for version in versions:
        verdict: str | None = None
        known = False
        if version.event_id is not None:
            key = f"e{version.event_id}"
            known = key in progress.submissions
            verdict = progress.submissions.get(key)
        counts = (verdict is None) if known else None
        why = verdict or ("" if known else "after the day shown: not counted yet")
        found.append(Judged(version, counts, why, list(version.reviews.all())))
    return found


@transaction.atomic
def submit_paper(
    actor: Person, candidate: Candidate, title: str, summary: str, paper_type: str, file_name: str, data: bytes
) -> PaperVersion:
    """The candidate uploads a draft: a submission (``paper_submitted``, dated today), kept with every version.

    The content decides the file's kind (PDF or DOCX, ``io.papers``), never its name. Refused while a draft waits
    for its review, once certified, and on a day that already has a submission or a review of this candidate
    (the rules date each step by the day, so a draft returned today is resubmitted from tomorrow).
    """
    _check(actor.pk == candidate.person_id, "only the candidate uploads their paper")
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    title = _text(title, "title", 300, required=True)
    summary = _text(summary, "summary", 2000, required=True, lines=True)
    if paper_type not in PAPER_TYPE_IDS:
        raise FlowInvalid(f"unknown paper type {paper_type!r}; use one of {', '.join(PAPER_TYPE_IDS)}", "paper_type")
    shown_name = _text(file_name, "file", 255) or "the file"
    try:
        kind = paper_kind(data, shown_name)
    except PaperRefused as error:
        raise FlowInvalid(str(error), "file") from None
    day = today()
    progress = _progress(candidate, day)
    if progress.status == CERTIFIED:
        raise FlowInvalid("your paper is already accepted: no new draft is needed")
    if progress.status == UNDER_REVIEW:
        raise FlowInvalid("your last draft is waiting for its review; upload the next one after the review")
    same_day = Event.objects.filter(candidate=candidate, date=day, type__in=(PAPER_SUBMITTED, REVISION_REQUESTED))
    if same_day.exists():
        raise FlowInvalid(
            f"a draft was already submitted or returned on {day}; upload the next one from tomorrow "
            "(each step of the workflow is dated by its day)"
        )
    number = (candidate.papers.aggregate(n=Max("number"))["n"] or 0) + 1
    digest = hashlib.sha256(data).hexdigest()
    version = PaperVersion(
        candidate=candidate, number=number, title=title, summary=summary, paper_type=paper_type, kind=kind,
        file_name=shown_name, size=len(data), sha256=digest, uploaded_by=actor,
    )  # fmt: skip
    version.file.save(f"draft.{kind}", ContentFile(data), save=False)
    fields = clrm.check_event(PAPER_SUBMITTED, day, paper_type=paper_type)
    version.event = clrm.store_event(actor, candidate, fields, note=f"draft {number} uploaded: {title}"[:300])
    version.save()
    history.record_change(actor, "clrm.paper.submit", version, None, note=f"draft {number} ({kind}, {len(data)} bytes)")
    return version


# ------------------------------------------------------------------------------------------- reviews


@dataclass(frozen=True, slots=True)
class Waiting:
    """A candidate whose latest draft waits for review (the engine's ``under_review``)."""

    candidate: Candidate
    version: PaperVersion
    submitted_on: dt.date


def review_queue(viewer: Person) -> list[Waiting]:
    """Papers waiting for a review, the longest waiting first (paper reviewers and staff)."""
    _check(is_paper_reviewer(viewer) or is_staff(viewer), "only CLRM paper reviewers and staff see papers to review")
    found: list[Waiting] = []
    day = today()
    for candidate in Candidate.objects.filter(papers__isnull=False).distinct().select_related("person"):
        latest = candidate.papers.select_related("event").order_by("-number").first()
        if latest is None or latest.reviews.exists():
            continue
        if _progress(candidate, day).status == UNDER_REVIEW:
            found.append(Waiting(candidate, latest, latest.event.date if latest.event else latest.uploaded_at.date()))
    return sorted(found, key=lambda w: (w.submitted_on, w.version.pk))


@transaction.atomic
def review_paper(actor: Person, version: PaperVersion, outcome: str, comments: str = "") -> Review:
    """A paper reviewer accepts the draft, or returns it for revision or for more research (with comments).

    Only the latest draft of a paper under review (as the engine says) is reviewed, once. Acceptance
    (``paper_accepted``) certifies the candidate and sets off the rest (``_accepted``).
    """
    _check(is_paper_reviewer(actor), "only CLRM paper reviewers review papers")
    version = PaperVersion.objects.select_for_update().select_related("candidate__person").get(pk=version.pk)
    candidate = version.candidate
    if candidate.person_id == actor.pk:
        raise Forbidden("a reviewer does not review their own paper")
    if outcome not in OUTCOMES:
        raise FlowInvalid(f"unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}", "outcome")
    comments = _text(comments, "comments", 5000, lines=True)
    if outcome != ACCEPT and not comments:
        raise FlowInvalid("say what to revise or research: the candidate reads these comments", "comments")
    if version.reviews.exists():
        raise FlowInvalid(f"draft {version.number} was already reviewed")
    latest = candidate.papers.aggregate(n=Max("number"))["n"]
    if version.number != latest:
        raise FlowInvalid(f"draft {version.number} is not the latest; review draft {latest}")
    day = today()
    if _progress(candidate, day).status != UNDER_REVIEW:
        raise FlowInvalid("this paper is not waiting for a review (the submission did not count, or it was decided)")
    event_type = PAPER_ACCEPTED if outcome == ACCEPT else REVISION_REQUESTED
    fields = clrm.check_event(event_type, day)
    try:
        event = clrm.store_event(actor, candidate, fields, note=f"review of draft {version.number}")
    except clrm.EventConflict as error:
        raise FlowInvalid(str(error)) from None
    review = Review.objects.create(version=version, reviewer=actor, outcome=outcome, comments=comments, event=event)
    history.record_change(actor, f"clrm.paper.{outcome}", review, None, note=f"draft {version.number}")
    if outcome == ACCEPT:
        _accepted(actor, candidate, version, day)
    return review


# ------------------------------------------------------------------------------------------- acceptance


def _accepted(actor: Person, candidate: Candidate, version: PaperVersion, day: dt.date) -> None:
    """What an accepted paper sets off, in the same transaction: the credential (certificate, verification,
    badge), the bulletin feature queued for the editor, the next Annual Conference's recognition list, and the
    paper handed to the members' library."""
    creds.award(actor, candidate.person, FAMILY, day, f"CLRM paper accepted (draft {version.number})")
    proposal = approved_proposal(candidate)
    names = "; ".join(a.name for a in proposal.arbitrators.all()) if proposal else ""
    feature = BulletinFeature.objects.create(
        candidate=candidate, version=version, title=version.title, summary=version.summary,
        paper_type=version.paper_type, arbitrators=names, accepted_on=day,
    )  # fmt: skip
    history.record_change(actor, "clrm.bulletin.queue", feature, None, note=version.title)
    year = conference_year(day, clrm.program().conference_month_day)
    honored = Recognition.objects.create(candidate=candidate, conference_year=year, accepted_on=day)
    history.record_change(actor, "clrm.recognition.add", honored, None, note=f"Annual Conference {year}")
    _to_library(actor, version, proposal, day)


def _to_library(actor: Person, version: PaperVersion, proposal: Proposal | None, day: dt.date) -> None:
    """The accepted draft goes to the members' library (``services.library``), with the arbitrators approved."""
    with version.file.open("rb") as handle:
        content = handle.read()
    try:
        _add_to_library(actor, version, proposal, day, content)
    except library.PaperInvalid as error:  # the acceptance is undone with it: no half-accepted paper
        raise FlowInvalid(f"the library refused the accepted paper: {error}") from None


def _add_to_library(
    actor: Person, version: PaperVersion, proposal: Proposal | None, day: dt.date, content: bytes
) -> None:
    library.add_accepted_paper(
        actor, author=version.candidate.person, title=version.title,
        arbitrators=[a.name for a in proposal.arbitrators.all()] if proposal else [],
        paper_type=version.paper_type, accepted_on=day, content=content,
        file_name=f"clrm-paper-{version.candidate_id}-draft-{version.number}.{version.kind}",
    )  # fmt: skip


def credential_of(candidate: Candidate) -> Any:
    """The candidate's CLRM credential (certificate, verification, badge), or None before acceptance."""
    return creds.current_credential(candidate.person, FAMILY)


# ------------------------------------------------------------------------------------------- staff lists


def bulletin_queue(viewer: Person | None) -> QuerySet[BulletinFeature]:
    """Staff (or the command line: ``viewer`` None) read the bulletin queue, oldest first."""
    _check(viewer is None or is_staff(viewer), "only staff see the bulletin queue")
    return BulletinFeature.objects.select_related("candidate__person").order_by("queued_at", "id")


def recognition_list(viewer: Person | None, year: int | None = None) -> QuerySet[Recognition]:
    """Staff (or the command line: ``viewer`` None) read the recognition list, by conference year."""
    _check(viewer is None or is_staff(viewer), "only staff see the recognition list")
    found = Recognition.objects.select_related("candidate__person").order_by("conference_year", "accepted_on", "id")
    return found.filter(conference_year=year) if year else found


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([escape_cell(str(v)) if v is not None else "" for v in row] for row in rows)
    return out.getvalue()


def bulletin_csv(viewer: Person | None) -> str:
    """The bulletin queue as CSV for the editor (cells a spreadsheet would run are escaped)."""
    return _csv(
        ("accepted_on", "name", "email", "title", "paper_type", "arbitrators", "summary"),
        (
            (f.accepted_on.isoformat(), f.candidate.person.name, f.candidate.person.email, f.title, f.paper_type,
             f.arbitrators, f.summary)
            for f in bulletin_queue(viewer)
        ),
    )  # fmt: skip


def recognition_csv(viewer: Person | None, year: int | None = None) -> str:
    """The Annual Conference recognition list as CSV."""
    return _csv(
        ("conference_year", "name", "email", "accepted_on"),
        (
            (r.conference_year, r.candidate.person.name, r.candidate.person.email, r.accepted_on.isoformat())
            for r in recognition_list(viewer, year)
        ),
    )


__all__ = [
    "MAX_PAPER_BYTES",
    "PAPER_TYPES",
    "FlowInvalid",
    "Judged",
    "Waiting",
    "add_arbitrator",
    "approver_queue",
    "arbitrators",
    "bulletin_csv",
    "decide_proposal",
    "enrol_orientation",
    "judged_papers",
    "propose",
    "recognition_csv",
    "record_attendance",
    "review_paper",
    "review_queue",
    "schedule_orientation",
    "submit_paper",
]
