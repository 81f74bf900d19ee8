"""Open Badges pages: what the issuer publishes (profile, keys, status lists, achievements), the holder's badge
download, the staff's suspension, and a public page where anyone checks a badge file. Each view parses, calls
``services.badges``, renders."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certcredit.services import badges
from certcredit.services import credentials as creds
from certcredit.services.access import Forbidden

#: at most this many bytes of an uploaded or pasted badge are read (a badge is a few kilobytes)
MAX_UPLOAD = 64_000


def _public_json(document: Any, content_type: str = "application/json") -> HttpResponse:
    """A published document: anyone may fetch it, from any site (CORS), and caches keep it only briefly so a
    revocation shows soon."""
    response = HttpResponse(json.dumps(document, indent=2, ensure_ascii=False), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def issuer(request: HttpRequest) -> HttpResponse:  # noqa: ARG001 (Django's signature)
    """The issuer's profile, at the address every badge names as its issuer's id."""
    return _public_json(badges.issuer_profile(), "application/ld+json")


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:  # noqa: ARG001 (Django's signature)
    """The public keys (active and retired) as a JWKS: a verifier picks the one the badge's ``kid`` names."""
    return _public_json(badges.key_set(), "application/jwk-set+json")


@require_GET
def achievement(request: HttpRequest, family: str) -> HttpResponse:  # noqa: ARG001 (Django's signature)
    try:
        return _public_json(badges.achievement(family), "application/ld+json")
    except LookupError as error:
        raise Http404(str(error)) from error


@require_GET
def status_list(request: HttpRequest, purpose: str, signed: bool = False) -> HttpResponse:  # noqa: ARG001
    """The revocation or suspension Bitstring Status List credential, as the store has it now; ``.jwt``: signed."""
    if purpose not in ("revocation", "suspension"):
        raise Http404(f"no status list {purpose!r}")
    if not signed:
        response = _public_json(badges.status_list(purpose), "application/vc+ld+json")
    else:
        try:
            response = HttpResponse(badges.signed_status_list(purpose), content_type="application/vc+jwt")
        except badges.NoSigningKey as error:
            raise Http404(str(error)) from error
        response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=60"
    return response


def _badge(request: HttpRequest, credential_id: int) -> Any:
    try:
        credential = creds.credential_of(request.user, credential_id)
    except LookupError as error:
        raise Http404(str(error)) from error
    return credential, badges.badge_for(request.user, credential)


@login_required
@require_GET
def download(request: HttpRequest, credential_id: int, fmt: str) -> HttpResponse:
    """The holder's (or staff's) badge: ``jwt`` the signed VC-JWT to hand to an employer or a wallet, ``json``
    the credential it carries, to read."""
    if fmt not in ("jwt", "json"):
        raise Http404(f"no badge format {fmt!r}")
    try:
        credential, issued = _badge(request, credential_id)
    except badges.BadgeUnavailable as error:
        messages.error(request, str(error))
        return redirect("credential", credential_id=credential_id)
    name = f"{credential.family}-badge-{credential.code}"
    if fmt == "jwt":
        response = HttpResponse(issued.token + "\n", content_type="application/vc+jwt")
    else:
        text = json.dumps(badges.decoded(issued), indent=2, ensure_ascii=False)
        response = HttpResponse(text, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def suspension(request: HttpRequest, credential_id: int) -> HttpResponse:
    """Staff suspend the credential's badges (with a reason) or lift the suspension."""
    try:
        credential = creds.credential_of(request.user, credential_id)
    except LookupError as error:
        raise Http404(str(error)) from error
    try:
        badges.set_suspension(
            request.user, credential, request.POST.get("suspend") == "1", request.POST.get("reason", "")
        )
    except Forbidden as error:
        raise PermissionDenied(str(error)) from error
    except creds.CredentialInvalid as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Badge suspended." if request.POST.get("suspend") == "1" else "Suspension lifted.")
    return redirect("credential", credential_id=credential.pk)


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """Public: paste or upload an Open Badge (the .jwt file) and see whether it holds, and why not."""
    result = None
    problem = ""
    if request.method == "POST":
        upload = request.FILES.get("badge")
        raw = upload.read(MAX_UPLOAD + 1) if upload else request.POST.get("token", "").encode()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
            problem = "The file is not text: choose the badge's .jwt file."
        if not problem and not text.strip():
            problem = "Paste the badge (the text of its .jwt file) or choose the file."
        elif not problem and text.lstrip().startswith("{"):
            problem = "This is the badge's JSON without its signature: use the .jwt file."
        elif not problem:
            result = badges.verify(text)
    status = 200 if not problem else 422
    return render(request, "badge_check.html", {"result": result, "problem": problem}, status=status)
