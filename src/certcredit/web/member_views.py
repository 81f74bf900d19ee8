"""The member's pages: Progress (bars, chart, what-if, plan, the programs one pursues), a record by form (add,
edit, delete, with its history) and "I attended" from the catalogue. Each view parses the request, calls a
service and renders; the services decide who may see and change what."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from certcredit.services import audits, credentials, progress_view, queries
from certcredit.services import records as record_service
from certcredit.services.people import UnknownPerson
from certcredit.web.forms import ProgressForm
from certcredit.web.member_forms import ProgramsForm, RecordForm

#: the most upcoming catalogue sessions the what-if offers (the soonest)
WHAT_IF_CHOICES = 60


@login_required
def progress(request: HttpRequest) -> HttpResponse:
    """A person's audit against a program: one's own, or (staff) anyone's with ``?person=email``.

    A person the viewer may not see is "not found", as a missing one is. The form is GET, so a progress page
    (with its planned sessions, ``planned=ID``, and a plan's date, ``by``) can be bookmarked; until a program is
    asked for, the first program the person pursues is shown as of its default date.
    """
    email = request.GET.get("person")
    try:
        person = queries.person_seen_by(request.user, email)
    except UnknownPerson as error:
        raise Http404(str(error)) from error
    step = credentials.next_step(person)
    held = credentials.current_credential(person)
    pursued = progress_view.pursued(person)
    show_all = bool(request.GET.get("all"))
    first = step.program if step.program in pursued.programs else (pursued.programs or (None,))[0]
    today = timezone.localdate()
    initial = {"as_of": (step.as_of or today).isoformat(), "program": first}
    asked = any(key in request.GET for key in ("program", "as_of", "specialty", "cycle_start"))
    form = ProgressForm(request.GET if asked else (initial if first else None), initial=initial)
    # programs by their names (the codes are in the report's details fold)
    form.fields["program"].choices = [(p.id, p.name) for p in audits.record_programs()]
    if pursued.programs and not show_all:
        # only the programs the person pursues (``?all=1`` offers every program), and one asked for by address
        offered = {*pursued.programs, request.GET.get("program", "")}
        form.fields["program"].choices = [c for c in form.fields["program"].choices if c[0] in offered]
    context: dict[str, Any] = {
        "form": form, "person": person, "own": person == request.user, "step": step, "credential": held,
        "pursued": pursued, "programs_form": ProgramsForm(initial={"programs": list(pursued.programs)}),
        "show_all": show_all, "today": today,
        "pursued_names": [(p.id, p.name) for p in audits.record_programs() if p.id in pursued.programs],
    }  # fmt: skip
    if form.is_bound and form.is_valid():
        context.update(_shown(request, person, form, step))
    return render(request, "progress.html", context)


def _shown(request: HttpRequest, person: Any, form: ProgressForm, step: Any) -> dict[str, Any]:
    """The audit and everything drawn from it: bars, chart, what-if, plan (errors go beside their field)."""
    data = form.cleaned_data
    program, as_of, specialty = data["program"], data["as_of"], data["specialty"] or None
    try:
        shown = audits.progress(request.user, person, program, as_of, specialty, cycle_start=data.get("cycle_start"))
    except audits.ProgressInvalid as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return {}
    report = shown.report
    names = progress_view.requirement_names(shown.audit)
    dates = {ident: r.date for ident, r in shown.records.items()}
    found: dict[str, Any] = {"progress": shown, "view": _progress_view(shown)}
    planned, what_if_error = _planned_ids(request)
    what_if = None
    if planned and what_if_error is None:
        try:
            what_if = progress_view.what_if_sessions(
                request.user, person, program, as_of, planned, specialty, cycle_start=data.get("cycle_start")
            )
        except audits.ProgressInvalid as error:
            what_if_error = str(error)
    plan_audit = what_if.report["audit"] if what_if else None
    if what_if:
        dates.update(progress_view.session_dates(what_if.sessions))
    found["bars"] = progress_view.bars(report, names, plan_audit)
    found["chart"], found["chart_svg"] = progress_view.chart(report, names, dates, plan_audit)
    found["what_if"], found["what_if_error"], found["planned"] = what_if, what_if_error, set(planned)
    if what_if:
        found["what_if_lines"] = [
            (
                use,
                what_if.sessions.get(use["record"]),
                [(names.get(c["requirement"], c["requirement"]), c["hours"]) for c in use["counts_for"]],
            )
            for use in what_if.report["planned"]
        ]
    until = max(as_of, timezone.localdate() + dt.timedelta(days=365))
    found["choices"] = progress_view.upcoming_sessions(timezone.localdate(), until)[:WHAT_IF_CHOICES]
    keep = {"program": program, "as_of": as_of.isoformat(), "specialty": specialty or "",
            "cycle_start": data["cycle_start"].isoformat() if data.get("cycle_start") else "",
            "person": person.email if person != request.user else "", "all": request.GET.get("all", "")}  # fmt: skip
    found["keep"] = {k: v for k, v in keep.items() if v}  # what the what-if and plan forms carry along
    found["plan"], found["plan_error"], found["by"] = _plan(request, person, program, as_of, specialty, names)
    if found["plan"] is not None:
        chosen = [("planned", str(found["plan"]["ids"][ident])) for ident in found["plan"]["ids"]]
        query = urlencode([*(found["keep"] | {"as_of": found["plan"]["as_of"]}).items(), *chosen])
        found["plan"]["try_url"] = f"{reverse('progress')}?{query}#requirements"
    found["apply_kind"] = _apply_kind(shown, step)
    return found


def _planned_ids(request: HttpRequest) -> tuple[list[int], str | None]:
    ids = []
    for text in request.GET.getlist("planned"):
        if not text.strip().isdigit() or len(text.strip()) > 18:
            return [], f"unreadable session {text!r}"
        ids.append(int(text))
    return ids, None


def _plan(
    request: HttpRequest, person: Any, program: str, as_of: dt.date, specialty: str | None, names: dict[str, str]
) -> tuple[dict[str, Any] | None, str | None, str]:
    """The plan asked for with ``by=YYYY-MM-DD`` (the audit as of that day), or nothing."""
    text = request.GET.get("by", "").strip()
    if not text:
        return None, None, as_of.isoformat() if as_of > timezone.localdate() else ""
    try:
        by = audits.parse_as_of(text)
        data, sessions = progress_view.plan_sessions(request.user, person, program, by, by, specialty)
    except audits.ProgressInvalid as error:
        return None, str(error).replace("as-of date", "date"), text
    data["lines"] = [
        (
            s,
            sessions.get(s["record"]),
            [(names.get(c["requirement"], c["requirement"]), c["hours"]) for c in s["counts_for"]],
        )
        for s in data["sessions"]
    ]
    data["ids"] = {s["record"]: sessions[s["record"]].pk for s in data["sessions"] if s["record"] in sessions}
    return data, None, text


def _apply_kind(shown: audits.Progress, step: credentials.NextStep) -> str | None:
    """The application the shown audit supports, if complete and the person's next step: its kind."""
    program = shown.report["program"]
    if not shown.report["complete"] or program not in step.programs:
        return None
    if step.kind == credentials.Kind.RECERTIFICATION:
        return step.kind if shown.report["as_of"] == (step.as_of.isoformat() if step.as_of else None) else None
    if shown.report["as_of"] != timezone.localdate().isoformat():
        return None  # an exam application is audited as of the day it is made
    return credentials.Kind.SPECIALIST if shown.report.get("specialty") else credentials.Kind.EXAM


def _progress_view(shown: audits.Progress) -> dict[str, Any]:
    """The report's lines with what a template cannot look up: requirement names, the stored records and where
    each record's category came from (``audits.credit_of``: a note for the page only, so the API's object stays
    the CLI's)."""
    report = shown.report
    names = {s.id: s.name for s in shown.audit.requirements}
    return {
        "requirements": [(line, names.get(line["id"], line["id"])) for line in report["requirements"]],
        "allocations": [
            (
                line,
                shown.records.get(line["record"]),
                shown.credits.get(line["record"]),
                names.get(line["requirement"], line["requirement"]),
            )
            for line in report["allocations"]
        ],
        "unused": [
            (line, shown.records.get(line["record"]), shown.credits.get(line["record"])) for line in report["unused"]
        ]
        # a stored record the one reading refuses (kept before a bound files have now) does not count either
        + [({"record": line["record"], "reason": line["error"]}, None, None) for line in report["rejected"]],
        "leaving": [
            (line, shown.records.get(line["record"]))
            for line in (report["outlook"]["ageing_out"] or {}).get("leaving", [])
        ],
    }


@login_required
@require_POST
def choose_programs(request: HttpRequest) -> HttpResponse:
    """Store the programs the person pursues (their own; staff for ``person``), then back to Progress."""
    email = request.POST.get("person")
    try:
        person = queries.person_seen_by(request.user, email)
    except UnknownPerson as error:
        raise Http404(str(error)) from error
    form = ProgramsForm(request.POST)
    back = reverse("progress") + (f"?person={person.email}" if person != request.user else "")
    if not form.is_valid():
        messages.error(request, "Choose at least one program.")
        return redirect(back)
    try:
        chosen = progress_view.choose_programs(request.user, person, form.cleaned_data["programs"])
    except progress_view.ProgramsInvalid as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Saved: {len(chosen.programs)} program{'s' if len(chosen.programs) != 1 else ''}.")
    return redirect(back)


# --- records by form ---------------------------------------------------------------------------------------------


def _form_values(form: RecordForm) -> dict[str, object]:
    return {name: form.cleaned_data.get(name, "") for name in record_service.FIELDS}


def _show_problems(form: RecordForm, error: record_service.RecordInvalid) -> None:
    for field, problems in error.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    """Add one record by hand (one's own); problems are shown beside their field with the typed values."""
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = record_service.create_record(request.user, request.user, _form_values(form))
        except record_service.RecordInvalid as error:
            _show_problems(form, error)
        except record_service.RecordConflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Record added: {record}.")
            return redirect("record", record_id=record.pk)
    return render(request, "record_form.html", {"form": form, "record": None})


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    """Edit a record (the owner, or staff); another member's record is "not found"."""
    record = _record(request, record_id)
    initial = {name: getattr(record, name, "") for name in record_service.FIELDS if name != "time"}
    initial["time"], initial["date"] = record.time_text, record.date.isoformat()
    form = RecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_service.update_record(request.user, record, _form_values(form))
        except record_service.RecordInvalid as error:
            _show_problems(form, error)
        except record_service.RecordConflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Record saved.")
            return redirect("record", record_id=record.pk)
    return render(request, "record_form.html", {"form": form, "record": record})


@login_required
@require_http_methods(["GET", "POST"])
def record_delete(request: HttpRequest, record_id: int) -> HttpResponse:
    """Ask, then delete a record (the owner, or staff); the history keeps it as it was."""
    record = _record(request, record_id)
    if request.method == "POST":
        owner = record.person
        record_service.delete_record(request.user, record)
        messages.success(request, f"Record deleted: {record}.")
        if owner != request.user:
            return redirect(reverse("records") + f"?person={owner.email}")
        return redirect("records")
    return render(request, "record_delete.html", {"record": record})


def _record(request: HttpRequest, record_id: int) -> Any:
    try:
        return queries.record_of(request.user, record_id)
    except LookupError as error:
        raise Http404(str(error)) from error


@login_required
@require_POST
def attend(request: HttpRequest, session_id: int) -> HttpResponse:
    """ "I attended": a record linked to the catalogue session, once; then back to the catalogue."""
    try:
        session = record_service.session_to_attend(session_id)
    except LookupError as error:
        raise Http404(str(error)) from error
    try:
        record = record_service.attend_session(request.user, request.user, session)
    except (record_service.RecordConflict, record_service.SessionUnattendable) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Added to your records: {record.title} ({record.date:%Y-%m-%d}).")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/sessions/") else "sessions")
