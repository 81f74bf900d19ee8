"""The provider's pages (``/provider/…``): submit sessions, follow their evaluation, dispute, publish, download
the credit form, record a roster. Each view parses, calls ``services.providers`` / ``services.agendas``, renders;
the services scope everything to the provider's organization. The reviewer's "uphold" is here too."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from certcredit.services import agendas, disputes, providers, reviews
from certcredit.services.access import Forbidden
from certcredit.services.imports import load_upload
from certcredit.web.provider_forms import AgendaForm, DisputeForm, SessionForm, SessionRosterForm, UpholdForm


def _scoped(view: Any) -> Any:
    """Not a provider: 403 with the reason; another organization's item: 404, as a missing one."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Forbidden as error:
            raise PermissionDenied(str(error)) from error
        except LookupError as error:
            raise Http404(str(error)) from error

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return login_required(wrapped)


@_scoped
def home(request: HttpRequest) -> HttpResponse:
    """The organization's sessions with their decisions (publish from here), submissions and disputes."""
    organization = providers.organization_of(request.user)
    search = request.GET.get("q", "")
    page = Paginator(providers.sessions(request.user, search), 50).get_page(request.GET.get("page"))
    page.object_list = providers.decorate(page.object_list)
    context = {
        "organization": organization,
        "page": page,
        "q": search,
        "submissions": providers.submissions(request.user)[:10],
        "disputes": providers.disputes_of(request.user)[:20],
    }
    return render(request, "provider_home.html", context)


@_scoped
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """One session by form, or an agenda file; either way the evaluator decides in the background."""
    organization = providers.organization_of(request.user)
    which = request.POST.get("form") if request.method == "POST" else None
    one = SessionForm(request.POST if which == "session" else None)
    many = AgendaForm(request.POST if which == "agenda" else None, request.FILES if which == "agenda" else None)
    if which == "session" and one.is_valid():
        data = {key: value for key, value in one.cleaned_data.items() if value not in ("", None)}
        try:
            submission = agendas.submit_one(request.user, data)
        except agendas.SessionInvalid as error:
            one.add_error(None, str(error))
        else:
            return redirect("provider-submission", submission_id=submission.pk)
    elif which == "agenda" and many.is_valid():
        upload = many.cleaned_data["file"]
        try:
            rows = load_upload(upload.name, upload.read())
        except ValueError as error:  # unreadable as a whole: nothing stored
            many.add_error("file", str(error))
        else:
            submission = agendas.submit_rows(request.user, rows, upload.name)
            return redirect("provider-submission", submission_id=submission.pk)
    context = {"organization": organization, "form": one, "agenda_form": many}
    return render(request, "provider_submit.html", context)


@_scoped
def submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    """A submission: its evaluation's progress (the page follows it), rows not kept, and its sessions."""
    found = providers.submission_of(request.user, submission_id)
    listed = providers.decorate(providers.sessions(request.user).filter(submission=found).order_by("date", "id"))
    done = found.status in ("finished", "failed")
    percent = round(100 * found.evaluated / found.to_evaluate) if found.to_evaluate else 100
    context = {"submission": found, "sessions": listed, "done": done, "percent": percent}
    return render(request, "provider_submission.html", context)


@_scoped
@require_http_methods(["GET", "POST"])
def session(request: HttpRequest, session_id: int) -> HttpResponse:
    """One session: the decision and its analysis, its disputes, the dispute form and the roster upload."""
    found = providers.session_of(request.user, session_id)
    which = request.POST.get("form") if request.method == "POST" else None
    dispute_form = DisputeForm(request.POST if which == "dispute" else None)
    roster_form = SessionRosterForm(
        request.POST if which == "roster" else None, request.FILES if which == "roster" else None
    )
    report = None
    if which == "dispute" and dispute_form.is_valid():
        try:
            providers.dispute(request.user, found.pk, dispute_form.cleaned_data["reason"])
        except disputes.DisputeInvalid as error:
            dispute_form.add_error(error.field, str(error))
        except disputes.DisputeConflict as error:
            dispute_form.add_error(None, str(error))
        else:
            messages.success(request, "Dispute sent to the reviewers' queue.")
            return redirect("provider-session", session_id=found.pk)
    elif which == "roster" and roster_form.is_valid():
        upload = roster_form.cleaned_data["file"]
        try:
            rows = load_upload(upload.name, upload.read())
            report = providers.record_roster(request.user, found.pk, rows, upload.name)
        except ValueError as error:
            roster_form.add_error("file", str(error))
        else:
            if report.ok:
                messages.success(
                    request, f"Roster {upload.name}: {report.added} added, {report.already_present} already there."
                )
                return redirect("provider-session", session_id=found.pk)
    (shown,) = providers.decorate([found])
    context = {
        "session": shown,
        "disputes": providers.disputes_of(request.user).filter(session=found),
        "open_dispute": disputes.open_dispute(found),
        "dispute_form": dispute_form,
        "roster_form": roster_form,
        "report": report,
        "attendees": found.records.count(),
    }
    return render(request, "provider_session.html", context)


@_scoped
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    """Publish the ticked sessions; those that do not qualify now are named with the reason."""
    try:
        ids = [int(value) for value in request.POST.getlist("session")]
    except ValueError:
        raise Http404("no such session") from None
    if not ids:
        messages.error(request, "Tick the sessions to publish first.")
        return redirect(request.POST.get("next") or "provider")
    outcome = providers.publish(request.user, ids)
    if outcome.published:
        messages.success(request, f"{len(outcome.published)} published to the catalogue.")
    for item, reason in outcome.refused:
        messages.error(request, f"Not published: “{item.title}”: {reason}.")
    if outcome.already:
        messages.info(request, f"{len(outcome.already)} already in the catalogue.")
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/provider/") else "provider")


@_scoped
def credit_form(request: HttpRequest, fmt: str, submission_id: int | None = None) -> HttpResponse:
    """The credit form of one submission (or of all the organization's sessions), as PDF or CSV."""
    name = f"credit-form-{submission_id}" if submission_id else "credit-form"
    if fmt == "csv":
        response = HttpResponse(
            providers.credit_form_csv(request.user, submission_id), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "pdf":
        response = HttpResponse(providers.credit_form_pdf(request.user, submission_id), content_type="application/pdf")
    else:
        raise Http404("the credit form is a .pdf or a .csv")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def uphold(request: HttpRequest, session_id: int) -> HttpResponse:
    """A reviewer upholds a disputed decision: a reviewed decision equal to it, with the note (history)."""
    try:
        found, _applying = reviews.session_for_review(request.user, session_id)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    except LookupError as error:
        raise Http404(str(error)) from error
    dispute = disputes.open_dispute(found)
    form = UpholdForm(request.POST)
    if dispute is None or not form.is_valid():
        messages.error(request, "There is no open dispute on this session." if dispute is None else "Check the note.")
        return redirect("review-session", session_id=found.pk)
    old = dispute.disputed
    try:
        reviews.review(
            request.user, found, old.verdict, old.category, old.subject_area, old.topic, form.cleaned_data["note"]
        )
    except (reviews.ReviewInvalid, reviews.ReviewConflict) as error:
        messages.error(request, str(error))
        return redirect("review-session", session_id=found.pk)
    messages.success(request, f"Dispute of “{found.title}” settled: decision upheld.")
    return redirect("review")
