"""The credential endpoints of the REST API (registered on ``certcredit.web.api.api`` by ``web.urls``).

The same permissions as the web pages: a member sees only their own applications and credentials (another's is
404, as a missing one); staff see all and decide, record exam passes and revoke. ``GET /api/verification/{code}``
needs no sign-in and answers what ``/verify/<code>`` shows.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema

from certcredit.services import credentials as creds
from certcredit.services import documents
from certcredit.services.reminders import send_application_outcome
from certcredit.web.api import ERRORS, FieldProblem, InvalidField, Problem, api

if TYPE_CHECKING:
    from certcredit.store.credentials.models import Application, Credential

TAGS = ["credentials"]


class CredentialOut(Schema):
    id: int
    person: str
    family: str
    status: str
    state: str
    days_left: int | None
    exam_passed_on: dt.date | None
    certified_on: dt.date | None
    anniversary: dt.date | None
    cycle: int
    valid_until: dt.date | None
    verification_code: str
    documents: list[str]


class ApplicationOut(Schema):
    id: int
    person: str
    credential: int
    kind: str
    program: str
    specialty: str
    as_of: dt.date
    submitted_on: dt.date
    status: str
    reason: str
    decided_by: str | None
    decided_at: dt.datetime | None
    attestations: dict[str, Any]
    audit: dict[str, Any]
    records: list[dict[str, Any]]


class ApplicationIn(Schema):
    kind: str
    specialty: str | None = None
    attestations: dict[str, Any]


class DecisionIn(Schema):
    approve: bool
    reason: str = ""


class ExamPassIn(Schema):
    passed_on: dt.date


class RevokeIn(Schema):
    reason: str


class VerificationOut(Schema):
    holder: str
    credential: str
    since: dt.date | None
    valid_until: dt.date | None
    state: str
    events: list[tuple[dt.date, str]]


def _credential_out(c: Credential) -> dict[str, Any]:
    now = creds.standing(c)
    return {
        "id": c.pk, "person": c.person.email, "family": c.family, "status": c.status, "state": now.state,
        "days_left": now.days_left, "exam_passed_on": c.exam_passed_on, "certified_on": c.certified_on,
        "anniversary": c.anniversary, "cycle": c.cycle, "valid_until": c.valid_until,
        "verification_code": c.code, "documents": documents.available(c),
    }  # fmt: skip


def _application_out(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk, "person": a.person.email, "credential": a.credential_id, "kind": a.kind, "program": a.program,
        "specialty": a.specialty, "as_of": a.as_of, "submitted_on": a.submitted_on, "status": a.status,
        "reason": a.reason, "decided_by": a.decided_by.email if a.decided_by else None, "decided_at": a.decided_at,
        "attestations": a.attestations, "audit": a.audit, "records": a.records,
    }  # fmt: skip


def _credential(request: HttpRequest, credential_id: int) -> Credential:
    try:
        return creds.credential_of(request.auth, credential_id)
    except LookupError:
        raise Http404 from None


def _application(request: HttpRequest, application_id: int) -> Application:
    try:
        return creds.application_of(request.auth, application_id)
    except LookupError:
        raise Http404 from None


def _invalid(error: creds.CredentialInvalid) -> InvalidField:
    return InvalidField(error.field or "", str(error))


@api.get("/credentials", response={200: list[CredentialOut], **ERRORS}, tags=TAGS)
def list_credentials(request: HttpRequest) -> list[dict[str, Any]]:
    """Your credentials (staff: everyone's), with the state now and the documents available."""
    return [_credential_out(c) for c in creds.visible_credentials(request.auth).order_by("id")[:500]]


@api.get("/credentials/{credential_id}", response={200: CredentialOut, **ERRORS}, tags=TAGS)
def get_credential(request: HttpRequest, credential_id: int) -> dict[str, Any]:
    return _credential_out(_credential(request, credential_id))


@api.get("/credentials/{credential_id}/documents/{kind}", response={200: None, **ERRORS, 409: Problem}, tags=TAGS)
def get_document(request: HttpRequest, credential_id: int, kind: str) -> HttpResponse:
    """A document as PDF: `certificate`, `eligibility-letter`, `recertification` or `transcript` (current cycle).
    409 when the credential's state does not support it now."""
    credential = _credential(request, credential_id)
    try:
        name, pdf = documents.render(request.auth, credential, kind, request.build_absolute_uri("/"))
    except documents.DocumentUnavailable as error:
        return api.create_response(request, {"message": str(error)}, status=409)
    except LookupError:
        raise Http404 from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@api.post(
    "/credentials/{credential_id}/exam-pass", response={200: CredentialOut, **ERRORS, 422: FieldProblem}, tags=TAGS
)
def exam_pass(request: HttpRequest, credential_id: int, body: ExamPassIn) -> dict[str, Any]:
    """Staff: record the exam pass; the credential is certified with its anniversary and first cycle's end."""
    credential = _credential(request, credential_id)
    try:
        creds.record_exam_pass(request.auth, credential, body.passed_on)
    except creds.CredentialInvalid as error:
        raise _invalid(error) from None
    credential.refresh_from_db()
    return _credential_out(credential)


@api.post("/credentials/{credential_id}/revoke", response={200: CredentialOut, **ERRORS, 422: FieldProblem}, tags=TAGS)
def revoke(request: HttpRequest, credential_id: int, body: RevokeIn) -> dict[str, Any]:
    """Staff: revoke with a reason (kept in the history, not shown to verifiers)."""
    credential = _credential(request, credential_id)
    try:
        creds.revoke(request.auth, credential, body.reason)
    except creds.CredentialInvalid as error:
        raise _invalid(error) from None
    credential.refresh_from_db()
    return _credential_out(credential)


@api.get("/applications", response={200: list[ApplicationOut], **ERRORS}, tags=TAGS)
def list_applications(request: HttpRequest) -> list[dict[str, Any]]:
    """Your applications and their outcomes (staff: everyone's), newest first."""
    return [_application_out(a) for a in creds.visible_applications(request.auth)[:500]]


@api.post("/applications", response={201: ApplicationOut, **ERRORS, 422: FieldProblem}, tags=TAGS)
def create_application(request: HttpRequest, body: ApplicationIn) -> HttpResponse:
    """Apply (`exam`, `specialist` or `recertification`) with the attestations; the audit is taken now and
    frozen. 422 names the field at fault, or says why the rules refuse (an incomplete audit, a late
    recertification)."""
    try:
        made = creds.apply(request.auth, request.auth, body.kind, body.attestations, body.specialty)
    except creds.CredentialInvalid as error:
        raise _invalid(error) from None
    return api.create_response(request, ApplicationOut(**_application_out(made)).model_dump(mode="json"), status=201)


@api.get("/applications/{application_id}", response={200: ApplicationOut, **ERRORS}, tags=TAGS)
def get_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    return _application_out(_application(request, application_id))


@api.post(
    "/applications/{application_id}/decision", response={200: ApplicationOut, **ERRORS, 422: FieldProblem}, tags=TAGS
)
def decide(request: HttpRequest, application_id: int, body: DecisionIn) -> dict[str, Any]:
    """Staff: approve or deny (a denial needs a `reason`)."""
    application = _application(request, application_id)
    try:
        creds.decide(request.auth, application, body.approve, body.reason)
    except creds.CredentialInvalid as error:
        raise _invalid(error) from None
    send_application_outcome.enqueue(application.pk, request.build_absolute_uri("/").rstrip("/"))
    application.refresh_from_db()
    return _application_out(application)


@api.get("/verification/{code}", auth=None, response={200: VerificationOut, 404: Problem}, tags=TAGS)
def verification(request: HttpRequest, code: str) -> dict[str, Any]:  # noqa: ARG001 (the framework's signature)
    """Public: the facts `/verify/<code>` shows. 404 for a code no certified credential has."""
    shown = creds.verification(code)
    if shown is None:
        raise Http404
    return {
        "holder": shown.holder, "credential": shown.credential, "since": shown.since,
        "valid_until": shown.valid_until, "state": shown.state, "events": shown.events,
    }  # fmt: skip
