"""The provider's endpoints of the REST API (``/api/provider/…``, registered on ``certcredit.web.api.api`` by
``web.urls``), and the reviewer's ``uphold``: the same steps and permissions as the provider's pages.

A person without a provider grant gets 403; a session or submission of another organization is 404, as a missing
one is (``services.providers``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Query, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from certcredit.services import agendas, disputes, providers, reviews
from certcredit.services.imports import load_upload
from certcredit.web.api import (
    ERRORS,
    Body,
    DecisionOut,
    InvalidField,
    Paging,
    Problem,
    Text,
    api,
    decision_out,
    session_fields,
)

TAGS = ["providers"]


class ProviderSessionOut(Schema):
    """A session of the provider's organization with the decision that applies, its credit hours, whether it is
    published and whether its decision is disputed now."""

    id: int
    title: str
    description: str
    date: dt.date | None
    minutes: int | None
    time: str
    format: str
    submission: int | None
    decision: DecisionOut | None
    credit_hours: float
    published_at: dt.datetime | None
    in_catalogue: bool
    disputed: bool


class ProviderSessionPage(Schema):
    organization: str
    count: int
    items: list[ProviderSessionOut]


class Rejected(Schema):
    where: str
    reason: str


class SubmissionOut(Schema):
    """``status``: waiting, evaluating, finished or failed; ``evaluated`` of ``to_evaluate`` is the progress."""

    id: int
    organization: str
    file_name: str
    submitted_by: str
    submitted_at: dt.datetime
    status: str
    rows: int
    added: int
    already_present: int
    rejected: list[Rejected]
    to_evaluate: int
    evaluated: int
    finished_at: dt.datetime | None


class SessionIn(Body):
    """One session, with a file row's keys (docs/file-formats.md); the evaluator decides it in the background."""

    title: Annotated[Text, Field(min_length=1, max_length=500)]
    description: Annotated[Text, Field(max_length=20_000)] = ""
    date: Annotated[Text, Field(max_length=30)] = Field(..., description="YYYY-MM-DD")
    minutes: int | None = Field(None, ge=1, le=100_000)
    time: Annotated[Text, Field(max_length=100)] = Field("", description="the time as printed, when no minutes")
    format: Literal["in_person", "live_online", "recorded", "self_study", "teaching"] = "in_person"


class DisputeIn(Body):
    reason: Annotated[Text, Field(max_length=disputes.REASON_LIMIT)] = Field(
        ..., description="why the decision is wrong; the reviewer reads it"
    )


class DisputeOut(Schema):
    """``status``: open, upheld or changed; ``outcome`` is the reviewer's decision once settled."""

    id: int
    session: int
    title: str
    reason: str
    raised_by: str
    raised_at: dt.datetime
    status: str
    disputed: DecisionOut
    outcome: DecisionOut | None
    settled_by: str | None
    settled_at: dt.datetime | None
    note: str


class PublishIn(Body):
    sessions: list[int] = Field(..., min_length=1, max_length=1000, description="the ids of the sessions to publish")


class Refusal(Schema):
    session: int
    reason: str


class PublishOut(Schema):
    published: list[int]
    already: list[int]
    refused: list[Refusal]


class RosterOut(Schema):
    file: str
    rows: int
    added: int
    already_present: int
    rejected: list[Rejected]


class CreditFormQuery(Schema):
    submission: int | None = Field(None, ge=1, le=2**31 - 1, description="one submission's sessions; default all")


class UpholdIn(Body):
    note: Annotated[Text, Field(max_length=reviews.NOTE_LIMIT)] = Field("", description="to the provider")


@api.get("/provider/sessions", response={200: ProviderSessionPage, **ERRORS}, tags=TAGS)
def provider_sessions(request: HttpRequest, paging: Query[Paging], search: Text = "") -> dict[str, Any]:
    """Your organization's sessions, newest first, each with its decision, credit hours and catalogue state."""
    organization = providers.organization_of(request.auth)
    found = providers.sessions(request.auth, search)
    shown = providers.decorate(found[paging.offset : paging.offset + paging.limit])
    return {"organization": organization.name, "count": found.count(), "items": [_session_out(s) for s in shown]}


@api.post("/provider/sessions", response={201: SubmissionOut, **ERRORS}, tags=TAGS)
def submit_session(request: HttpRequest, body: SessionIn) -> Status[dict[str, Any]]:
    """Submit one session; 422 naming the reason when it cannot be read (nothing stored)."""
    data = {key: value for key, value in body.model_dump().items() if value not in ("", None)}
    try:
        submission = agendas.submit_one(request.auth, data)
    except agendas.SessionInvalid as error:
        raise InvalidField("body", str(error)) from None
    return Status(201, _submission_out(submission))


@api.post("/provider/agendas", response={201: SubmissionOut, **ERRORS}, tags=TAGS)
def submit_agenda(request: HttpRequest, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """Submit an agenda file (multipart `file`: .csv, .json, .jsonl or .ics); the good rows are kept, each bad one
    listed in `rejected` with its line and reason; 422 naming `file` when the file cannot be read at all."""
    providers.organization_of(request.auth)
    try:
        rows = load_upload(file.name or "", file.read())
    except ValueError as error:
        raise InvalidField("file", str(error)) from None
    return Status(201, _submission_out(agendas.submit_rows(request.auth, rows, file.name or "")))


@api.get("/provider/submissions", response={200: list[SubmissionOut], **ERRORS}, tags=TAGS)
def provider_submissions(request: HttpRequest, paging: Query[Paging]) -> list[dict[str, Any]]:
    """Your organization's submissions, newest first."""
    found = providers.submissions(request.auth)[paging.offset : paging.offset + paging.limit]
    return [_submission_out(s) for s in found]


@api.get("/provider/submissions/{submission_id}", response={200: SubmissionOut, **ERRORS}, tags=TAGS)
def provider_submission(request: HttpRequest, submission_id: int) -> dict[str, Any]:
    """One submission with its evaluation's progress; 404 for another organization's, as for an unknown id."""
    return _submission_out(_found(providers.submission_of, request, submission_id))


@api.post("/provider/sessions/{session_id}/dispute", response={201: DisputeOut, 409: Problem, **ERRORS}, tags=TAGS)
def dispute_session(request: HttpRequest, session_id: int, body: DisputeIn) -> Status[dict[str, Any]]:
    """Dispute the decision on one of your sessions: it goes to the reviewers' queue. 409 when it is designated,
    not decided yet, waiting for review or already disputed; 422 naming `reason` when none is given."""
    _found(providers.session_of, request, session_id)
    try:
        found = providers.dispute(request.auth, session_id, body.reason)
    except disputes.DisputeInvalid as error:
        raise InvalidField(error.field, str(error)) from None
    except disputes.DisputeConflict as error:
        raise HttpError(409, str(error)) from None
    return Status(201, _dispute_out(found))


@api.get("/provider/disputes", response={200: list[DisputeOut], **ERRORS}, tags=TAGS)
def provider_disputes(request: HttpRequest, paging: Query[Paging]) -> list[dict[str, Any]]:
    """Your organization's disputes, newest first, with the outcome and the reviewer's note once settled."""
    found = providers.disputes_of(request.auth)[paging.offset : paging.offset + paging.limit]
    return [_dispute_out(d) for d in found]


@api.post("/provider/publish", response={200: PublishOut, **ERRORS}, tags=TAGS)
def publish(request: HttpRequest, body: PublishIn) -> dict[str, Any]:
    """Publish sessions to the catalogue; those that do not qualify now are refused with the reason."""
    try:
        outcome = providers.publish(request.auth, body.sessions)
    except LookupError as error:
        raise HttpError(404, str(error)) from None
    return {
        "published": [s.pk for s in outcome.published],
        "already": [s.pk for s in outcome.already],
        "refused": [{"session": s.pk, "reason": reason} for s, reason in outcome.refused],
    }


@api.get("/provider/credit-form.csv", response={200: None, **ERRORS}, tags=TAGS)
def credit_form_csv(request: HttpRequest, query: Query[CreditFormQuery]) -> HttpResponse:
    """The credit form as CSV: each session with its minutes, credit hours, decision and category."""
    text = _found(providers.credit_form_csv, request, query.submission)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="credit-form.csv"'
    return response


@api.get("/provider/credit-form.pdf", response={200: None, **ERRORS}, tags=TAGS)
def credit_form_pdf(request: HttpRequest, query: Query[CreditFormQuery]) -> HttpResponse:
    """The credit form as PDF."""
    pdf = _found(providers.credit_form_pdf, request, query.submission)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="credit-form.pdf"'
    return response


@api.post("/provider/sessions/{session_id}/roster", response={200: RosterOut, **ERRORS}, tags=TAGS)
def roster(request: HttpRequest, session_id: int, file: File[UploadedFile]) -> dict[str, Any]:
    """An attendance roster (multipart `file`, an `email` column): each attendee gets a record linked to the
    session; 422 naming `file` when it cannot be read or has no email column."""
    _found(providers.session_of, request, session_id)
    try:
        rows = load_upload(file.name or "", file.read())
        report = providers.record_roster(request.auth, session_id, rows, file.name or "")
    except ValueError as error:
        raise InvalidField("file", str(error)) from None
    return {
        "file": report.file_name,
        "rows": report.rows,
        "added": report.added,
        "already_present": report.already_present,
        "rejected": [{"where": r.where, "reason": r.reason} for r in report.rejected],
    }


@api.post("/sessions/{session_id}/uphold", response={201: DecisionOut, 409: Problem, **ERRORS}, tags=["sessions"])
def uphold(request: HttpRequest, session_id: int, body: UpholdIn) -> Status[dict[str, Any]]:
    """Reviewers and staff: uphold the disputed decision (a reviewed decision equal to it, with the note); the
    dispute is settled as upheld. 409 when the session has no open dispute. To change the decision instead,
    `POST /api/sessions/{id}/review`: it settles the dispute as changed."""
    try:
        session, _applying = reviews.session_for_review(request.auth, session_id)
    except LookupError as error:
        raise HttpError(404, str(error)) from None
    dispute = disputes.open_dispute(session)
    if dispute is None:
        raise HttpError(409, "the session has no open dispute")
    old = dispute.disputed
    try:
        decision = reviews.review(
            request.auth, session, old.verdict, old.category, old.subject_area, old.topic, body.note
        )
    except reviews.ReviewConflict as error:
        raise HttpError(409, str(error)) from None
    return Status(201, decision_out(decision))


def _found(lookup: Any, request: HttpRequest, *args: Any) -> Any:
    try:
        return lookup(request.auth, *args)
    except LookupError as error:
        raise Http404(str(error)) from None


def _session_out(s: Any) -> dict[str, Any]:
    return {
        **session_fields(s),
        "submission": s.submission_id,
        "decision": decision_out(s.applying) if s.applying else None,
        "credit_hours": s.hours,
        "published_at": s.published_at,
        "in_catalogue": s.submission_id is None or s.published_at is not None,
        "disputed": bool(getattr(s, "disputed", False)),
    }


def _submission_out(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "organization": s.organization.name,
        "file_name": s.file_name,
        "submitted_by": s.submitted_by.email,
        "submitted_at": s.submitted_at,
        "status": s.status,
        "rows": s.rows,
        "added": s.added,
        "already_present": s.already_present,
        "rejected": s.rejected,
        "to_evaluate": s.to_evaluate,
        "evaluated": s.evaluated,
        "finished_at": s.finished_at,
    }


def _dispute_out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "session": d.session_id,
        "title": d.session.title,
        "reason": d.reason,
        "raised_by": d.raised_by.email,
        "raised_at": d.raised_at,
        "status": d.status,
        "disputed": decision_out(d.disputed),
        "outcome": decision_out(d.outcome) if d.outcome else None,
        "settled_by": d.settled_by.email if d.settled_by else None,
        "settled_at": d.settled_at,
        "note": d.note,
    }
