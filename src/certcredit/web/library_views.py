"""The CLRM members' library on the web, and the staff's member-list page (docs/clrm.md, "Library and membership").

Only current members list, search, read and download papers (``services.library`` decides); anyone else signed in
gets one "members only" page (403) whatever they ask for, which names no paper; a visitor who is not signed in is
sent to sign in. The file is served by ``download`` only: no paper file is reachable under ``/media/``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from certcredit.services import library, membership
from certcredit.services.access import Forbidden, is_staff
from certcredit.services.imports import load_upload
from certcredit.web.forms import TABLE_FILES, DataFileField

PAGE = 25
PAPER_TYPES = (("", "Any type"), ("grievance", "Grievance arbitrations"), ("interest", "Factfinding and interest"))


class SearchForm(forms.Form):
    q = forms.CharField(label="Words in the paper", required=False, max_length=200)
    arbitrator = forms.CharField(label="Arbitrator", required=False, max_length=200)
    paper_type = forms.ChoiceField(label="Paper type", required=False, choices=PAPER_TYPES)
    year = forms.IntegerField(label="Year accepted", required=False, min_value=1900, max_value=2999)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def clean_q(self) -> str:
        return str(self.cleaned_data["q"]).replace("\x00", "")

    def clean_arbitrator(self) -> str:
        return str(self.cleaned_data["arbitrator"]).replace("\x00", "")


class MemberListForm(forms.Form):
    file = DataFileField(
        kinds=TABLE_FILES,
        label="Member list",
        help_text="CSV with a header row: email, from, until (YYYY-MM-DD; until empty while the membership runs); "
        "or JSON / JSON Lines with the same keys. At most 10 MB.",
    )


def _members_only(request: HttpRequest) -> None:
    if not library.may_read(request.user):
        raise PermissionDenied(
            "The CLRM library is open to current members of the association only. "
            "If your membership has been renewed, the association's office can update it."
        )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Search the library (current members only): words, arbitrator, paper type, year."""
    _members_only(request)
    form = SearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "library.html", _search_context(request, form, None), status=400)
    data = form.cleaned_data if request.GET else {}
    query = library.Search(
        text=data.get("q") or "",
        arbitrator=data.get("arbitrator") or "",
        paper_type=data.get("paper_type") or "",
        year=data.get("year"),
    )
    page = data.get("page") or 1
    found = library.search(request.user, query, limit=PAGE, offset=(page - 1) * PAGE)
    return render(request, "library.html", _search_context(request, form, found, page))


def _search_context(request: HttpRequest, form: SearchForm, found: Any, page: int = 1) -> dict[str, Any]:
    options = library.choices(request.user)
    shown = membership.standing(request.user)
    context: dict[str, Any] = {"form": form, "found": found, "page": page, "options": options, "standing": shown}
    if found is not None:
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        context["pages"] = max(1, -(-found.count // PAGE))
        context["first"] = (page - 1) * PAGE + 1
    return context


@login_required
def paper(request: HttpRequest, paper_id: int) -> HttpResponse:
    """One paper: what it is and its text (current members only); the read is logged."""
    _members_only(request)
    try:
        shown = library.read(request.user, paper_id, "page")
    except library.NotFound as error:
        raise Http404(str(error)) from error
    except library.NotMember as error:  # membership ended between the two checks
        raise PermissionDenied(str(error)) from error
    return render(request, "library_paper.html", {"paper": shown, "paragraphs": _paragraphs(shown.text)})


def _paragraphs(text: str) -> list[str]:
    blocks = [" ".join(block.split()) for block in text.replace("\r", "").split("\n\n")]
    if len(blocks) <= 1:
        blocks = [" ".join(line.split()) for line in text.splitlines()]
    return [block for block in blocks if block]


@login_required
def download(request: HttpRequest, paper_id: int) -> FileResponse:
    """The paper's file as it was accepted (current members only); the download is logged."""
    _members_only(request)
    try:
        shown, handle = library.open_file(request.user, paper_id)
    except library.NotFound as error:
        raise Http404(str(error)) from error
    except library.NotMember as error:
        raise PermissionDenied(str(error)) from error
    response = FileResponse(handle, as_attachment=True, filename=shown.file_name, content_type=shown.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    """Staff: import the association's member list, see the stored memberships and the latest library reads."""
    if not is_staff(request.user):
        raise PermissionDenied("only staff may import the member list")
    form = MemberListForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = load_upload(upload.name, upload.read())
            report = membership.import_members(rows, request.user, upload.name)
        except (ValueError, Forbidden) as error:  # unreadable as a whole: nothing stored
            form.add_error("file", str(error))
        else:
            if report.ok:
                messages.success(
                    request,
                    f"Member list {upload.name}: {report.added} added, {report.updated} updated, "
                    f"{report.already_present} already there.",
                )
                return redirect("library-members")
    search = request.GET.get("search", "")[:200].replace("\x00", "")
    today = membership.today()
    periods = [(m, _state(m, today)) for m in membership.memberships(request.user, search)[:500]]
    context = {
        "form": form,
        "report": report,
        "periods": periods,
        "search": search,
        "today": today,
        "reads": library.read_log(request.user, 50),
        "current_count": sum(1 for _m, state in periods if state == "current"),
    }
    return render(request, "library_members.html", context)


def _state(period: Any, today: Any) -> str:
    if period.starts_on > today:
        return "not yet"
    return "current" if period.ends_on is None or period.ends_on >= today else "ended"
