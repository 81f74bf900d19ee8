"""The CLRM workflow's endpoints of the REST API (registered on ``certcredit.web.api.api`` by ``web.urls``).

The same steps as the pages, through the same services (``services.clrm_flow``), so the same permissions: a
candidate proposes, enrols and uploads for themselves; an approver decides proposals; a paper reviewer reviews;
staff keep the registry and the orientations and read the lists. What a person may not see is 404, as a missing
one is; an action they may not take is 403; a request the workflow refuses is 422 with the ``field`` at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, File, Form, Schema, Status
from ninja.files import UploadedFile

from certcredit.services import clrm
from certcredit.services import clrm_flow as flow
from certcredit.web.api import ERRORS, InvalidField, Text, api
from certcredit.web.clrm_views import paper_file_response

if TYPE_CHECKING:
    from certcredit.store.clrm.models import Enrolment, OrientationSession, PaperVersion, Proposal, Review

TAGS = ["clrm"]
#: a refusal by the workflow: 422 with the field at fault (or none, for the request as a whole)
Name = Annotated[Text, Field(min_length=1, max_length=200)]


def _invalid(error: flow.FlowInvalid) -> InvalidField:
    return InvalidField(error.field or "body", str(error))


@contextmanager
def _step() -> Iterator[None]:
    """How every step answers what the services refuse: an object the viewer may not see (or that does not exist)
    is 404; a step the workflow refuses is 422 with the field at fault."""
    try:
        yield
    except clrm.NotFound:
        raise Http404 from None
    except flow.FlowInvalid as error:
        raise _invalid(error) from None


class ArbitratorOut(Schema):
    id: int
    name: str
    location: str
    case_kinds: str


class ArbitratorIn(Schema):
    name: Name
    location: Annotated[Text, Field(max_length=200)] = ""
    case_kinds: Annotated[Text, Field(max_length=300)] = Field("", description="kinds of cases, in a few words")


class ProposalOut(Schema):
    id: int
    candidate: str
    arbitrators: list[ArbitratorOut]
    paper_type: str
    note: str
    status: str
    proposed_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str
    warnings: list[str] = Field(..., description="for an open proposal, what the approver would be told now")


class ProposalIn(Schema):
    arbitrators: list[Annotated[int, Field(ge=1, le=flow.MAX_ID)]] = Field(
        ..., min_length=1, max_length=10, description="ids from GET /api/clrm/arbitrators"
    )
    paper_type: Literal["grievance", "interest"]
    note: Annotated[Text, Field(max_length=500)] = ""


class DecisionIn(Schema):
    approve: bool
    reason: Annotated[Text, Field(max_length=500)] = Field("", description="required to decline")


class OrientationOut(Schema):
    id: int
    date: dt.date
    place: str
    capacity: int | None
    enrolled: int
    note: str


class OrientationIn(Schema):
    date: dt.date
    place: Annotated[Text, Field(min_length=1, max_length=200)]
    capacity: Annotated[int, Field(ge=1, le=10_000)] | None = None
    note: Annotated[Text, Field(max_length=300)] = ""


class EnrolmentOut(Schema):
    id: int
    session: int
    date: dt.date
    candidate: str
    attended: bool
    attended_event: str | None


class ReviewOut(Schema):
    outcome: str
    comments: str
    reviewer: str | None
    reviewed_at: dt.datetime
    event: str | None


class PaperOut(Schema):
    """A draft: ``counts`` is what the engine says of its submission (true: timely, or a resubmission after the
    timely one; false: it does not count, ``why`` says why; null: dated after the day asked)."""

    id: int
    candidate: str
    number: int
    title: str
    summary: str
    paper_type: str
    kind: str
    file_name: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    event: str | None
    counts: bool | None
    why: str
    reviews: list[ReviewOut]


class ReviewIn(Schema):
    outcome: Literal["accept", "revise", "research"]
    comments: Annotated[Text, Field(max_length=5000)] = Field("", description="required to return the paper")


class WaitingOut(Schema):
    candidate: int
    email: str
    paper: int
    number: int
    title: str
    submitted_on: dt.date


class BulletinOut(Schema):
    candidate: str
    name: str
    title: str
    summary: str
    paper_type: str
    arbitrators: str
    accepted_on: dt.date


class RecognitionOut(Schema):
    candidate: str
    name: str
    conference_year: int
    accepted_on: dt.date


# --------------------------------------------------------------------------------------------- shaping


def _arbitrator_out(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "name": a.name, "location": a.location, "case_kinds": a.case_kinds}


def _proposal_out(p: Proposal, with_warnings: bool = False) -> dict[str, Any]:
    warnings = list(p.warnings) if p.status != flow.PROPOSED else []
    if with_warnings and p.status == flow.PROPOSED:
        warnings = flow.warnings_for(p)
    return {
        "id": p.pk, "candidate": p.candidate.person.email,
        "arbitrators": [_arbitrator_out(a) for a in p.arbitrators.all()], "paper_type": p.paper_type,
        "note": p.note, "status": p.status, "proposed_at": p.proposed_at,
        "decided_by": p.decided_by.email if p.decided_by else None, "decided_at": p.decided_at, "reason": p.reason,
        "warnings": warnings,
    }  # fmt: skip


def _orientation_out(s: OrientationSession) -> dict[str, Any]:
    enrolled = getattr(s, "enrolled", None)
    return {
        "id": s.pk, "date": s.date, "place": s.place, "capacity": s.capacity, "note": s.note,
        "enrolled": enrolled if enrolled is not None else s.enrolments.count(),
    }  # fmt: skip


def _enrolment_out(e: Enrolment) -> dict[str, Any]:
    return {
        "id": e.pk, "session": e.session_id, "date": e.session.date, "candidate": e.candidate.person.email,
        "attended": e.attended_at is not None, "attended_event": f"e{e.event_id}" if e.event_id else None,
    }  # fmt: skip


def _review_out(r: Review) -> dict[str, Any]:
    return {
        "outcome": r.outcome, "comments": r.comments, "reviewer": r.reviewer.email if r.reviewer else None,
        "reviewed_at": r.reviewed_at, "event": f"e{r.event_id}" if r.event_id else None,
    }  # fmt: skip


def _paper_out(j: flow.Judged) -> dict[str, Any]:
    v: PaperVersion = j.version
    return {
        "id": v.pk, "candidate": v.candidate.person.email, "number": v.number, "title": v.title,
        "summary": v.summary, "paper_type": v.paper_type, "kind": v.kind, "file_name": v.file_name, "size": v.size,
        "sha256": v.sha256, "uploaded_at": v.uploaded_at, "event": f"e{v.event_id}" if v.event_id else None,
        "counts": j.counts, "why": j.why, "reviews": [_review_out(r) for r in j.reviews],
    }  # fmt: skip


def _own(request: HttpRequest) -> Any:
    candidate = clrm.own_candidacy(request.auth)
    if candidate is None:
        raise Http404("you are not a CLRM candidate")
    return candidate


# --------------------------------------------------------------------------------------------- arbitrators


@api.get("/clrm/arbitrators", response={200: list[ArbitratorOut], **ERRORS}, tags=TAGS)
def list_arbitrators(request: HttpRequest) -> list[dict[str, Any]]:  # noqa: ARG001 (the framework's signature)
    """The arbitrator registry, by name (anyone signed in: candidates choose from it)."""
    return [_arbitrator_out(a) for a in flow.arbitrators()[:2000]]


@api.post("/clrm/arbitrators", response={201: ArbitratorOut, **ERRORS}, tags=TAGS)
def add_arbitrator(request: HttpRequest, body: ArbitratorIn) -> Status[dict[str, Any]]:
    """Add an arbitrator (staff and approvers; 403 for anyone else); 422 `name` for one already there."""
    with _step():
        made = flow.add_arbitrator(request.auth, body.name, body.location, body.case_kinds)
    return Status(201, _arbitrator_out(made))


# --------------------------------------------------------------------------------------------- proposals


@api.get("/clrm/me/proposals", response={200: list[ProposalOut], **ERRORS}, tags=TAGS)
def my_proposals(request: HttpRequest) -> list[dict[str, Any]]:
    """Your proposals, newest first, with each decision and its reason; 404 if you are not a candidate."""
    return [_proposal_out(p) for p in flow.proposals_of(_own(request))]


@api.post("/clrm/me/proposals", response={201: ProposalOut, **ERRORS}, tags=TAGS)
def propose(request: HttpRequest, body: ProposalIn) -> Status[dict[str, Any]]:
    """Propose your arbitrator(s) and paper type (candidates; 404 if you are not one). 422 for an arbitrator not in
    the registry, or while a proposal waits or after one was approved."""
    candidate = _own(request)
    with _step():
        made = flow.propose(request.auth, candidate, body.arbitrators, body.paper_type, body.note)
    return Status(201, _proposal_out(made))


@api.get("/clrm/proposals", response={200: list[ProposalOut], **ERRORS}, tags=TAGS)
def proposal_queue(request: HttpRequest) -> list[dict[str, Any]]:
    """Proposals waiting for a decision, oldest first, each with the warnings the approver is shown (approvers;
    403 for anyone else)."""
    return [_proposal_out(p, with_warnings=True) for p in flow.approver_queue(request.auth)[:500]]


@api.post("/clrm/proposals/{proposal_id}/decision", response={200: ProposalOut, **ERRORS}, tags=TAGS)
def decide(request: HttpRequest, proposal_id: int, body: DecisionIn) -> dict[str, Any]:
    """Approve (the approval event, dated today) or decline with a `reason` (approvers; 403 for anyone else). The
    warnings shown are kept with the decision; they never block it."""
    with _step():
        proposal = flow.proposal_seen_by(request.auth, proposal_id)
        decided = flow.decide_proposal(request.auth, proposal, body.approve, body.reason)
    return _proposal_out(decided)


# --------------------------------------------------------------------------------------------- orientation


@api.get("/clrm/orientations", response={200: list[OrientationOut], **ERRORS}, tags=TAGS)
def list_orientations(request: HttpRequest) -> list[dict[str, Any]]:  # noqa: ARG001 (the framework's signature)
    """Orientation sessions by date, with how many enrolled (anyone signed in)."""
    return [_orientation_out(s) for s in flow.orientation_sessions()[:1000]]


@api.post("/clrm/orientations", response={201: OrientationOut, **ERRORS}, tags=TAGS)
def schedule(request: HttpRequest, body: OrientationIn) -> Status[dict[str, Any]]:
    """Schedule an orientation (staff; 403 for anyone else)."""
    with _step():
        made = flow.schedule_orientation(request.auth, body.date, body.place, body.capacity, body.note)
    return Status(201, _orientation_out(made))


@api.post("/clrm/orientations/{session_id}/enrolments", response={201: EnrolmentOut, **ERRORS}, tags=TAGS)
def enrol(request: HttpRequest, session_id: int) -> Status[dict[str, Any]]:
    """Enrol yourself (candidates; 404 if you are not one, or for an unknown session); 422 when the session is
    past, full, or you are already enrolled."""
    candidate = _own(request)
    with _step():
        session = flow.session_by_id(session_id)
        made = flow.enrol_orientation(request.auth, candidate, session)
    return Status(201, _enrolment_out(made))


@api.get("/clrm/orientations/{session_id}/enrolments", response={200: list[EnrolmentOut], **ERRORS}, tags=TAGS)
def enrolled(request: HttpRequest, session_id: int) -> list[dict[str, Any]]:
    """Who enrolled in a session (staff; 403 for anyone else)."""
    with _step():
        session = flow.session_by_id(session_id)
    return [_enrolment_out(e) for e in flow.enrolments_in(request.auth, session)]


@api.post("/clrm/enrolments/{enrolment_id}/attendance", response={200: EnrolmentOut, **ERRORS}, tags=TAGS)
def attended(request: HttpRequest, enrolment_id: int) -> dict[str, Any]:
    """Record that the enrolled candidate attended (staff; 403 for anyone else): the orientation event on the
    session's day. 422 before the session's day or when already recorded."""
    with _step():
        enrolment = flow.enrolment_by_id(request.auth, enrolment_id)
        done = flow.record_attendance(request.auth, enrolment)
    return _enrolment_out(done)


# --------------------------------------------------------------------------------------------- papers


@api.get("/clrm/candidates/{candidate_id}/papers", response={200: list[PaperOut], **ERRORS}, tags=TAGS)
def papers(request: HttpRequest, candidate_id: int) -> list[dict[str, Any]]:
    """A candidate's drafts, newest first, each judged by the engine and with its review rounds (the candidate,
    paper reviewers and staff; 404 for anyone else, as for an unknown id)."""
    with _step():
        candidate = flow.candidate_with_papers_seen_by(request.auth, candidate_id)
    return [_paper_out(j) for j in flow.judged_papers(request.auth, candidate)]


@api.post("/clrm/me/papers", response={201: PaperOut, **ERRORS}, tags=TAGS)
def upload(
    request: HttpRequest,
    title: Form[Annotated[Text, Field(min_length=1, max_length=300)]],
    summary: Form[Annotated[Text, Field(min_length=1, max_length=2000)]],
    paper_type: Form[Literal["grievance", "interest"]],
    file: File[UploadedFile],
) -> Status[dict[str, Any]]:
    """Upload a draft (multipart: `title`, `summary`, `paper_type`, `file`; candidates, 404 if you are not one):
    a submission dated today. The content decides: a PDF or a .docx, at most 10 MB; anything else is 422 `file`
    with the reason (a program renamed .pdf is refused). 422 also while a draft waits for review."""
    candidate = _own(request)
    if file.size is not None and file.size > flow.MAX_PAPER_BYTES:
        raise InvalidField("file", f"{file.name} is larger than {flow.MAX_PAPER_BYTES // 1048576} MB")
    data = file.read(flow.MAX_PAPER_BYTES + 1)
    with _step():
        made = flow.submit_paper(request.auth, candidate, title, summary, paper_type, file.name or "", data)
    judged = next(j for j in flow.judged_papers(request.auth, candidate) if j.version.pk == made.pk)
    return Status(201, _paper_out(judged))


@api.get("/clrm/papers/{paper_id}/file", response={200: None, **ERRORS}, tags=TAGS)
def paper_file(request: HttpRequest, paper_id: int) -> FileResponse:
    """The draft's file as uploaded (the candidate, paper reviewers and staff; 404 for anyone else)."""
    with _step():
        version = flow.paper_seen_by(request.auth, paper_id)
    return paper_file_response(version)


@api.get("/clrm/reviews", response={200: list[WaitingOut], **ERRORS}, tags=TAGS)
def review_queue(request: HttpRequest) -> list[dict[str, Any]]:
    """Papers waiting for a review, the longest waiting first (paper reviewers and staff; 403 for anyone else)."""
    return [
        {
            "candidate": w.candidate.pk,
            "email": w.candidate.person.email,
            "paper": w.version.pk,
            "number": w.version.number,
            "title": w.version.title,
            "submitted_on": w.submitted_on,
        }
        for w in flow.review_queue(request.auth)
    ]


@api.post("/clrm/papers/{paper_id}/review", response={201: ReviewOut, **ERRORS}, tags=TAGS)
def review(request: HttpRequest, paper_id: int, body: ReviewIn) -> Status[dict[str, Any]]:
    """Accept the draft, or return it for revision or more research with `comments` (paper reviewers; 403 for
    anyone else). Acceptance certifies the candidate (certificate, verification, badge), queues the bulletin
    feature and adds them to the next Annual Conference's recognition list. 422 for a draft not waiting."""
    with _step():
        version = flow.paper_seen_by(request.auth, paper_id)
        made = flow.review_paper(request.auth, version, body.outcome, body.comments)
    return Status(201, _review_out(made))


# --------------------------------------------------------------------------------------------- staff lists


@api.get("/clrm/bulletin", response={200: list[BulletinOut], **ERRORS}, tags=TAGS)
def bulletin(request: HttpRequest) -> list[dict[str, Any]]:
    """Accepted papers queued for the bulletin, for the editor (staff; 403 for anyone else)."""
    return [
        {
            "candidate": f.candidate.person.email,
            "name": f.candidate.person.name,
            "title": f.title,
            "summary": f.summary,
            "paper_type": f.paper_type,
            "arbitrators": f.arbitrators,
            "accepted_on": f.accepted_on,
        }
        for f in flow.bulletin_queue(request.auth)
    ]


@api.get("/clrm/recognition", response={200: list[RecognitionOut], **ERRORS}, tags=TAGS)
def recognition(
    request: HttpRequest, year: Annotated[int, Field(ge=1900, le=9999)] | None = None
) -> list[dict[str, Any]]:
    """Certified candidates to honor at the Annual Conference, by year (staff; 403 for anyone else)."""
    return [
        {
            "candidate": r.candidate.person.email,
            "name": r.candidate.person.name,
            "conference_year": r.conference_year,
            "accepted_on": r.accepted_on,
        }
        for r in flow.recognition_list(request.auth, year)
    ]
