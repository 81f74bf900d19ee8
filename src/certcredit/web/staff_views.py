"""The staff dashboard's pages: people by program and status, the CSV export, the re-audit of everyone, spot-checks
of evidence and the reviewers' queue with its ageing. Only staff; everything goes through services.standings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from certcredit.services import standings
from certcredit.services.access import Forbidden


def _staff_only(request: HttpRequest) -> None:
    try:
        standings.check_staff(request.user)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error


def _filters(request: HttpRequest) -> tuple[standings.Filters, str | None]:
    try:
        return standings.Filters.read(request.GET), None
    except standings.DashboardInvalid as error:
        return standings.Filters(), str(error)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    filters, problem = _filters(request)
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 1
    shown = standings.dashboard(request.user, filters, page)
    run = standings.latest_reaudit(request.user)
    following = run is not None and run.state in ("waiting", "running")
    context: dict[str, Any] = {
        "filters": filters,
        "problem": problem,
        "board": shown,
        "statuses": [(value, label, shown.counts.get(value, 0)) for value, label in standings.STATUS_CHOICES],
        "programs": (standings.APPLICATION, standings.RECERTIFICATION),
        "run": run,
        "following": following,
        "query": request.GET.urlencode(),
    }
    return render(request, "staff_dashboard.html", context)


@login_required
@require_GET
def export(request: HttpRequest) -> StreamingHttpResponse:
    _staff_only(request)
    filters, problem = _filters(request)
    if problem:
        raise Http404(problem)
    day = timezone.localdate().isoformat()
    parts = [p for p in (filters.program, filters.status) if p]
    name = "-".join(["standings", *parts, day]) + ".csv"
    response = StreamingHttpResponse(standings.export_csv(request.user, filters), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def reaudit(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    standings.start_reaudit(request.user)
    messages.success(request, "Re-audit of everyone started: the worker runs it; this page follows it.")
    return redirect("staff")


@login_required
def spot_checks(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    problem = None
    if request.method == "POST":
        try:
            count = int(request.POST.get("count") or 0)
            made = standings.draw_spot_checks(request.user, count)
        except ValueError as error:
            problem = str(error) if isinstance(error, standings.DashboardInvalid) else "give a number of records"
        else:
            messages.success(request, f"{len(made)} record{'s' if len(made) != 1 else ''} drawn for a spot-check.")
            return redirect("staff-spot-checks")
    checks = standings.spot_checks(request.user)
    context = {
        "pending": list(checks.filter(outcome="pending")[:200]),
        "settled": list(checks.exclude(outcome="pending").order_by("-checked_at")[:50]),
        "problem": problem,
        "most": standings.SPOT_CHECK_MAX,
    }
    return render(request, "staff_spot_checks.html", context)


@login_required
@require_POST
def settle(request: HttpRequest, check_id: int) -> HttpResponse:
    _staff_only(request)
    try:
        standings.settle_spot_check(
            request.user, check_id, request.POST.get("outcome", ""), request.POST.get("note", "")
        )
    except LookupError as error:
        raise Http404(str(error)) from error
    except standings.DashboardInvalid as error:
        messages.error(request, f"Spot-check {check_id}: {error}")
    else:
        messages.success(request, f"Spot-check {check_id} recorded.")
    return redirect("staff-spot-checks")


@login_required
@require_GET
def review_ageing(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    waiting = standings.review_ageing(request.user)
    return render(request, "staff_review_ageing.html", {"waiting": waiting})
