"""The member's endpoints of the REST API (registered on ``certcredit.web.api.api`` by ``web.urls``): one's own
records added, replaced and deleted (with their history), "I attended" a catalogue session, the what-if and the
plan on one's stored records, and the programs one pursues.

The same services and rules as the pages: a record's fields go through the one record reading (a 422 names the
field at fault), a member touches only their own records (another member's record is 404, as a missing one),
staff may touch anyone's, and every change is in the history with who and when. The what-if and the plan answer
the objects ``certcredit audit --with`` (its ``what_if`` key) and ``certcredit plan --format json`` print.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Schema, Status
from ninja.errors import HttpError

from certcredit.services import audits, progress_view, queries
from certcredit.services import records as record_service
from certcredit.web.api import ERRORS, Body, InvalidField, Problem, RecordOut, Text, api, record_out

TAGS = ["records"]


class RecordIn(Body):
    """A record's fields, as a line of a records file (SPEC.md's keys); read by the same rules as a file's row.
    ``date`` and a duration (``minutes``, else ``time``, a printed range such as "9 – 10:30 A.M.") are needed;
    the rest may be left out (a replaced record's missing fields become blank)."""

    date: Annotated[Text, Field(max_length=40)] | None = Field(None, description="YYYY-MM-DD")
    minutes: int | Annotated[Text, Field(max_length=40)] | None = Field(None, description="whole minutes")
    time: Annotated[Text, Field(max_length=200)] | None = Field(None, description="a printed time range")
    title: Annotated[Text, Field(max_length=1000)] | None = None
    format: Annotated[Text, Field(max_length=40)] | None = Field(
        None, description="in_person (default), live_online, recorded, self_study or teaching"
    )
    category: Annotated[Text, Field(max_length=60)] | None = Field(None, description="a Management Category")
    subject_area: Annotated[Text, Field(max_length=20)] | None = Field(None, description="HR, FM, OM, LI or CM")
    topic: Annotated[Text, Field(max_length=40)] | None = Field(None, description="business_ethics or substance_abuse")
    activity: Annotated[Text, Field(max_length=200)] | None = Field(None, description="e.g. giving_back (PMI)")
    provider: Annotated[Text, Field(max_length=400)] | None = None
    description: Annotated[Text, Field(max_length=20_000)] | None = None


class HistoryOut(Schema):
    """One change of a record: ``action`` is create, change, attend, change activity, attach evidence or delete;
    ``before`` and ``after`` hold the record's fields (``before`` null on creation, ``after`` null on deletion)."""

    at: dt.datetime
    who: str
    action: str
    note: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class WhatIfQuery(Schema):
    program: Text = Field(..., description="a record program's id, e.g. clm-recertification")
    as_of: Text = Field(..., description="the audit's date (YYYY-MM-DD): planned sessions after it do not count")
    sessions: list[int] = Field(..., description="catalogue session ids to plan (repeat the parameter)")
    specialty: Text | None = Field(None, description="the functional specialist's subject area (HR, FM, OM, LI)")
    person: Text | None = Field(None, description="another person's e-mail (staff); default: yourself")
    cycle_start: Text | None = Field(None, description="the day a first cycle began, YYYY-MM-DD")


class PlanQuery(Schema):
    program: Text = Field(..., description="a record program's id")
    by: Text = Field(..., description="complete on or before this date (YYYY-MM-DD); sessions from today to it")
    as_of: Text | None = Field(None, description="the audit's date (YYYY-MM-DD); default: the by date")
    specialty: Text | None = Field(None, description="the functional specialist's subject area (HR, FM, OM, LI)")
    person: Text | None = Field(None, description="another person's e-mail (staff); default: yourself")


class ProgramsIn(Body):
    programs: list[Annotated[Text, Field(max_length=100)]] = Field(
        ..., description="record program ids (certcredit rules list), at least one", max_length=50
    )


class ProgramsOut(Schema):
    """The programs the Progress page offers: ``chosen`` false means the default (``why`` says where it came
    from), not yet a choice of the person's."""

    person: str
    programs: list[str]
    chosen: bool
    why: str


def _fields(body: RecordIn) -> dict[str, object]:
    return body.model_dump()


def _invalid(error: record_service.RecordInvalid) -> InvalidField:
    return InvalidField(error.first_field or "body", str(error))


def _own_record(request: HttpRequest, record_id: int) -> Any:
    try:
        return queries.record_of(request.auth, record_id)
    except LookupError as error:
        raise HttpError(404, str(error)) from None


@api.post("/records", response={201: RecordOut, 409: Problem, **ERRORS}, tags=TAGS)
def add_record(request: HttpRequest, body: RecordIn) -> Status[dict[str, Any]]:
    """Add one record to your own records. 422 with `message` and the `field` at fault (every problem of the
    record in the message, as an import reports a row); 409 when you already have the same record (the same
    date, title, minutes, format and activity)."""
    try:
        record = record_service.create_record(request.auth, request.auth, _fields(body))
    except record_service.RecordInvalid as error:
        raise _invalid(error) from None
    except record_service.RecordConflict as error:
        raise HttpError(409, str(error)) from None
    return Status(201, record_out(record))


@api.put("/records/{record_id}", response={200: RecordOut, 409: Problem, **ERRORS}, tags=TAGS)
def replace_record(request: HttpRequest, record_id: int, body: RecordIn) -> dict[str, Any]:
    """Replace a record's fields (yours; staff: anyone's): fields left out become blank; its evidence, its link
    to a session and its source stay. Another member's record is 404, as an unknown id; 422 and 409 as for
    adding."""
    record = _own_record(request, record_id)
    try:
        record = record_service.update_record(request.auth, record, _fields(body))
    except record_service.RecordInvalid as error:
        raise _invalid(error) from None
    except record_service.RecordConflict as error:
        raise HttpError(409, str(error)) from None
    return record_out(record)


@api.delete("/records/{record_id}", response={204: None, **ERRORS}, tags=TAGS)
def remove_record(request: HttpRequest, record_id: int) -> HttpResponse:
    """Delete a record (yours; staff: anyone's); the history keeps it as it was. Another member's is 404."""
    record_service.delete_record(request.auth, _own_record(request, record_id))
    return HttpResponse(status=204)


@api.get("/records/{record_id}/history", response={200: list[HistoryOut], **ERRORS}, tags=TAGS)
def record_history(request: HttpRequest, record_id: int) -> list[dict[str, Any]]:
    """A record's changes, newest first, with who and when (yours; staff: anyone's)."""
    entries = record_service.record_history(request.auth, _own_record(request, record_id))
    return [
        {"at": e.at, "who": e.actor_label, "action": e.action, "note": e.note, "before": e.before, "after": e.after}
        for e in entries
    ]


@api.post("/sessions/{session_id}/attend", response={201: RecordOut, 409: Problem, **ERRORS}, tags=TAGS)
def attend(request: HttpRequest, session_id: int) -> Status[dict[str, Any]]:
    """ "I attended": add a record linked to the catalogue session (its date, title, length, format, provider; no
    category of its own, so the session's decision gives its credit). 404 for an unknown session; 409 when you
    already said so (or have the same record); 422 (`field` `session`) for a session with no date or length, or
    one after today."""
    try:
        session = record_service.session_to_attend(session_id)
    except LookupError as error:
        raise HttpError(404, str(error)) from None
    try:
        record = record_service.attend_session(request.auth, request.auth, session)
    except record_service.SessionUnattendable as error:
        raise InvalidField("session", str(error)) from None
    except record_service.RecordConflict as error:
        raise HttpError(409, str(error)) from None
    return Status(201, record_out(record))


def _date(text: str | None, field: str) -> dt.date | None:
    """An optional date parameter: None when absent or blank."""
    if text is None or not text.strip():
        return None
    return _required_date(text, field)


def _required_date(text: str, field: str) -> dt.date:
    try:
        return audits.parse_as_of(text)
    except audits.ProgressInvalid as error:
        raise InvalidField(field, str(error).replace("as-of date", "date")) from None


@api.get("/progress/what-if", response={200: dict[str, Any], **ERRORS}, tags=TAGS)
def what_if(request: HttpRequest, query: Query[WhatIfQuery]) -> dict[str, Any]:
    """Your audit with planned catalogue sessions added: the object `certcredit audit FILE --with PLANNED`
    prints under `what_if` (`complete`, `hours_needed`, `hours_gained`, `planned`: each session as
    `session-<id>` with where it counts or why not, and `audit`: the whole audit with them). A session dated
    after `as_of` does not count. 422 with `field` for a bad program, date, specialty or an unknown session."""
    person = queries.person_seen_by(request.auth, query.person)
    as_of = _required_date(query.as_of, "as_of")
    try:
        shown = progress_view.what_if_sessions(
            request.auth, person, query.program, as_of, query.sessions, query.specialty or None,
            cycle_start=_date(query.cycle_start, "cycle_start"),
        )  # fmt: skip
    except audits.ProgressInvalid as error:
        raise InvalidField(error.field, str(error)) from None
    return shown.report


@api.get("/progress/plan", response={200: dict[str, Any], **ERRORS}, tags=TAGS)
def plan(request: HttpRequest, query: Query[PlanQuery]) -> dict[str, Any]:
    """The fewest upcoming catalogue sessions (dated from today to `by`) that complete the program: the object
    `certcredit plan FILE --catalog CATALOG --by BY --format json` prints for your stored records and the
    catalogue (sessions named `session-<id>`). `complete` false: no set of them does. 422 with `field` for a bad
    program, date or specialty, or a `by` date before today."""
    person = queries.person_seen_by(request.auth, query.person)
    by = _required_date(query.by, "by")
    try:
        data, _sessions = progress_view.plan_sessions(
            request.auth, person, query.program, by, _date(query.as_of, "as_of"), query.specialty or None
        )
    except audits.ProgressInvalid as error:
        raise InvalidField(error.field, str(error)) from None
    return data


@api.get("/me/programs", response={200: ProgramsOut, **ERRORS}, tags=["people"])
def my_programs(request: HttpRequest) -> dict[str, Any]:
    """The programs your Progress page offers: your choice, or the default from your credential and records."""
    found = progress_view.pursued(request.auth)
    return {"person": request.auth.email, "programs": list(found.programs), "chosen": found.chosen, "why": found.why}


@api.put("/me/programs", response={200: ProgramsOut, **ERRORS}, tags=["people"])
def choose_programs(request: HttpRequest, body: ProgramsIn) -> dict[str, Any]:
    """Choose the programs you pursue (at least one; 422 with `field` `programs` for an unknown one); kept in the
    history with who and when."""
    try:
        found = progress_view.choose_programs(request.auth, request.auth, body.programs)
    except progress_view.ProgramsInvalid as error:
        raise InvalidField("programs", str(error)) from None
    return {"person": request.auth.email, "programs": list(found.programs), "chosen": found.chosen, "why": found.why}
