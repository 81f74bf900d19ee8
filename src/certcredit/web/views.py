"""Web pages: each view parses the request, calls a service, renders. Services decide who may see what."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from certcredit.services import (
    audits,
    clrm,
    clrm_flow,
    decisions,
    disputes,
    evaluations,
    queries,
    reviews,
    tokens,
)
from certcredit.services.access import Forbidden, is_staff, may_review
from certcredit.services.imports import import_records, load_upload
from certcredit.services.people import UnknownPerson
from certcredit.services.records import attach_evidence, attended_sessions, record_history, set_activity
from certcredit.web import busy
from certcredit.web.forms import (
    AcademyForm,
    ActivityForm,
    EvidenceForm,
    RecordFileForm,
    ReviewForm,
    RosterForm,
    TokenForm,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Members see their records; staff also see the latest imports and sessions."""
    person = request.user
    _owner, records = queries.records_of(person)
    context: dict[str, Any] = {
        "records": records[:8],
        "record_count": records.count(),
        "total_minutes": records.aggregate(total=Sum("minutes"))["total"] or 0,
        "staff": is_staff(person),
    }
    if context["staff"]:
        context["imports"] = queries.recent_imports(person, 8)
        context["sessions"] = queries.sessions(person)[:8]
    return render(request, "home.html", context)


@login_required
def records(request: HttpRequest) -> HttpResponse:
    """A person's records: one's own, or (staff) anyone's with ``?person=email``."""
    try:
        owner, found = queries.records_of(request.user, request.GET.get("person"))
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    except UnknownPerson as error:
        raise Http404(str(error)) from error
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    total = found.aggregate(total=Sum("minutes"))["total"] or 0
    return render(
        request, "records.html", {"owner": owner, "page": page, "total_minutes": total, "own": owner == request.user}
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    """One record; its page also takes its evidence file and its activity (each form says which it is)."""
    try:
        record = queries.record_of(request.user, record_id)
    except LookupError as error:
        raise Http404(str(error)) from error
    changing_activity = request.method == "POST" and request.POST.get("change") == "activity"
    form = EvidenceForm(None if changing_activity else request.POST or None, request.FILES or None)
    activity_form = ActivityForm(request.POST if changing_activity else None, initial={"activity": record.activity})
    if changing_activity and activity_form.is_valid():
        try:
            set_activity(request.user, record, activity_form.cleaned_data["activity"])
        except ValueError as error:  # a malformed activity, or the same record twice
            activity_form.add_error("activity", str(error))
        else:
            messages.success(request, "Activity saved.")
            return redirect("record", record_id=record.pk)
    elif request.method == "POST" and not changing_activity and form.is_valid():
        try:
            attach_evidence(request.user, record, form.cleaned_data["evidence"])
        except ValueError as error:
            form.add_error("evidence", str(error))
        else:
            messages.success(request, "Evidence attached.")
            return redirect("record", record_id=record.pk)
    context = {"record": record, "form": form, "activity_form": activity_form}
    context["history"] = record_history(request.user, record)  # who changed it and when
    return render(request, "record.html", context)


@login_required
def evidence(request: HttpRequest, record_id: int) -> FileResponse:
    """Evidence files are served only to their owner and staff, never from a public media URL."""
    try:
        record = queries.record_of(request.user, record_id)
    except LookupError as error:
        raise Http404(str(error)) from error
    if not record.evidence:
        raise Http404("this record has no evidence file")
    return FileResponse(record.evidence.open("rb"), as_attachment=True, filename=record.evidence.name.split("/")[-1])


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Import the member's own records from a file, through the same service as the CLI."""
    form = RecordFileForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        if upload_file.size > settings.UPLOAD_INLINE_BYTES:
            return _import_in_background(request, upload_file)
        try:
            rows = load_upload(upload_file.name, upload_file.read())
        except ValueError as error:
            form.add_error("file", str(error))
        else:
            if len(rows) > settings.UPLOAD_INLINE_ROWS:
                return _import_in_background(request, upload_file)
            report = import_records(rows, request.user, request.user, upload_file.name)
            if report.ok:
                messages.success(request, f"{report.added} records added, {report.already_present} already there.")
                return redirect("records")
    return render(request, "upload.html", {"form": form, "report": report})


def _import_in_background(request: HttpRequest, upload_file: Any) -> HttpResponse:
    """Keep the file for the worker and show the member the import's own page (it follows the progress)."""
    from certcredit.services.uploads import import_uploaded_records, upload_path

    kept = upload_path(upload_file.name)
    upload_file.seek(0)
    with kept.open("wb") as handle:
        for piece in upload_file.chunks():
            handle.write(piece)
    result = import_uploaded_records.enqueue(str(kept), upload_file.name, request.user.pk, request.user.pk)
    return redirect("upload-status", result_id=result.id)


@login_required
def upload_status(request: HttpRequest, result_id: str) -> HttpResponse:
    """A background import's page: waiting, running (rows read so far), finished (its summary) or failed.

    Only the member who uploaded the file (and staff) may see it; anyone else gets "not found"."""
    from django_tasks.base import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    from certcredit.services.uploads import import_uploaded_records, read_progress

    try:
        result = import_uploaded_records.get_result(result_id)
    except TaskResultDoesNotExist:
        raise Http404("no such import") from None
    upload, file_name, person_id = result.args[0], result.args[1], result.args[2]
    if person_id != request.user.pk and not is_staff(request.user):
        raise Http404("no such import")
    done = result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    context = {
        "file_name": file_name,
        "status": result.status,
        "waiting": result.status == TaskResultStatus.READY,
        "running": result.status == TaskResultStatus.RUNNING,
        "failed": result.status == TaskResultStatus.FAILED,
        "done": done,
        "progress": read_progress(upload) if not done else {},
        "summary": result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None,
    }
    return render(request, "upload_status.html", context)


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """The catalogue with the decision that applies to each session; staff may run the evaluator from here."""
    search = request.GET.get("q", "")
    found = queries.sessions(request.user, search)
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    page.object_list = decisions.attach_applying(page.object_list)
    context = {"page": page, "q": search, "staff": is_staff(request.user), "reviewer": may_review(request.user)}
    context["attended"], context["today"] = attended_sessions(request.user), timezone.localdate()  # "I attended"
    return render(request, "sessions.html", context)


@login_required
@require_POST
def evaluate_sessions(request: HttpRequest) -> HttpResponse:
    """Staff run the evaluator over the sessions no one has decided yet (as ``certcredit store evaluate-sessions``)."""
    try:
        report = evaluations.evaluate_sessions(request.user)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    counts = ", ".join(f"{n} {verdict.replace('_', ' ')}" for verdict, n in report.as_dict()["by_verdict"].items())
    messages.success(request, f"{report.evaluated} sessions evaluated: {counts}.")
    return redirect("sessions")


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Sessions the evaluator was unsure about, the longest waiting first (reviewers and staff)."""
    try:
        waiting = reviews.queue(request.user)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    page = Paginator(waiting, 25).get_page(request.GET.get("page"))
    page.object_list = decisions.attach_applying(page.object_list)
    return render(request, "review.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def review_session(request: HttpRequest, session_id: int) -> HttpResponse:
    """One session with the evaluator's analysis and the reviewer's form; errors are shown beside the field."""
    try:
        session, applying = reviews.session_for_review(request.user, session_id)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    except LookupError as error:
        raise Http404(str(error)) from error
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reviews.review(
                request.user, session, data["verdict"], data["category"], data["subject_area"], data["topic"],
                data["note"],
            )  # fmt: skip
        except reviews.ReviewInvalid as error:
            form.add_error(error.field, str(error))
        except reviews.ReviewConflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Review of “{session.title}” saved.")
            return redirect("review")
    context = {"session": session, "applying": applying, "form": form, "dispute": disputes.open_dispute(session)}
    return render(request, "review_session.html", context)


def _as_of(request: HttpRequest) -> Any:
    """``?as_of=YYYY-MM-DD`` (to see a timeline on another day), else today; a bad date is a bad request."""
    text = request.GET.get("as_of", "").strip()
    if not text:
        return clrm.today()
    try:
        return audits.parse_as_of(text)
    except audits.ProgressInvalid as error:
        raise SuspiciousOperation(str(error)) from error


@login_required
def clrm_mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own CLRM timeline; staff are sent to the candidates page."""
    candidate = clrm.own_candidacy(request.user)
    if candidate is None:
        if is_staff(request.user):
            return redirect("clrm-candidates")
        if clrm_flow.is_approver(request.user):  # the CLRM roles land on their own work
            return redirect("clrm-approvals")
        if clrm_flow.is_paper_reviewer(request.user):
            return redirect("clrm-reviews")
        return render(request, "clrm_timeline.html", {"timeline": None, "own": True})
    return _timeline_page(request, candidate)


@login_required
def clrm_candidate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """One candidate's timeline: the candidate themselves or staff; anyone else is "not found"."""
    try:
        candidate = clrm.candidate_seen_by(request.user, candidate_id)
    except clrm.NotFound as error:
        raise Http404(str(error)) from error
    return _timeline_page(request, candidate)


def _timeline_page(request: HttpRequest, candidate: Any) -> HttpResponse:
    shown = clrm.timeline(request.user, candidate, _as_of(request))
    context = {
        "timeline": shown,
        "audit": shown.audit,
        "steps": shown.steps(),
        "own": candidate.person_id == request.user.pk,
        "staff": is_staff(request.user),
    }
    return render(request, "clrm_timeline.html", context)


@login_required
def clrm_candidates(request: HttpRequest) -> HttpResponse:
    """Staff: every candidate, filtered by status, sorted by deadline (or name). Anyone else: not found."""
    if not is_staff(request.user):
        raise Http404("not found")
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "deadline")
    as_of = _as_of(request)
    try:
        found = clrm.candidates(request.user, as_of, status, sort)
    except clrm.EventInvalid as error:
        raise SuspiciousOperation(str(error)) from error
    statuses = [(s, clrm.STATUS_WORDS[s]) for s in clrm.STATUSES]
    context = {"candidates": found, "status": status, "sort": sort, "as_of": as_of, "statuses": statuses}
    return render(request, "clrm_candidates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def clrm_academies(request: HttpRequest) -> HttpResponse:
    """Staff record academy attendance: one person at a time, or a roster file for one academy day."""
    if not is_staff(request.user):
        raise PermissionDenied("only staff may record CLRM academies")
    roster = request.method == "POST" and request.POST.get("form") == "roster"
    # ?email= (from a candidate's timeline) fills in whom the academy is for
    one = AcademyForm(
        request.POST if request.method == "POST" and not roster else None,
        initial={"email": request.GET.get("email", "")},
    )
    many = RosterForm(request.POST if roster else None, request.FILES if roster else None)
    report = None
    if request.method == "POST" and not roster and one.is_valid():
        data = one.cleaned_data
        try:
            person = queries.person_seen_by(request.user, data["email"])
            event = clrm.record_academy(request.user, person, data["academy"], data["date"])
        except UnknownPerson as error:
            one.add_error("email", str(error))
        except clrm.EventConflict as error:
            one.add_error(None, str(error))
        except clrm.EventInvalid as error:
            one.add_error(error.field if error.field in one.fields else None, str(error))
        else:
            messages.success(request, f"Recorded: {person.email} attended {event.academy} on {event.date}.")
            return redirect("clrm-academies")
    elif roster and many.is_valid():
        data = many.cleaned_data
        upload_file = data["file"]
        try:
            rows = load_upload(upload_file.name, upload_file.read())
            report = clrm.import_roster(rows, data["academy"], data["date"], request.user, upload_file.name)
        except ValueError as error:  # unreadable as a whole, or no email column: nothing stored
            many.add_error("file", str(error))
        else:
            if report.ok:
                messages.success(
                    request, f"Roster {upload_file.name}: {report.added} added, {report.already_present} already there."
                )
                return redirect("clrm-academies")
    context = {"form": one, "roster_form": many, "report": report}
    return render(request, "clrm_academies.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Personal API tokens: make one (shown once) or see and revoke yours."""
    form = TokenForm(request.POST or None)
    plain = None
    if request.method == "POST" and form.is_valid():
        _token, plain = tokens.create_token(request.user, form.cleaned_data["name"])
        form = TokenForm()
    mine = tokens.live_tokens(request.user)
    return render(request, "tokens.html", {"form": form, "tokens": mine, "plain": plain})


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    if tokens.revoke_token(request.user, token_id):
        messages.success(request, "Token revoked.")
    return redirect("tokens")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:  # noqa: ARG001
    if _is_api(request):
        return JsonResponse({"message": "not found"}, status=404)
    return HttpResponse(loader.render_to_string("error.html", {"title": "Not found"}, request), status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"message": "forbidden"}, status=403)
    message = str(exception) if exception else "You may not see this page."
    context = {"title": "Not allowed", "message": message}
    return HttpResponse(loader.render_to_string("error.html", context, request), status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if busy.is_busy(sys.exc_info()[1]):  # failed after the view, e.g. saving the session: not the server's fault
        return busy.busy_response(request)
    if _is_api(request):
        return JsonResponse({"message": "internal error; it has been logged"}, status=500)
    body = "<!doctype html><title>Error</title><h1>Something went wrong</h1><p>It has been logged.</p>"
    return HttpResponse(body, status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:  # noqa: ARG001
    if _is_api(request):
        return JsonResponse({"message": "bad request"}, status=400)
    return HttpResponse(loader.render_to_string("error.html", {"title": "Bad request"}, request), status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"message": f"CSRF check failed: {reason}"}, status=403)
    context = {"title": "Form expired", "message": "Reload the page and try again."}
    return HttpResponse(loader.render_to_string("error.html", context, request), status=403)
