"""The Open Badges endpoints of the REST API (registered on ``certcredit.web.api.api`` by ``web.urls``).

The badge of a credential goes to its holder and staff only (another's is 404, as a missing one); staff suspend
and lift suspensions; ``POST /api/verify`` needs no sign-in and checks a badge against this issuer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Schema

from certcredit.services import badges
from certcredit.services import credentials as creds
from certcredit.web.api import ERRORS, FieldProblem, InvalidField, Problem, api

TAGS = ["open badges"]


class BadgeOut(Schema):
    credential: int
    vc_jwt: str
    kid: str
    issued_at: dt.datetime
    valid_until: dt.date | None
    suspended: bool
    status_index: int
    decoded: dict[str, Any]


class SuspensionIn(Schema):
    suspended: bool
    reason: str = ""


class SuspensionOut(Schema):
    credential: int
    suspended: bool
    changed: int


class VerifyIn(Schema):
    vc_jwt: str


class VerifyOut(Schema):
    verified: bool
    reason: str | None
    message: str
    kid: str | None
    checks: list[str]
    credential: dict[str, Any] | None


def _credential(request: HttpRequest, credential_id: int) -> Any:
    try:
        return creds.credential_of(request.auth, credential_id)
    except LookupError:
        raise Http404 from None


@api.get("/credentials/{credential_id}/badge", response={200: BadgeOut, **ERRORS, 409: Problem}, tags=TAGS)
def get_badge(request: HttpRequest, credential_id: int) -> Any:
    """The credential's Open Badge for its current cycle (issued on first request): the signed `vc_jwt` and the
    `decoded` credential. Holder and staff only; 409 when the credential is not valid or retired, or the site
    has no signing key yet."""
    credential = _credential(request, credential_id)
    try:
        issued = badges.badge_for(request.auth, credential)
    except badges.BadgeUnavailable as error:
        return api.create_response(request, {"message": str(error)}, status=409)
    return {
        "credential": credential.pk, "vc_jwt": issued.token, "kid": issued.key.kid, "issued_at": issued.issued_at,
        "valid_until": issued.valid_until, "suspended": issued.suspended_at is not None,
        "status_index": issued.status_index, "decoded": badges.decoded(issued),
    }  # fmt: skip


@api.post(
    "/credentials/{credential_id}/badge/suspension",
    response={200: SuspensionOut, **ERRORS, 422: FieldProblem},
    tags=TAGS,
)
def set_suspension(request: HttpRequest, credential_id: int, body: SuspensionIn) -> dict[str, Any]:
    """Staff: suspend every badge of the credential (`reason` required) or lift the suspension; the suspension
    status list says so at once."""
    credential = _credential(request, credential_id)
    try:
        changed = badges.set_suspension(request.auth, credential, body.suspended, body.reason)
    except creds.CredentialInvalid as error:
        raise InvalidField(error.field or "", str(error)) from None
    return {"credential": credential.pk, "suspended": body.suspended, "changed": changed}


@api.post("/verify", auth=None, response={200: VerifyOut, 400: Problem, 413: Problem, 422: FieldProblem}, tags=TAGS)
def verify(request: HttpRequest, body: VerifyIn) -> dict[str, Any]:  # noqa: ARG001 (the framework's signature)
    """Public: check an Open Badge (`vc_jwt`, the text of its .jwt file) against this issuer: signature and key,
    issuer, dates, revocation and suspension. 200 with `verified` true, or false with the `reason`
    (`bad signature`, `unknown key`, `wrong issuer`, `expired`, `not yet valid`, `revoked`, `suspended`,
    `malformed`, …) and a `message`."""
    if len(body.vc_jwt) > badges.MAX_TOKEN:
        raise InvalidField("vc_jwt", f"vc_jwt is longer than {badges.MAX_TOKEN} characters")
    return badges.verify(body.vc_jwt).as_dict()
