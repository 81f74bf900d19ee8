"""What an approved provider does with its organization's sessions (``../shared/domain/clm.md`` R15–R17): see
each session's decision, dispute one, publish the qualifying ones to the catalogue, download the credit form and
record an attendance roster.

A provider acts for the organization its ``provider`` role grant names. Everything here is scoped to that
organization: a session or submission of another organization is "not found" (``LookupError``), as a missing one
is, so the answer does not tell whether it exists. Members, reviewers and staff without a provider grant get
``Forbidden``. Each change is written to the history with who and when.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from certcredit.io.readers import Row, RowError
from certcredit.services import decisions, disputes, history
from certcredit.services.access import Forbidden
from certcredit.services.imports import ImportReport, Rejection, import_records
from certcredit.store.accounts.models import Organization, Person, Role
from certcredit.store.catalog.models import Decision, Dispute, Session, Submission
from certcredit.values import vocabulary

CREDIT_FORM_COLUMNS = (
    "session", "title", "date", "minutes", "credit_hours", "decision", "category", "subject_area", "topic",
    "decided", "published",
)  # fmt: skip


def organization_of(person: Person) -> Organization:
    """The organization the person acts for as a provider (the first by name when several)."""
    grant = (
        person.role_grants.filter(role=Role.PROVIDER, organization__isnull=False)
        .select_related("organization")
        .order_by("organization__name")
        .first()
    )
    if grant is None or grant.organization is None:
        raise Forbidden("only a provider acting for an organization may do this")
    return grant.organization


def sessions(viewer: Person, search: str = "") -> QuerySet[Session]:
    """The organization's sessions, newest first, annotated with the applying decision and an open dispute."""
    organization = organization_of(viewer)
    found = Session.objects.filter(provider=organization).select_related("submission", "provider")
    if search.strip():
        found = found.filter(title__icontains=search.strip())
    found = decisions.with_applying(found).annotate(disputed=disputes.has_open_dispute())
    return found.order_by("-date", "title", "id")


def submissions(viewer: Person) -> QuerySet[Submission]:
    return Submission.objects.filter(organization=organization_of(viewer)).select_related("submitted_by")


def submission_of(viewer: Person, submission_id: int) -> Submission:
    found = submissions(viewer).filter(pk=submission_id).first()
    if found is None:
        raise LookupError(f"no submission {submission_id}")
    return found


def session_of(viewer: Person, session_id: int) -> Session:
    found = sessions(viewer).filter(pk=session_id).first()
    if found is None:
        raise LookupError(f"no session {session_id}")
    return found


def decorate(found: Iterable[Session]) -> list[Session]:
    """The sessions with ``applying`` (their Decision or None) and ``hours`` (credit hours when it qualifies)."""
    listed = decisions.attach_applying(found)
    for session in listed:
        session.hours = credit_hours(session, session.applying)
    return listed


def credit_hours(session: Session, applying: Decision | None) -> float:
    """Hours of credit: the minutes over 60 (rounded to 4 places, SPEC.md) when the decision qualifies."""
    if applying is None or applying.verdict != Decision.Verdict.QUALIFIES or not session.minutes:
        return 0.0
    return round(session.minutes / 60, 4)


def dispute(actor: Person, session_id: int, reason: str) -> Dispute:
    """Dispute the decision on one of the organization's sessions (``disputes.raise_dispute``)."""
    return disputes.raise_dispute(actor, session_of(actor, session_id), reason)


def disputes_of(viewer: Person) -> QuerySet[Dispute]:
    return disputes.disputes_of(Session.objects.filter(provider=organization_of(viewer)))


@dataclass(slots=True)
class Publication:
    published: list[Session] = field(default_factory=list)
    already: list[Session] = field(default_factory=list)
    refused: list[tuple[Session, str]] = field(default_factory=list)


def publish(actor: Person, session_ids: Sequence[int]) -> Publication:
    """Publish the chosen sessions to the catalogue: each must qualify now and have no open dispute.

    A session that does not qualify (yet) is refused with the reason and left as it is; the others are published
    (``published_at``, ``published_by``; a history entry each). A session from outside the submissions, e.g.
    imported by staff, is in the catalogue already.
    """
    chosen = decorate(sessions(actor).filter(pk__in=list(session_ids)))
    missing = set(session_ids) - {s.pk for s in chosen}
    if missing:
        raise LookupError(f"no session {min(missing)}")
    outcome = Publication()
    now = timezone.now()
    with transaction.atomic():
        for session in chosen:
            if session.published_at is not None or session.submission_id is None:
                outcome.already.append(session)
                continue
            reason = _not_publishable(session)
            if reason:
                outcome.refused.append((session, reason))
                continue
            before = history.snapshot(session)
            session.published_at, session.published_by = now, actor
            session.save(update_fields=["published_at", "published_by"])
            history.record_change(actor, "publish", session, before, note="published to the catalogue")
            outcome.published.append(session)
    return outcome


def _not_publishable(session: Session) -> str:
    applying = session.applying
    if getattr(session, "disputed", False):
        return "its decision is disputed; wait for the reviewer"
    if applying is None:
        return "not evaluated yet"
    if applying.verdict == Decision.Verdict.NEEDS_REVIEW:
        return "waiting for a reviewer"
    if applying.verdict != Decision.Verdict.QUALIFIES:
        return "does not qualify for credit"
    return ""


def credit_form_rows(viewer: Person, submission_id: int | None = None) -> tuple[Organization, list[dict[str, Any]]]:
    """Each session (of one submission, or all of the organization's) with its hours and category."""
    organization = organization_of(viewer)
    found = sessions(viewer)
    if submission_id is not None:
        found = found.filter(submission=submission_of(viewer, submission_id))
    rows = []
    for s in decorate(found.order_by("date", "start_time", "title", "id")):
        d = s.applying
        rows.append(
            {
                "session": s.pk,
                "title": s.title,
                "date": s.date.isoformat() if s.date else "",
                "minutes": s.minutes if s.minutes is not None else "",
                "credit_hours": s.hours,
                "decision": d.verdict if d else "",
                "category": d.category if d else "",
                "category_name": vocabulary.CATEGORY_NAMES.get(d.category, "") if d and d.category else "",
                "subject_area": d.subject_area if d else "",
                "topic": d.topic if d else "",
                "decided": f"{d.kind} {d.decided_at:%Y-%m-%d}" if d else "",
                "published": "yes" if s.published_at or s.submission_id is None else "no",
            }
        )
    return organization, rows


def credit_form_csv(viewer: Person, submission_id: int | None = None) -> str:
    """The credit form as CSV; cells that a spreadsheet would read as a formula are quoted with a '."""
    _organization, rows = credit_form_rows(viewer, submission_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CREDIT_FORM_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in CREDIT_FORM_COLUMNS])
    return out.getvalue()


def _cell(value: object) -> object:
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def credit_form_pdf(viewer: Person, submission_id: int | None = None) -> bytes:
    from certcredit.documents import render_pdf

    organization, rows = credit_form_rows(viewer, submission_id)
    submission = submission_of(viewer, submission_id) if submission_id is not None else None
    qualifying = [r for r in rows if r["decision"] == Decision.Verdict.QUALIFIES]
    context = {
        "organization": organization.name,
        "submission": submission,
        "rows": rows,
        "today": timezone.localdate(),
        "total_hours": round(sum(float(r["credit_hours"]) for r in rows), 4),
        "qualifying": len(qualifying),
        "by_category": _hours_by_category(qualifying),
    }
    return render_pdf("credit-form", context)


def _hours_by_category(rows: list[dict[str, Any]]) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    for row in rows:
        totals[row["category_name"]] = totals.get(row["category_name"], 0.0) + float(row["credit_hours"])
    return [(name, round(hours, 4)) for name, hours in sorted(totals.items())]


def record_roster(actor: Person, session_id: int, rows: Sequence[Row | RowError], file_name: str) -> ImportReport:
    """Attendance of one of the organization's sessions: one ``email`` a row (other columns ignored).

    Each attendee gets a record of the session (its date, title, minutes, format and, when it qualifies, the
    decided category, area and topic), linked to it, through the ordinary record import: the same keys, so a
    roster uploaded again adds nothing. A row with no e-mail or naming no account is rejected with its line.
    """
    session = session_of(actor, session_id)
    if session.date is None or not session.minutes:
        raise ValueError("the session has no date or no known duration; an attendance record needs both")
    readable = [row for row in rows if isinstance(row, Row)]
    if readable and not any("email" in row.data for row in readable):
        raise ValueError(f"{file_name}: no email column; a roster has one e-mail address a row")
    applying = decisions.decision_for(session)
    qualifies = applying is not None and applying.verdict == Decision.Verdict.QUALIFIES
    record = {
        "date": session.date.isoformat(),
        "title": session.title,
        "minutes": session.minutes,
        "format": session.format,
        "provider": session.provider.name if session.provider else "",
        "category": applying.category if qualifies and applying else "",
        "subject_area": applying.subject_area if qualifies and applying else "",
        "topic": applying.topic if qualifies and applying else "",
    }
    report = ImportReport(kind="roster", file_name=file_name, rows=len(rows))
    seen: set[int] = set()
    for row in rows:
        if isinstance(row, RowError):
            report.rejected.append(Rejection(row.position, row.where, row.reason))
            continue
        email = str(row.data.get("email") or "").strip()
        person = Person.objects.filter(email__iexact=email).first() if email else None
        if person is None:
            reason = f"no account with the e-mail {email!r}" if email else "missing email"
            report.rejected.append(Rejection(row.position, row.where, reason))
            continue
        if person.pk in seen:
            report.already_present += 1
            continue
        seen.add(person.pk)
        one = import_records(
            [Row(row.position, row.line, dict(record), row.unit)], person, actor, file_name, session=session
        )
        report.added += one.added
        report.already_present += one.already_present
        report.rejected.extend(one.rejected)
    history.record_change(
        actor,
        "roster",
        session,
        None,
        note=f"roster {file_name}: {report.added} added, {report.already_present} already there",
    )
    return report
