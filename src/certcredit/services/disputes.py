"""A provider's dispute of the decision on one of its sessions, and how a reviewer settles it.

A dispute puts the session in the reviewers' queue (``reviews.queue``) whatever its decision says. The reviewer
settles it through the ordinary review (``reviews.review``): a reviewed decision equal to the disputed one
(verdict, category, subject area, topic) upholds it, any other changes it. Raising and settling are written to
the history with who and when; the provider's page shows the outcome and the reviewer's note.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from certcredit.services import decisions, history
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Decision, Dispute, Session

REASON_LIMIT = 2000
#: the decisions a provider may dispute: a needs_review one is already waiting for a person
DISPUTABLE = ("qualifies", "does_not_qualify")


class DisputeInvalid(ValueError):
    """A dispute that cannot be raised; ``field`` names the form field or JSON key at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class DisputeConflict(ValueError):
    """A dispute that would not apply now (one is open already, the decision is a designation, none taken)."""


def open_dispute(session: Session) -> Dispute | None:
    return session.disputes.filter(status=Dispute.Status.OPEN).select_related("raised_by", "disputed").first()


def has_open_dispute() -> Exists:
    """For querysets of sessions: the session has an open dispute."""
    return Exists(_open())


def open_dispute_field(column: str) -> Subquery:
    """For querysets of sessions: a column of the open dispute (``raised_at``, ``reason``), or None."""
    return Subquery(_open().values(column)[:1])


def _open() -> QuerySet[Dispute]:
    return Dispute.objects.filter(session=OuterRef("pk"), status=Dispute.Status.OPEN)


def raise_dispute(actor: Person, session: Session, reason: str) -> Dispute:
    """Dispute the decision that applies to ``session`` (the caller has checked it is the actor's provider's)."""
    reason = reason.strip()
    if not reason:
        raise DisputeInvalid("reason", "Say why the decision is wrong: the reviewer reads it.")
    if len(reason) > REASON_LIMIT:
        raise DisputeInvalid("reason", f"Keep the reason under {REASON_LIMIT} characters.")
    applying = decisions.decision_for(session)
    if applying is None:
        raise DisputeConflict("the session has no decision yet; wait for the evaluator")
    if applying.kind == decisions.DESIGNATED:
        raise DisputeConflict("the session is designated; a designation is not disputed, it applies as given")
    if applying.verdict not in DISPUTABLE:
        raise DisputeConflict("the session is already waiting for a reviewer")
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(session=session, disputed=applying, reason=reason, raised_by=actor)
            history.record_change(actor, "dispute", dispute, None, note=f"disputed decision {applying.pk}")
    except IntegrityError:
        raise DisputeConflict("the decision on this session is already disputed") from None
    return dispute


def settle_open(reviewer: Person, session: Session, decision: Decision, note: str) -> Dispute | None:
    """Called by ``reviews.review`` after the reviewed decision is stored: settle the open dispute, if any."""
    dispute = session.disputes.select_for_update().filter(status=Dispute.Status.OPEN).first()
    if dispute is None:
        return None
    before = history.snapshot(dispute)
    old = dispute.disputed
    same = (old.verdict, old.category, old.subject_area, old.topic) == (
        decision.verdict,
        decision.category,
        decision.subject_area,
        decision.topic,
    )
    dispute.status = Dispute.Status.UPHELD if same else Dispute.Status.CHANGED
    dispute.settled_by, dispute.settled_at = reviewer, timezone.now()
    dispute.outcome, dispute.note = decision, note.strip()
    dispute.save()
    history.record_change(reviewer, "settle", dispute, before, note=f"{dispute.status}: decision {decision.pk}")
    return dispute


def disputes_of(sessions: QuerySet[Session]) -> QuerySet[Dispute]:
    return (
        Dispute.objects.filter(session__in=sessions)
        .select_related("session", "raised_by", "settled_by", "disputed", "outcome")
        .order_by("-raised_at", "-id")
    )
