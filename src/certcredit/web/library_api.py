"""The CLRM library and membership endpoints of the REST API (registered on ``certcredit.web.api.api`` by
``web.urls``); the same rules as the pages (``services.library``, ``services.membership``).

Anyone who is not a current member gets 403 from every library endpoint, before any paper is looked up: the
same answer whether a paper exists or not, and no title, count or file. Reading a paper or its file is logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import Field, Query, Schema
from ninja.errors import HttpError

from certcredit.services import library, membership
from certcredit.services.access import Forbidden
from certcredit.web.api import ERRORS, Text, api

TAGS = ["library"]


class PaperOut(Schema):
    id: int
    title: str
    author: str
    arbitrators: list[str]
    paper_type: str
    accepted_on: dt.date
    year_accepted: int
    file_name: str
    content_type: str
    size: int
    file_url: str


class PaperTextOut(PaperOut):
    text: str


class PapersOut(Schema):
    count: int
    items: list[PaperOut]


class PaperQuery(Schema):
    text: Text = Field("", max_length=200, description="words that must all be in the paper (stemmed)")
    arbitrator: Text = Field("", max_length=200, description="part of an arbitrator's name, any case")
    paper_type: Literal["", "grievance", "interest"] = Field("", description="grievance or interest")
    year: int | None = Field(None, ge=1900, le=2999, description="the year the paper was accepted")
    limit: int = Field(50, ge=1, le=200, description="items on the page, 1 to 200")
    offset: int = Field(0, ge=0, le=1_000_000, description="items to skip")


class PeriodOut(Schema):
    person: str
    starts_on: dt.date
    ends_on: dt.date | None
    source: str


class StandingOut(Schema):
    email: str
    current: bool
    until: dt.date | None
    periods: list[PeriodOut]


class MembershipsOut(Schema):
    count: int
    items: list[PeriodOut]


class MembershipQuery(Schema):
    search: Text = Field("", max_length=200, description="part of an e-mail or a name")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


class ReadOut(Schema):
    paper: int
    person: str
    via: str
    read_at: dt.datetime


def _paper_out(request: HttpRequest, paper: Any) -> dict[str, Any]:
    return {
        "id": paper.pk,
        "title": paper.title,
        "author": paper.author_name,
        "arbitrators": [name.strip() for name in paper.arbitrator.split(";") if name.strip()],
        "paper_type": paper.paper_type,
        "accepted_on": paper.accepted_on,
        "year_accepted": paper.year_accepted,
        "file_name": paper.file_name,
        "content_type": paper.content_type,
        "size": paper.size,
        "file_url": request.build_absolute_uri(f"/api/library/papers/{paper.pk}/file"),
    }


def _period_out(period: Any) -> dict[str, Any]:
    source = f"{period.source_file}, {period.source_line}" if period.source_file else ""
    return {"person": period.person.email, "starts_on": period.starts_on, "ends_on": period.ends_on, "source": source}


def _members_only(request: HttpRequest) -> None:
    if not library.may_read(request.auth):
        raise HttpError(403, library.MEMBERS_ONLY)


@api.get("/library/papers", response={200: PapersOut, **ERRORS}, tags=TAGS)
def papers(request: HttpRequest, query: Query[PaperQuery]) -> dict[str, Any]:
    """The library's papers matching the search, by rank for `text`, else newest first (current members only)."""
    _members_only(request)
    search = library.Search(query.text, query.arbitrator, query.paper_type, query.year)
    try:
        found = library.search(request.auth, search, query.limit, query.offset)
    except library.NotMember as error:
        raise HttpError(403, str(error)) from None
    return {"count": found.count, "items": [_paper_out(request, p) for p in found.papers]}


@api.get("/library/papers/{paper_id}", response={200: PaperTextOut, **ERRORS}, tags=TAGS)
def paper(request: HttpRequest, paper_id: int) -> dict[str, Any]:
    """One paper with the text taken from its file (current members only); the read is logged."""
    _members_only(request)
    try:
        shown = library.read(request.auth, paper_id, "api")
    except library.NotMember as error:
        raise HttpError(403, str(error)) from None
    except library.NotFound as error:
        raise HttpError(404, str(error)) from None
    return {**_paper_out(request, shown), "text": shown.text}


@api.get("/library/papers/{paper_id}/file", response={200: None, **ERRORS}, tags=TAGS)
def paper_file(request: HttpRequest, paper_id: int) -> FileResponse:
    """The paper's file as accepted, PDF or DOCX (current members only); the download is logged."""
    _members_only(request)
    try:
        shown, handle = library.open_file(request.auth, paper_id)
    except library.NotMember as error:
        raise HttpError(403, str(error)) from None
    except library.NotFound as error:
        raise HttpError(404, str(error)) from None
    response = FileResponse(handle, as_attachment=True, filename=shown.file_name, content_type=shown.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@api.get("/library/membership", response={200: StandingOut, **ERRORS}, tags=TAGS)
def my_membership(request: HttpRequest) -> dict[str, Any]:
    """Your own membership: whether it is current today, until when, and every stored period."""
    shown = membership.standing(request.auth)
    return {
        "email": request.auth.email,
        "current": shown.current,
        "until": shown.until,
        "periods": [_period_out(p) for p in shown.periods],
    }


@api.get("/library/memberships", response={200: MembershipsOut, **ERRORS}, tags=TAGS)
def memberships(request: HttpRequest, query: Query[MembershipQuery]) -> dict[str, Any]:
    """Every stored membership period (staff; 403 for anyone else), by e-mail."""
    try:
        found = membership.memberships(request.auth, query.search)
    except Forbidden as error:
        raise HttpError(403, str(error)) from None
    items = [_period_out(p) for p in found[query.offset : query.offset + query.limit]]
    return {"count": found.count(), "items": items}


@api.get("/library/reads", response={200: list[ReadOut], **ERRORS}, tags=TAGS)
def reads(request: HttpRequest) -> list[dict[str, Any]]:
    """The latest 200 library reads (staff; 403 for anyone else): which paper (by number), who, how, when."""
    try:
        found = library.read_log(request.auth)
    except Forbidden as error:
        raise HttpError(403, str(error)) from None
    return [{"paper": r.paper_id, "person": r.person.email, "via": r.via, "read_at": r.read_at} for r in found]
