"""The documents of a credential as PDF: the certificate, the exam-eligibility letter, the recertification
confirmation and the transcript of a cycle. Each carries the verification address and its QR code.

Only the holder and staff may download a credential's documents (anyone else: "not found", as for a missing
one); a document the credential's state does not support (a certificate of a revoked credential, a letter
before approval) is refused with the reason. Rendering is ``certcredit.documents`` (WeasyPrint, no network).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone

from certcredit.documents import qr_svg, render_pdf
from certcredit.engine import credential as dates
from certcredit.engine.audit import choose_version
from certcredit.rules.load import load_program
from certcredit.services import audits, progress_view
from certcredit.services import credentials as creds
from certcredit.store.accounts.models import Person
from certcredit.store.credentials.models import Application, Credential

KINDS = ("certificate", "eligibility-letter", "recertification", "transcript")
ISSUER = "certcredit · certification staff"


class DocumentUnavailable(ValueError):
    """The credential's state does not support this document now; the message says why."""


def available(credential: Credential, today: dt.date | None = None) -> list[str]:
    """The documents the credential supports now, in ``KINDS`` order."""
    found = []
    state = creds.standing(credential, today).state
    if state in (dates.VALID, dates.RETIRED):
        found.append("certificate")
    if credential.status != creds.Status.REVOKED and _approved(credential, exam=True) is not None:
        found.append("eligibility-letter")
    if state in (dates.VALID, dates.RETIRED) and _approved(credential, exam=False) is not None:
        found.append("recertification")
    if credential.anniversary is not None and credential.status != creds.Status.REVOKED:
        found.append("transcript")
    return found


def _approved(credential: Credential, exam: bool) -> Application | None:
    approved = credential.applications.filter(status=creds.APPROVED)
    recertifications = approved.filter(kind=creds.Kind.RECERTIFICATION)
    found = approved.exclude(pk__in=recertifications) if exam else recertifications
    return found.order_by("-decided_at", "-id").first()


def verify_url(base_url: str, credential: Credential) -> str:
    return f"{base_url.rstrip('/')}/verify/{credential.code}"


def render(
    viewer: Person,
    credential: Credential,
    kind: str,
    base_url: str,
    application: Application | None = None,
    today: dt.date | None = None,
) -> tuple[str, bytes]:
    """``(file name, PDF bytes)`` of one document; ``LookupError`` if the viewer may not see the credential,
    ``DocumentUnavailable`` if its state does not support the document."""
    credential = creds.credential_of(viewer, credential.pk)
    today = today or timezone.localdate()
    if kind not in KINDS:
        raise LookupError(f"no document {kind!r}; use one of {', '.join(KINDS)}")
    if kind not in available(credential, today):
        raise DocumentUnavailable(f"no {kind.replace('-', ' ')} for a credential that is {_state_words(credential)}")
    values = creds.credential_values(credential, today)
    url = verify_url(base_url, credential)
    context: dict[str, Any] = {
        "values": values, "verify_url": url, "qr": qr_svg(url), "issuer": ISSUER, "today": today,
    }  # fmt: skip
    if kind == "eligibility-letter":
        letter = _approved(credential, exam=True)
        context["application"] = letter
        context["track"] = creds.TRACKS.get((letter.attestations if letter else {}).get("track", ""), "—")
    elif kind == "recertification":
        confirmed = _approved(credential, exam=False)
        context["application"] = confirmed
        total = next((r for r in confirmed.audit["requirements"] if r["id"] == "total"), None) if confirmed else None
        context["total"] = total["counted_hours"] if total else 0
    elif kind == "transcript":
        context.update(_transcript(viewer, credential, application, today))
    name = f"{values['abbreviation'].lower()}-{kind}-{credential.code[:5].lower()}.pdf"
    return name, render_pdf(kind, context)


def _state_words(credential: Credential) -> str:
    state = creds.standing(credential).state
    return credential.status if state == dates.NOT_CERTIFIED else state


def _transcript(
    viewer: Person, credential: Credential, application: Application | None, today: dt.date
) -> dict[str, Any]:
    """The cycle's audit: frozen in a recertification application, or the current cycle's, live."""
    if application is not None:
        if application.credential_id != credential.pk or application.kind != creds.Kind.RECERTIFICATION:
            raise LookupError(f"no recertification application {application.pk} of this credential")
        report, rows, frozen = application.audit, application.records, application.submitted_on
    else:
        book = creds.rules(credential.family)
        assert credential.valid_until is not None
        shown = audits.progress(viewer, credential.person, book.recertification_program, credential.valid_until,
                                today=today)  # fmt: skip
        report, frozen = shown.report, None
        rows = [
            {
                "id": ident,
                "date": r.date.isoformat(),
                "title": r.title,
                "subject_area": shown.credits[ident].subject_area,
            }
            for ident, r in shown.records.items()
        ]
    program = load_program(report["program"])
    book_version = choose_version(program, dt.date.fromisoformat(report["as_of"]))
    names = {b.id: b.name for b in book_version.buckets}
    if book_version.total is not None:
        names[book_version.total.id] = book_version.total.name
    by_id = {row["id"]: row for row in rows}
    by_area: dict[str, float] = defaultdict(float)
    allocations = []
    for line in report["allocations"]:
        row = by_id.get(line["record"], {"date": "", "title": line["record"], "subject_area": ""})
        allocations.append((line, row))
        by_area[row.get("subject_area") or "(none)"] += float(line["hours"])
    dates = {row["id"]: dt.date.fromisoformat(row["date"]) for row in rows if row.get("date")}
    figures, drawing = progress_view.chart(report, names, dates, chart_id="transcript-chart")
    return {
        "report": report,
        "frozen": frozen,
        "bars": progress_view.bars(report, names),
        "chart": figures,
        "chart_svg": drawing,
        "requirements": [(line, names.get(line["id"], line["id"])) for line in report["requirements"]],
        "allocations": allocations,
        "by_area": sorted(by_area.items()),
    }
