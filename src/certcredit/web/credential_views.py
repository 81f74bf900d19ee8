"""Credential pages: applications, credentials with their history and documents, and the public verification
page. Each view parses, calls ``services.credentials`` or ``services.documents``, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from certcredit.services import credentials as creds
from certcredit.services import documents
from certcredit.services.access import Forbidden, is_staff
from certcredit.services.reminders import send_application_outcome
from certcredit.web.credential_forms import ApplyForm, DecisionForm, ExamPassForm, RevokeForm


def base_url(request: HttpRequest) -> str:
    """The address documents point verifiers to: this site's own."""
    return request.build_absolute_uri("/").rstrip("/")


@login_required
def applications(request: HttpRequest) -> HttpResponse:
    """The viewer's applications and their outcomes; staff see everyone's, those waiting first."""
    found = creds.visible_applications(request.user).order_by("-status", "-submitted_at", "-id")
    if request.GET.get("status") in ("submitted", "approved", "denied"):
        found = found.filter(status=request.GET["status"])
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    return render(request, "applications.html", {"page": page, "staff": is_staff(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Apply: the audit is taken now and frozen in the application with the attestations."""
    initial = {"kind": request.GET.get("kind", creds.Kind.EXAM), "specialty": request.GET.get("specialty", "")}
    form = ApplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            made = creds.apply(request.user, request.user, data["kind"], data, data.get("specialty") or None)
        except creds.CredentialInvalid as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "Application submitted: staff will decide.")
            return redirect("application", application_id=made.pk)
    return render(request, "apply.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    """One application, its frozen audit and history; staff decide here."""
    try:
        application = creds.application_of(request.user, application_id)
    except LookupError as error:
        raise Http404(str(error)) from error
    staff = is_staff(request.user)
    form = DecisionForm(request.POST or None) if staff else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("only staff may decide applications")
        if form.is_valid():
            try:
                creds.decide(request.user, application, form.cleaned_data["decision"] == "approve",
                             form.cleaned_data["reason"])  # fmt: skip
            except creds.CredentialInvalid as error:
                form.add_error("reason" if error.field == "reason" else None, str(error))
            else:
                send_application_outcome.enqueue(application.pk, base_url(request))
                messages.success(request, "Decision saved; the member is told by e-mail.")
                return redirect("application", application_id=application.pk)
    context = {
        "application": application, "form": form, "staff": staff, "history": creds.history_of(application),
        "allocated": {line["record"] for line in application.audit.get("allocations", [])},
    }  # fmt: skip
    return render(request, "application.html", context)


@login_required
def credentials(request: HttpRequest) -> HttpResponse:
    found = creds.visible_credentials(request.user).order_by("person__email", "-id")
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    page.object_list = [(c, creds.standing(c)) for c in page.object_list]
    return render(request, "credentials.html", {"page": page, "staff": is_staff(request.user)})


@login_required
def credential_detail(request: HttpRequest, credential_id: int) -> HttpResponse:
    try:
        credential = creds.credential_of(request.user, credential_id)
    except LookupError as error:
        raise Http404(str(error)) from error
    context: dict[str, Any] = {
        "credential": credential,
        "standing": creds.standing(credential),
        "history": creds.history_of(credential),
        "documents": documents.available(credential),
        "recertifications": credential.applications.filter(kind=creds.Kind.RECERTIFICATION, status=creds.APPROVED),
        "applications": credential.applications.all(),
        "staff": is_staff(request.user),
        "exam_form": ExamPassForm(),
        "revoke_form": RevokeForm(),
        "verify_url": documents.verify_url(base_url(request), credential),
    }
    return render(request, "credential.html", context)


@login_required
@require_POST
def credential_action(request: HttpRequest, credential_id: int, action: str) -> HttpResponse:
    """Staff actions: ``exam-pass``, ``revoke``, ``retire``; each written to the history by the service."""
    try:
        credential = creds.credential_of(request.user, credential_id)
    except LookupError as error:
        raise Http404(str(error)) from error
    try:
        if action == "exam-pass":
            form: Any = ExamPassForm(request.POST)
            if not form.is_valid():
                raise creds.CredentialInvalid("; ".join(e for errs in form.errors.values() for e in errs))
            creds.record_exam_pass(request.user, credential, form.cleaned_data["passed_on"])
        elif action == "revoke":
            creds.revoke(request.user, credential, request.POST.get("reason", ""))
        elif action == "retire":
            creds.retire(request.user, credential)
        else:
            raise Http404(f"no action {action!r}")
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    except creds.CredentialInvalid as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Saved.")
    return redirect("credential", credential_id=credential.pk)


@login_required
def credential_document(request: HttpRequest, credential_id: int, kind: str) -> HttpResponse:
    """A document as PDF, to the holder and staff only; ``?application=ID`` picks a closed cycle's transcript."""
    try:
        credential = creds.credential_of(request.user, credential_id)
        application = None
        if request.GET.get("application"):
            application = creds.application_of(request.user, int(request.GET["application"]))
        name, pdf = documents.render(request.user, credential, kind, base_url(request), application)
    except (LookupError, ValueError) as error:
        if isinstance(error, documents.DocumentUnavailable):
            messages.error(request, str(error))
            return redirect("credential", credential_id=credential_id)
        raise Http404(str(error)) from error
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: who, what, since when, until when and the state now. No sign-in; nothing else about the person."""
    shown = creds.verification(code)
    status = 200 if shown else 404
    return render(request, "verify.html", {"shown": shown, "code": code}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    """The member's reminder e-mails: on or off, and the last ones sent."""
    from certcredit.services import reminders

    if request.method == "POST":
        reminders.set_reminders(request.user, request.user, request.POST.get("reminders") == "on")
        messages.success(request, "Reminder setting saved.")
        return redirect("reminders")
    setting = reminders.setting_for(request.user)
    sent = request.user.sent_messages.all()[:20]
    return render(request, "reminders.html", {"setting": setting, "sent": sent})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every reminder: no sign-in; a GET asks, a POST turns reminders off (so a mail scanner that
    follows links unsubscribes no one)."""
    from certcredit.services import reminders

    person = reminders.person_for_token(token)
    if person is None:
        raise Http404("no such unsubscribe link")
    done = False
    if request.method == "POST":
        reminders.set_reminders(None, person, False)
        done = True
    return render(request, "unsubscribe.html", {"done": done})
