"""The CLRM workflow's pages: arbitrators, approvals, orientation, the paper and its reviews, staff lists.

Thin: each view reads its form, calls one ``services.clrm_flow`` action and renders; a refusal is shown beside
the field it names. What the viewer may not see is "not found" (404); an action they may not take is 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from certcredit.services import audits, clrm
from certcredit.services import clrm_flow as flow
from certcredit.services.access import Forbidden, is_staff

# ------------------------------------------------------------------------------------------------ forms


def _day(value: str) -> dt.date:
    try:
        return audits.parse_as_of(value)
    except audits.ProgressInvalid as error:
        raise forms.ValidationError(str(error).replace("as-of date", "date")) from None


class ArbitratorForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    location = forms.CharField(label="Location", max_length=200, required=False, help_text="City or region.")
    case_kinds = forms.CharField(
        label="Kinds of cases", max_length=300, required=False, help_text="e.g. discipline, layoffs, interest"
    )


class ProposalForm(forms.Form):
    arbitrators = forms.TypedMultipleChoiceField(
        label="Arbitrator(s) to analyse",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="One or more, from the registry.",
    )
    paper_type = forms.ChoiceField(label="Paper type", choices=flow.PAPER_TYPES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["arbitrators"].choices = [
            (a.pk, f"{a.name}{f' ({a.location})' if a.location else ''}") for a in flow.arbitrators()
        ]

    note = forms.CharField(label="Note for the approver", max_length=500, required=False, widget=forms.Textarea(
        attrs={"rows": 2, "class": "wide"}))  # fmt: skip


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "wide"}),
        help_text="Required to decline; the candidate reads it.",
    )  # fmt: skip


class OrientationForm(forms.Form):
    date = forms.CharField(label="Date", max_length=30, widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD"}))
    place = forms.CharField(label="Place", max_length=200, help_text="Where, or how to join online.")
    capacity = forms.IntegerField(label="Seats", min_value=1, max_value=10_000, required=False,
                                  help_text="Empty: no limit.")  # fmt: skip
    note = forms.CharField(label="Note", max_length=300, required=False)

    def clean_date(self) -> dt.date:
        return _day(self.cleaned_data["date"])


class PaperForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300)
    paper_type = forms.ChoiceField(label="Paper type", choices=flow.PAPER_TYPES)
    summary = forms.CharField(
        label="Summary", max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "class": "wide"}),
        help_text="A few sentences; if the paper is accepted, the bulletin's editor reads them.",
    )  # fmt: skip
    file = forms.FileField(label="Draft (PDF or Word .docx, at most 10 MB)")

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > flow.MAX_PAPER_BYTES:
            raise forms.ValidationError(f"The file is larger than {flow.MAX_PAPER_BYTES // 1048576} MB.")
        return upload


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[("accept", "Accept the paper"), ("revise", "Return for revision"),
                 ("research", "Return for more research")],
        widget=forms.RadioSelect,
    )  # fmt: skip
    comments = forms.CharField(
        label="Comments for the candidate", max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "wide"}),
        help_text="Required when returning the paper.",
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------ helpers


def _roles(request: HttpRequest) -> dict[str, bool]:
    person = request.user
    return {
        "staff": is_staff(person),
        "approver": flow.is_approver(person),
        "paper_reviewer": flow.is_paper_reviewer(person),
        "candidate": clrm.own_candidacy(person) is not None,
    }


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context.setdefault("roles", _roles(request))
    return render(request, template, context)


def _own(request: HttpRequest) -> Any:
    candidate = clrm.own_candidacy(request.user)
    if candidate is None:
        raise Http404("you are not a CLRM candidate")
    return candidate


def _apply_error(form: forms.Form, error: flow.FlowInvalid) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


# ------------------------------------------------------------------------------------------------ arbitrators


@login_required
@require_http_methods(["GET", "POST"])
def arbitrators(request: HttpRequest) -> HttpResponse:
    """The registry; staff and approvers add to it, a candidate proposes from it and sees their proposals."""
    roles = _roles(request)
    candidate = clrm.own_candidacy(request.user)
    add = ArbitratorForm(request.POST if request.POST.get("form") == "add" else None)
    propose = ProposalForm(request.POST if request.POST.get("form") == "propose" else None)
    if request.method == "POST" and request.POST.get("form") == "add":
        if not (roles["staff"] or roles["approver"]):
            raise PermissionDenied("only staff and CLRM approvers keep the arbitrator registry")
        if add.is_valid():
            data = add.cleaned_data
            try:
                made = flow.add_arbitrator(request.user, data["name"], data["location"], data["case_kinds"])
            except flow.FlowInvalid as error:
                _apply_error(add, error)
            else:
                messages.success(request, f"{made.name} added to the registry.")
                return redirect("clrm-arbitrators")
    elif request.method == "POST" and request.POST.get("form") == "propose":
        if candidate is None:
            raise Http404("you are not a CLRM candidate")
        if propose.is_valid():
            data = propose.cleaned_data
            try:
                flow.propose(request.user, candidate, data["arbitrators"], data["paper_type"], data["note"])
            except flow.FlowInvalid as error:
                _apply_error(propose, error)
            else:
                messages.success(request, "Proposal sent to the Executive Director (or a designee) for approval.")
                return redirect("clrm-arbitrators")
    elif request.method == "POST":
        raise SuspiciousOperation("unknown form")
    context = {
        "registry": flow.arbitrators(),
        "add_form": add,
        "propose_form": propose,
        "candidate": candidate,
        "proposals": flow.proposals_of(candidate) if candidate else [],
        "roles": roles,
    }
    return _page(request, "clrm_arbitrators.html", context)


# ------------------------------------------------------------------------------------------------ approvals


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """Approvers: the proposals waiting for a decision, each with its warnings."""
    try:
        waiting = list(flow.approver_queue(request.user))
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    items = [(p, flow.warnings_for(p)) for p in waiting]
    return _page(request, "clrm_approvals.html", {"items": items})


@login_required
@require_http_methods(["GET", "POST"])
def approval(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """One proposal: the candidate's standing, the arbitrators with their warnings, approve or decline."""
    if not flow.is_approver(request.user):
        raise PermissionDenied("only CLRM approvers decide arbitrator proposals")
    try:
        proposal = flow.proposal_seen_by(request.user, proposal_id)
    except clrm.NotFound as error:
        raise Http404(str(error)) from error
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            flow.decide_proposal(request.user, proposal, approve, form.cleaned_data["reason"])
        except flow.FlowInvalid as error:
            _apply_error(form, error)
        else:
            who = proposal.candidate.person.email
            messages.success(request, f"Proposal of {who} {'approved' if approve else 'declined'}.")
            return redirect("clrm-approvals")
    warnings = flow.warnings_for(proposal) if proposal.status == "proposed" else proposal.warnings
    shown = clrm.timeline(request.user, proposal.candidate, flow.today()) if is_staff(request.user) else None
    context = {"proposal": proposal, "warnings": warnings, "form": form, "timeline": shown}
    return _page(request, "clrm_approval.html", context)


# ------------------------------------------------------------------------------------------------ orientation


@login_required
@require_http_methods(["GET", "POST"])
def orientation(request: HttpRequest) -> HttpResponse:
    """Staff schedule sessions and record attendance; a candidate enrols and sees their enrolments."""
    roles = _roles(request)
    candidate = clrm.own_candidacy(request.user)
    form = OrientationForm(request.POST if request.POST.get("form") == "schedule" else None)
    if request.method == "POST" and request.POST.get("form") == "schedule":
        if not roles["staff"]:
            raise PermissionDenied("only staff schedule orientations")
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = flow.schedule_orientation(
                    request.user, data["date"], data["place"], data["capacity"], data["note"]
                )
            except flow.FlowInvalid as error:
                _apply_error(form, error)
            else:
                messages.success(request, f"Orientation of {made.date} scheduled.")
                return redirect("clrm-orientation")
    elif request.method == "POST":
        raise SuspiciousOperation("unknown form")
    sessions = list(flow.orientation_sessions())
    enrolled = {e.session_id: e for e in flow.enrolments_of(candidate)} if candidate else {}
    rosters = {s.pk: list(flow.enrolments_in(request.user, s)) for s in sessions} if roles["staff"] else {}
    rows = [{"session": s, "mine": enrolled.get(s.pk), "roster": rosters.get(s.pk, [])} for s in sessions]
    context = {"form": form, "rows": rows, "candidate": candidate, "today": flow.today(), "roles": roles}
    return _page(request, "clrm_orientation.html", context)


@login_required
@require_POST
def enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    candidate = _own(request)
    try:
        session = flow.session_by_id(session_id)
        flow.enrol_orientation(request.user, candidate, session)
    except clrm.NotFound as error:
        raise Http404(str(error)) from error
    except flow.FlowInvalid as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Enrolled in the orientation of {session.date}.")
    return redirect("clrm-orientation")


@login_required
@require_POST
def attendance(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    if not is_staff(request.user):
        raise PermissionDenied("only staff record orientation attendance")
    try:
        enrolment = flow.enrolment_by_id(request.user, enrolment_id)
        flow.record_attendance(request.user, enrolment)
    except clrm.NotFound as error:
        raise Http404(str(error)) from error
    except flow.FlowInvalid as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Attendance of {enrolment.candidate.person.email} recorded.")
    return redirect("clrm-orientation")


# ------------------------------------------------------------------------------------------------ the paper


@login_required
@require_http_methods(["GET", "POST"])
def paper(request: HttpRequest) -> HttpResponse:
    """The candidate's paper: upload a draft; every draft with what the engine says of it and its reviews."""
    candidate = _own(request)
    approved = flow.approved_proposal(candidate)
    latest = candidate.papers.order_by("-number").first()  # a revision keeps the title, summary and type
    initial = {"paper_type": approved.paper_type if approved else None}
    if latest is not None:
        initial = {"title": latest.title, "summary": latest.summary, "paper_type": latest.paper_type}
    form = PaperForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            made = flow.submit_paper(
                request.user, candidate, data["title"], data["summary"], data["paper_type"], upload.name or "",
                upload.read(flow.MAX_PAPER_BYTES + 1),
            )  # fmt: skip
        except flow.FlowInvalid as error:
            _apply_error(form, error)
        else:
            messages.success(request, f"Draft {made.number} submitted on {made.event.date if made.event else ''}.")
            return redirect("clrm-paper")
    shown = clrm.timeline(request.user, candidate, flow.today())
    context = {
        "candidate": candidate, "form": form, "drafts": flow.judged_papers(request.user, candidate),
        "audit": shown.audit, "timeline": shown, "approved": approved,
        "credential": flow.credential_of(candidate), "max_mb": flow.MAX_PAPER_BYTES // 1048576,
    }  # fmt: skip
    return _page(request, "clrm_paper.html", context)


@login_required
def paper_file(request: HttpRequest, paper_id: int) -> FileResponse:
    try:
        version = flow.paper_seen_by(request.user, paper_id)
    except clrm.NotFound as error:
        raise Http404(str(error)) from error
    return paper_file_response(version)


def paper_file_response(version: Any) -> FileResponse:
    """A draft as a download, named after its candidate and number; the page and the API both answer with it."""
    kind = "application/pdf" if version.kind == "pdf" else (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )  # fmt: skip
    name = f"clrm-paper-{version.candidate_id}-draft-{version.number}.{version.kind}"
    response = FileResponse(version.file.open("rb"), as_attachment=True, filename=name, content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------------------------------------ reviews


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    """Paper reviewers (and staff): the papers waiting for a review."""
    try:
        waiting = flow.review_queue(request.user)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    return _page(request, "clrm_reviews.html", {"waiting": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, paper_id: int) -> HttpResponse:
    """One draft for a reviewer: the candidate's earlier rounds and the decision form."""
    if not (flow.is_paper_reviewer(request.user) or is_staff(request.user)):
        raise PermissionDenied("only CLRM paper reviewers review papers")
    try:
        version = flow.paper_seen_by(request.user, paper_id)
    except clrm.NotFound as error:
        raise Http404(str(error)) from error
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = flow.review_paper(request.user, version, form.cleaned_data["outcome"], form.cleaned_data["comments"])
        except Forbidden as error:
            raise PermissionDenied(str(error)) from error
        except flow.FlowInvalid as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                f"Draft {version.number} of {version.candidate.person.email}: {made.get_outcome_display().lower()}.",
            )
            return redirect("clrm-reviews")
    drafts = flow.judged_papers(request.user, version.candidate)
    context = {"version": version, "drafts": drafts, "form": form}
    return _page(request, "clrm_review.html", context)


# ------------------------------------------------------------------------------------------------ staff lists


def _year(request: HttpRequest) -> int | None:
    text = request.GET.get("year", "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1900 <= int(text) <= 9999:
        raise SuspiciousOperation(f"year {text!r} is not a year")
    return int(text)


@login_required
def lists(request: HttpRequest) -> HttpResponse:
    """Staff: the bulletin queue and the Annual Conference recognition list, each exported as CSV."""
    year = _year(request)
    try:
        queue = list(flow.bulletin_queue(request.user))
        honored = list(flow.recognition_list(request.user, year))
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    return _page(request, "clrm_lists.html", {"queue": queue, "honored": honored, "year": year})


@login_required
def lists_csv(request: HttpRequest, which: str) -> HttpResponse:
    try:
        if which == "bulletin":
            text = flow.bulletin_csv(request.user)
        elif which == "recognition":
            text = flow.recognition_csv(request.user, _year(request))
        else:
            raise Http404(f"no list {which!r}")
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="clrm-{which}.csv"'
    return response
