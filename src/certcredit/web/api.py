"""The REST API under ``/api/`` (django-ninja), OpenAPI at ``/api/openapi.json``.

Authentication: a personal token (``Authorization: Bearer cc_…``) or the web session (with CSRF on unsafe
methods). Every error is JSON with a ``message``; never an HTML page or a traceback (SPEC.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import AfterValidator, BaseModel, ConfigDict

from certcredit import __version__
from certcredit.services import audits, clrm, decisions, queries, reviews, tokens
from certcredit.services.access import Forbidden
from certcredit.services.people import UnknownPerson
from certcredit.services.records import RecordConflict, RowInvalid, set_activity
from certcredit.web import busy

if TYPE_CHECKING:
    from certcredit.store.accounts.models import Person

log = logging.getLogger("certcredit.api")


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        person = tokens.person_for_token(token)
        if person is not None:
            request.user = person
        return person


class SessionWithCsrf(SessionAuth):
    """The web session; unsafe methods need the CSRF token. Without a session cookie there is nothing to forge,
    so the request is simply unauthenticated (401), not a CSRF failure."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


api = NinjaAPI(
    title="certcredit API",
    version=__version__,
    description="Sessions, records and audits of credit-based certification programs.",
    auth=[BearerToken(), SessionWithCsrf()],
    urls_namespace="api",
)


class Problem(Schema):
    message: str


class FieldProblem(Schema):
    """A 422: ``field`` names the parameter or key at fault (``limit``, ``offset``, ``program``, ``as_of``,
    ``specialty``; a body's ``name``, a review's ``verdict``, ``category``, ``subject_area``, ``topic``, ``note``;
    ``body`` when the body is not a JSON object); a parameter the schema refuses (missing, not a number, out of
    bounds) also gives each problem in ``errors`` (``loc``, ``msg``, ``type``)."""

    message: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


def _no_nul(text: str) -> str:
    """Text the store can keep on both databases: PostgreSQL refuses the NUL character."""
    if "\x00" in text:
        raise ValueError("must not contain the NUL character")
    return text


#: text from a request: no NUL character (refused by PostgreSQL, so refused on SQLite too)
Text = Annotated[str, AfterValidator(_no_nul)]
#: the highest ``offset`` a page may start at (far beyond any catalogue; keeps the SQL within 64-bit integers)
MAX_OFFSET = 1_000_000_000


class Body(BaseModel):
    """A request body: a JSON object (pydantic's own model, so a list or a string is refused with a 422 rather
    than read attribute by attribute, as ninja's ``Schema`` would)."""

    model_config = ConfigDict(extra="ignore")


class Health(Schema):
    status: str
    version: str
    database: str


class Me(Schema):
    email: str
    name: str
    roles: list[str]


class RecordOut(Schema):
    id: int
    external_id: str
    date: dt.date
    title: str
    description: str
    minutes: int
    format: str
    category: str | None
    subject_area: str | None
    topic: str | None
    venue: str | None
    provider: str
    source: str
    has_evidence: bool
    #: a program's own activity kind (PMI's giving_back), or null; added after the first release, so optional
    activity: str | None = None


class RecordChange(Body):
    """The fields of a record the API may change: its activity (null or "" clears it)."""

    activity: Annotated[Text, Field(max_length=200)] | None


class RecordPage(Schema):
    person: str
    count: int
    items: list[RecordOut]


class DecisionOut(Schema):
    """A decision on a session: ``kind`` says who took it (designated, evaluated, reviewed); ``decided_by`` is an
    e-mail, or null for the evaluator run from the command line."""

    id: int
    kind: str
    verdict: str | None
    category: str | None
    subject_area: str | None
    topic: str | None
    confidence: float | None
    analysis: str
    decided_by: str | None
    decided_at: dt.datetime


class SessionOut(Schema):
    id: int
    title: str
    description: str
    date: dt.date | None
    minutes: int | None
    time: str
    format: str
    provider: str | None
    category: str | None
    subject_area: str | None
    topic: str | None
    venue: str | None
    #: the decision that applies now (designated > reviewed > evaluated), or null; added later, so optional
    decision: DecisionOut | None = None


class SessionPage(Schema):
    count: int
    items: list[SessionOut]


class ReviewIn(Body):
    """A reviewer's decision, as the web form takes it: ``category`` is required when it qualifies (a rule across
    keys, so a 422 naming ``category`` rather than part of the schema)."""

    verdict: Literal["qualifies", "does_not_qualify"] = Field(..., description="qualifies or does_not_qualify")
    category: Literal[
        "", "writing", "communication", "self_management", "information_technology", "organizational_development"
    ] = Field("", description="the Management Category; required when it qualifies, else empty")
    subject_area: Literal["", "HR", "FM", "OM", "LI", "CM"] = Field("", description="may be empty")
    topic: Literal["", "business_ethics", "substance_abuse"] = Field("", description="may be empty")
    note: Annotated[Text, Field(max_length=reviews.NOTE_LIMIT)] = Field(
        "", description="why; kept with the decision (its analysis) and in the history"
    )


class TokenIn(Body):
    name: Annotated[Text, Field(min_length=1, max_length=100)] = "api"


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    token: str


class ProgressQuery(Schema):
    program: Text = Field(..., description="a record program's id, e.g. clm-application (not clrm)")
    as_of: Text = Field(..., description="the application date, or the cycle's end for recertification (YYYY-MM-DD)")
    specialty: Text | None = Field(None, description="the functional specialist's subject area (HR, FM, OM, LI)")
    person: Text | None = Field(None, description="another person's e-mail (staff); default: yourself")
    cycle_start: Text | None = Field(
        None, description="the day a first cycle began (programs with a first-cycle rule), YYYY-MM-DD"
    )


class _Open(Schema):
    """Keys beyond the declared ones (a nested program's ``within``, ``max_hours``, ``limit``, ``per_year``,
    ``carry_over``, ``unit``, ``grace``; a capped allocation's ``record_hours`` and ``capped_by``; an unused
    record's ``capped_by`` and ``carry_over``) pass through as the CLI prints them."""

    model_config = ConfigDict(extra="allow")


class RequirementLine(_Open):
    id: str
    required_hours: float
    counted_hours: float
    met: bool
    hours_needed: float


class AllocationLine(_Open):
    record: str
    requirement: str
    hours: float


class UnusedLine(_Open):
    record: str
    reason: str


class Window(Schema):
    from_: dt.date = Field(..., alias="from")
    from_inclusive: bool
    to: dt.date


class LeavingLine(Schema):
    record: str
    date: dt.date
    last_day: dt.date
    hours: float


class ProgressAgeingOut(Schema):
    """What the coming days take out of a rolling window: the records leaving it and the standing then."""

    until: dt.date
    leaving: list[LeavingLine]
    complete_then: bool
    hours_needed_then: float
    incomplete_from: dt.date | None


class ProgressDeadline(Schema):
    """A cycle's end and the pace needed to reach it."""

    today: dt.date
    cycle_end: dt.date
    days_left: int
    months_left: float
    hours_needed: float
    hours_needed_per_month: float | None
    counted_so_far: float
    pace_hours_per_month: float | None
    on_pace: bool


class ProgressOutlook(Schema):
    """``ageing_out`` for a rolling window (the application), ``deadline`` for a cycle; the other is null."""

    ageing_out: ProgressAgeingOut | None
    deadline: ProgressDeadline | None


class ProgressOut(_Open):
    """The object ``certcredit audit --format json`` prints (SPEC.md's audit object, the CLI's extras, outlook)."""

    program: str
    as_of: dt.date
    rules_version: str
    complete: bool
    hours_needed: float
    apply_by: dt.date | None
    requirements: list[RequirementLine]
    allocations: list[AllocationLine]
    unused: list[UnusedLine]
    rejected: list[dict[str, Any]]
    specialty: str | None
    window: Window
    outlook: ProgressOutlook


class Paging(Schema):
    limit: int = Field(100, ge=1, le=1000, description="items on the page, 1 to 1000")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="items to skip, 0 to 1,000,000,000")


#: the errors any endpoint may answer, each JSON with a ``message`` (a 422 also with ``field``): docs/api.md
ERRORS: dict[int, type[Schema]] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    413: Problem,
    422: FieldProblem,
}


@api.get("/health", auth=None, response=Health, tags=["service"])
def health(request: HttpRequest) -> dict[str, str]:  # noqa: ARG001 (the framework's signature)
    """Open: for load balancers and `make run` checks."""
    return {"status": "ok", "version": __version__, "database": connection.vendor}


@api.get("/me", response={200: Me, **ERRORS}, tags=["people"])
def me(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person and their roles."""
    person: Person = request.auth
    return {"email": person.email, "name": person.name, "roles": person.roles}


@api.get("/records", response={200: RecordPage, **ERRORS}, tags=["records"])
def records(request: HttpRequest, paging: Query[Paging], person: Text | None = None) -> dict[str, Any]:
    """The signed-in person's records; staff may ask for another person's with ``?person=email``."""
    owner, found = queries.records_of(request.auth, person)
    limit, offset = _window(paging)
    items = [record_out(r) for r in found[offset : offset + limit]]
    return {"person": owner.email, "count": found.count(), "items": items}


@api.patch("/records/{record_id}", response={200: RecordOut, 409: Problem, **ERRORS}, tags=["records"])
def change_record(request: HttpRequest, record_id: int, body: RecordChange) -> dict[str, Any]:
    """Set a record's ``activity`` (``"Giving Back"`` is kept as ``giving_back``); the owner or staff may.

    Another person's record is "not found", as an unknown id is; a malformed activity is 422 and one that would
    make the record the same as another of the person's is 409, each with a message."""
    try:
        record = queries.record_of(request.auth, record_id)
    except LookupError as error:
        raise HttpError(404, str(error)) from None
    try:
        record = set_activity(request.auth, record, body.activity)
    except RowInvalid as error:
        raise HttpError(422, str(error)) from None
    except RecordConflict as error:
        raise HttpError(409, str(error)) from None
    return record_out(record)


@api.get("/progress", response={200: ProgressOut, **ERRORS}, by_alias=True, tags=["records"])
def progress(request: HttpRequest, query: Query[ProgressQuery]) -> HttpResponse:
    """The audit of a person's stored records: the object `certcredit audit --format json` prints for them.

    Its keys are SPEC.md's audit object (`program`, `as_of`, `rules_version`, `complete`, `hours_needed`,
    `apply_by`, `requirements`, `allocations`, `unused`, `rejected`) with the CLI's extras (`specialty`,
    `window`, a nested program's `carry_over`, `unit`, `grace` and per-requirement lines) and `outlook` (what
    ages out soon, or the cycle's deadline), counted from the server's today. Record ids are those the export
    writes. Left out, as tied to the command line: `what_if` (the CLI's `--with` files) and `--today`;
    `rejected` is always empty, as the store keeps only readable records.

    Your own records, or (staff) another person's with `person=email`; a person you may not see is 404, as
    a missing one is. A bad program, date or specialty is 422 with a `message` and the `field` at fault.
    """
    person = queries.person_seen_by(request.auth, query.person)
    try:
        as_of = audits.parse_as_of(query.as_of)
        start = None
        if query.cycle_start:
            try:
                start = audits.parse_as_of(query.cycle_start)
            except audits.ProgressInvalid as error:
                raise audits.ProgressInvalid("cycle_start", str(error).replace("as-of date", "date")) from None
        body = audits.progress_json(
            request.auth, person, query.program, as_of, query.specialty or None, cycle_start=start
        )
    except audits.ProgressInvalid as error:
        raise InvalidField(error.field, str(error)) from None
    # Sent as it is, JSON kept with the cached audit: validating through ProgressOut would drop the keys only some
    # programs have (ninja reads a response by attributes, so extra keys are not seen); the schema documents it,
    # tests check it fits.
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@api.get("/sessions", response={200: SessionPage, **ERRORS}, tags=["sessions"])
def sessions(request: HttpRequest, paging: Query[Paging], search: Text = "") -> dict[str, Any]:
    """The session catalogue, newest first, optionally searched by title or description."""
    found = queries.sessions(request.auth, search)
    limit, offset = _window(paging)
    shown = decisions.attach_applying(found[offset : offset + limit])
    return {"count": found.count(), "items": [_session_out(s) for s in shown]}


@api.get("/review", response={200: SessionPage, **ERRORS}, tags=["sessions"])
def review_queue(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """The review queue (reviewers and staff; 403 for anyone else): sessions whose applying decision is
    `needs_review`, the longest waiting first, each with that decision (the evaluator's analysis, confidence)."""
    waiting = reviews.queue(request.auth)
    limit, offset = _window(paging)
    shown = decisions.attach_applying(waiting[offset : offset + limit])
    return {"count": waiting.count(), "items": [_session_out(s) for s in shown]}


@api.post(
    "/sessions/{session_id}/review",
    response={201: DecisionOut, 409: Problem, **ERRORS},
    tags=["sessions"],
)
def review_session(request: HttpRequest, session_id: int, body: ReviewIn) -> Status[dict[str, Any]]:
    """Review a session (reviewers and staff; 403 for anyone else): the reviewed decision replaces the
    evaluator's, so the session leaves the queue. 404 for an unknown session; 422 with `message` and `field` for
    a bad verdict, a missing or unknown category, area or topic; 409 for a designated session (a designation
    is never overridden)."""
    try:
        session, _applying = reviews.session_for_review(request.auth, session_id)
    except LookupError as error:
        raise HttpError(404, str(error)) from None
    try:
        decision = reviews.review(
            request.auth, session, body.verdict, body.category, body.subject_area, body.topic, body.note
        )
    except reviews.ReviewInvalid as error:
        raise InvalidField(error.field, str(error)) from None
    except reviews.ReviewConflict as error:
        raise HttpError(409, str(error)) from None
    return Status(201, _decision_out(decision))


@api.post("/tokens", response={201: TokenOut, **ERRORS}, tags=["people"])
def create_token(request: HttpRequest, body: TokenIn) -> Status[dict[str, Any]]:
    """A new personal API token for the signed-in person; the token is shown in this response only."""
    token, plain = tokens.create_token(request.auth, body.name)
    return Status(201, {"id": token.pk, "name": token.name, "prefix": token.prefix, "token": plain})


class ClrmCandidateOut(Schema):
    id: int
    email: str
    name: str


class ClrmEventOut(Schema):
    """A stored CLRM event: ``id`` is the one the timeline's ``audit`` (and the CLI's) uses for it."""

    id: str
    date: dt.date
    type: str
    academy: str | None
    paper_type: str | None
    arbitrators: list[str]
    recorded_by: str | None
    recorded_at: dt.datetime
    source: str


class ClrmTimelineOut(Schema):
    """A candidate's timeline: ``audit`` is the object `certcredit audit EVENTS --program clrm --format json`
    prints for the stored events (`status`, `completion_date`, `paper_deadline`, `paper_days_left`,
    `next_steps`, `next_steps_list`, the dates of each step, `warnings`)."""

    candidate: ClrmCandidateOut
    audit: dict[str, Any]
    events: list[ClrmEventOut]


class ClrmCandidatesOut(Schema):
    count: int
    items: list[ClrmTimelineOut]


class ClrmQuery(Schema):
    as_of: Annotated[Text, Field(max_length=30)] | None = Field(
        None, description="the day to judge on (YYYY-MM-DD); default: today"
    )


class ClrmListQuery(ClrmQuery):
    status: Literal[
        "", "academies_incomplete", "paper_due", "retake_required", "under_review", "revision_requested", "certified"
    ] = Field("", description="only candidates with this status; empty: all")
    sort: Literal["deadline", "name"] = Field("deadline", description="deadline (soonest first, none last) or name")


class ClrmEventIn(Body):
    """A CLRM event to record (staff): read by the same rules as an events file (docs/clrm.md, "Events")."""

    person: Annotated[Text, Field(min_length=1, max_length=254)] = Field(
        ..., description="the candidate's e-mail (enrolled if not yet a candidate)"
    )
    type: Literal[
        "academy_completed",
        "arbitrator_approved",
        "orientation_attended",
        "paper_submitted",
        "revision_requested",
        "paper_accepted",
    ] = Field(..., description="the kind of event")
    date: Annotated[Text, Field(max_length=30)] = Field(..., description="YYYY-MM-DD")
    academy: Literal["", "foundation", "negotiations", "arbitration"] = Field(
        "", description="the core academy (academy_completed only, where it is required)"
    )
    paper_type: Literal["", "grievance", "interest"] = Field("", description="paper_submitted only; may be empty")
    arbitrators: Annotated[Text, Field(max_length=500)] = Field(
        "", description="names separated by ';' (arbitrator_approved only); may be empty"
    )
    note: Annotated[Text, Field(max_length=300)] = Field("", description="kept with the event")


@api.get("/clrm/me", response={200: ClrmTimelineOut, **ERRORS}, tags=["clrm"])
def clrm_me(request: HttpRequest, query: Query[ClrmQuery]) -> dict[str, Any]:
    """The signed-in person's own CLRM timeline; 404 if they are not a candidate."""
    candidate = clrm.own_candidacy(request.auth)
    if candidate is None:
        raise HttpError(404, "you are not a CLRM candidate")
    return _timeline_out(clrm.timeline(request.auth, candidate, _clrm_as_of(query.as_of)))


@api.get("/clrm/candidates", response={200: ClrmCandidatesOut, **ERRORS}, tags=["clrm"])
def clrm_candidates(request: HttpRequest, query: Query[ClrmListQuery]) -> dict[str, Any]:
    """Every CLRM candidate's timeline (staff; 404 for anyone else, as the page), filtered by `status` and sorted
    by `sort` (`deadline`: soonest first, none last; or `name`). 422 with `field` for an unknown status or sort."""
    try:
        found = clrm.candidates(request.auth, _clrm_as_of(query.as_of), query.status, query.sort)
    except Forbidden:
        raise HttpError(404, "not found") from None
    except clrm.EventInvalid as error:
        raise InvalidField(error.field, str(error)) from None
    return {"count": len(found), "items": [_timeline_out(t) for t in found]}


@api.get("/clrm/candidates/{candidate_id}", response={200: ClrmTimelineOut, **ERRORS}, tags=["clrm"])
def clrm_candidate(request: HttpRequest, candidate_id: int, query: Query[ClrmQuery]) -> dict[str, Any]:
    """One candidate's timeline: the candidate themselves or staff; anyone else gets 404, as for an unknown id."""
    try:
        candidate = clrm.candidate_seen_by(request.auth, candidate_id)
    except clrm.NotFound as error:
        raise HttpError(404, str(error)) from None
    return _timeline_out(clrm.timeline(request.auth, candidate, _clrm_as_of(query.as_of)))


@api.post("/clrm/events", response={201: ClrmEventOut, 409: Problem, **ERRORS}, tags=["clrm"])
def clrm_record_event(request: HttpRequest, body: ClrmEventIn) -> Status[dict[str, Any]]:
    """Record a CLRM event for a person (staff; 403 for anyone else), kept in the history with who and when.

    404 for an unknown e-mail; 422 with `message` and `field` for an event the rules cannot read (an unknown
    type or academy, a date that is not a day); 409 when the person already has that event on that day."""
    clrm.check_staff(request.auth)
    person = queries.person_seen_by(request.auth, body.person)
    try:
        event = clrm.record_event(
            request.auth, person, body.type, body.date, academy=body.academy, paper_type=body.paper_type,
            arbitrators=body.arbitrators, note=body.note,
        )  # fmt: skip
    except clrm.EventInvalid as error:
        raise InvalidField(error.field, str(error)) from None
    except clrm.EventConflict as error:
        raise HttpError(409, str(error)) from None
    return Status(201, _clrm_event_out(event))


def _clrm_as_of(text: str | None) -> dt.date:
    if text is None or not text.strip():
        return clrm.today()
    try:
        return audits.parse_as_of(text)
    except audits.ProgressInvalid as error:
        raise InvalidField(error.field, str(error)) from None


def _timeline_out(t: clrm.Timeline) -> dict[str, Any]:
    person = t.candidate.person
    return {
        "candidate": {"id": t.candidate.pk, "email": person.email, "name": person.name},
        "audit": t.audit,
        "events": [_clrm_event_out(e) for e in t.events],
    }


def _clrm_event_out(e: Any) -> dict[str, Any]:
    return {
        "id": f"e{e.pk}",
        "date": e.date,
        "type": e.type,
        "academy": e.academy or None,
        "paper_type": e.paper_type or None,
        "arbitrators": [name.strip() for name in e.arbitrators.split(";") if name.strip()],
        "recorded_by": e.recorded_by.email if e.recorded_by else None,
        "recorded_at": e.recorded_at,
        "source": f"{e.source_file}, {e.source_line}" if e.source_file else "",
    }


def _window(paging: Paging) -> tuple[int, int]:
    """The page's bounds, checked by the schema (``Paging``) before a view runs."""
    return paging.limit, paging.offset


def record_out(r: Any) -> dict[str, Any]:
    """A stored record as ``RecordOut`` (the records endpoints here and in ``member_api``)."""
    return {
        "id": r.pk,
        "external_id": r.external_id,
        "date": r.date,
        "title": r.title,
        "description": r.description,
        "minutes": r.minutes,
        "format": r.format,
        "category": r.category or None,
        "subject_area": r.subject_area or None,
        "topic": r.topic or None,
        "venue": r.venue or None,
        "provider": r.provider,
        "source": f"{r.source_file}, {r.source_line}" if r.source_file else "",
        "has_evidence": bool(r.evidence),
        "activity": r.activity or None,
    }


def session_fields(s: Any) -> dict[str, Any]:
    """What every API shows of a session (the catalogue's ``SessionOut``, the provider's sessions)."""
    return {
        "id": s.pk,
        "title": s.title,
        "description": s.description,
        "date": s.date,
        "minutes": s.minutes,
        "time": s.time_text,
        "format": s.format,
    }


def _session_out(s: Any) -> dict[str, Any]:
    return {
        **session_fields(s),
        "provider": s.provider.name if s.provider else None,
        "category": s.category or None,
        "subject_area": s.subject_area or None,
        "topic": s.topic or None,
        "venue": s.venue or None,
        "decision": _decision_out(s.applying) if getattr(s, "applying", None) else None,
    }


def _decision_out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "kind": d.kind,
        "verdict": d.verdict or None,
        "category": d.category or None,
        "subject_area": d.subject_area or None,
        "topic": d.topic or None,
        "confidence": d.confidence,
        "analysis": d.analysis,
        "decided_by": d.decided_by.email if d.decided_by else None,
        "decided_at": d.decided_at,
    }


#: the decision as every endpoint shows it (the provider's endpoints too)
decision_out = _decision_out


class InvalidField(HttpError):
    """A 422 whose body also names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(422, message)
        self.field = field


def _problem(request: HttpRequest, status: int, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"message": message, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:  # noqa: ARG001 (the framework's signature)
    return _problem(request, 401, "sign in, or send 'Authorization: Bearer <token>'")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """The schema refused the request: the first problem in words, the key it is about, and all of them."""
    errors = [_plain_error(e) for e in exc.errors]
    first = errors[0] if errors else {"loc": [], "msg": "not valid", "type": "value_error"}
    field = _field_of(first["loc"])
    if first["type"] == "missing":
        message = f"{field} is required"
    elif first["type"] == "model_type":
        message = f"{field}: the body must be a JSON object" if field != "body" else "the body must be a JSON object"
    else:
        message = f"{field}: {first['msg']}" if field else str(first["msg"])
    return _problem(request, 422, message, field=field, errors=errors)


def _plain_error(error: dict[str, Any]) -> dict[str, Any]:
    """One of pydantic's errors as JSON can carry it: ``loc``, ``msg``, ``type`` (its ``input`` and ``ctx`` may hold
    anything the client sent, even objects JSON cannot write)."""
    return {
        "loc": [p if isinstance(p, int) else str(p) for p in error.get("loc", ())],
        "msg": str(error.get("msg", "not valid")).removeprefix("Value error, "),
        "type": str(error.get("type", "value_error")),
    }


def _field_of(loc: Sequence[Any]) -> str | None:
    """``["query", "as_of"]`` -> ``as_of``; ``["body", "body", "name"]`` -> ``name``; a body that is no object:
    ``body``."""
    names = [str(p) for p in loc[1:] if not isinstance(p, int)]
    if loc and loc[0] == "body" and names[:1] == ["body"] and len(names) > 1:
        names = names[1:]
    return ".".join(names) or (str(loc[0]) if loc else None)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:  # noqa: ARG001 (the framework's signature)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _problem(request, 413, f"the request body is over the limit of {limit:,} bytes")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, InvalidField):
        return _problem(request, exc.status_code, str(exc), field=exc.field)
    return _problem(request, exc.status_code, str(exc))


@api.exception_handler(Forbidden)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _problem(request, 403, str(exc))


@api.exception_handler(UnknownPerson)
def _unknown_person(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _problem(request, 404, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:  # noqa: ARG001 (the framework's signature)
    return _problem(request, 404, "not found")


@api.exception_handler(DatabaseError)
def _database_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A busy database (``web.busy``) is 503 with ``Retry-After``; any other database error is a 500."""
    if not busy.is_busy(exc):
        return _server_error(request, exc)
    response = _problem(request, 503, busy.MESSAGE)
    response["Retry-After"] = str(busy.RETRY_AFTER)
    return response


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:  # noqa: ARG001 (the framework's signature)
    log.exception("API error on %s %s", request.method, request.path)
    return _problem(request, 500, "internal error; it has been logged")
