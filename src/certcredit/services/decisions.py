"""Decisions on what a session counts for: taking one (with history) and finding the one that applies.

Which decision applies (RULES.md): a designation is never overridden by the evaluator, and a reviewer's word
replaces the evaluator's. So the latest ``designated`` decision wins, else the latest ``reviewed``, else the
latest ``evaluated``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from certcredit.services import history
from certcredit.services.access import Forbidden, is_staff, may_review
from certcredit.store.accounts.models import Person, Role
from certcredit.store.catalog.models import Decision, Session
from certcredit.values import vocabulary

DESIGNATED, REVIEWED, EVALUATED = "designated", "reviewed", "evaluated"
PRECEDENCE = (DESIGNATED, REVIEWED, EVALUATED)
VERDICTS = ("qualifies", "does_not_qualify", "needs_review")


@transaction.atomic
def decide(
    actor: Person | None,
    session: Session,
    kind: str,
    verdict: str,
    category: str = "",
    subject_area: str = "",
    topic: str = "",
    confidence: float | None = None,
    analysis: str = "",
) -> Decision:
    """Record a decision; ``actor`` None is the evaluator run from the command line. Reviews need a reviewer."""
    _check_allowed(actor, kind)
    _check_values(verdict, category, subject_area, topic, confidence)
    if verdict != "qualifies" and category:
        raise ValueError("only a qualifying decision names a category")
    decision = Decision.objects.create(
        session=session,
        kind=kind,
        verdict=verdict,
        category=category,
        subject_area=subject_area,
        topic=topic,
        confidence=confidence,
        analysis=analysis,
        decided_by=actor,
    )
    history.record_change(actor, "decide", decision, None, note=f"{kind} {verdict} for session {session.pk}")
    return decision


def decision_for(session: Session) -> Decision | None:
    """The decision that applies to a session now, or None when none was taken."""
    for kind in PRECEDENCE:
        found = session.decisions.filter(kind=kind).order_by("-decided_at", "-id").first()
        if found is not None:
            return found
    return None


def with_applying(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """The sessions annotated with the decision ``decision_for`` gives: ``applying_id``, ``applying_verdict``,
    ``applying_at`` (None where no decision was taken), in one query.

    Lists (the sessions page, the review queue) need the applying decision of many sessions at once; asking
    ``decision_for`` for each would cost three queries a session. The precedence is the same: a session with a
    designated decision takes its latest designated one, else its latest reviewed one, else its latest evaluated.
    """

    def applying(column: str, output: models.Field[Any, Any]) -> Coalesce:
        return Coalesce(*(Subquery(_latest(kind).values(column)[:1]) for kind in PRECEDENCE), output_field=output)

    return sessions.annotate(
        applying_id=applying("id", models.IntegerField()),
        applying_verdict=applying("verdict", models.CharField()),
        applying_at=applying("decided_at", models.DateTimeField()),
    )


def applying_decisions(sessions: Iterable[Session]) -> dict[int, Decision]:
    """Session id to its applying decision, for sessions annotated by ``with_applying`` (one query for all)."""
    wanted = {s.applying_id: s.pk for s in sessions if getattr(s, "applying_id", None) is not None}
    found = Decision.objects.select_related("decided_by").filter(pk__in=wanted)
    return {wanted[d.pk]: d for d in found}


def attach_applying(sessions: Iterable[Session]) -> list[Session]:
    """The sessions (annotated by ``with_applying``), each with ``applying``: its Decision or None, for pages."""
    listed = list(sessions)
    found = applying_decisions(listed)
    for session in listed:
        session.applying = found.get(session.pk)
    return listed


def _latest(kind: str) -> QuerySet[Decision]:
    return Decision.objects.filter(session=OuterRef("pk"), kind=kind).order_by("-decided_at", "-id")


def _check_allowed(actor: Person | None, kind: str) -> None:
    if kind not in PRECEDENCE:
        raise ValueError(f"unknown decision kind {kind!r}; use one of {', '.join(PRECEDENCE)}")
    if actor is None:
        return
    if kind == REVIEWED and not may_review(actor):
        raise Forbidden("only reviewers and staff may review a session")
    if kind == DESIGNATED and not (actor.has_role(Role.PROVIDER) or is_staff(actor)):
        raise Forbidden("only providers and staff may designate a session")
    if kind == EVALUATED and not is_staff(actor):
        raise Forbidden("only staff may record an evaluation by hand")


def _check_values(verdict: str, category: str, subject_area: str, topic: str, confidence: float | None) -> None:
    checks = (
        ("verdict", verdict, VERDICTS),
        ("category", category, vocabulary.CATEGORIES),
        ("subject area", subject_area, vocabulary.SUBJECT_AREAS),
        ("topic", topic, vocabulary.TOPICS),
    )
    for name, value, allowed in checks:
        if value and value not in allowed:
            raise ValueError(f"unknown {name} {value!r}; use one of {', '.join(allowed)}")
    if confidence is not None and not 0.0 <= confidence <= 1.0:
        raise ValueError(f"confidence must lie between 0 and 1, not {confidence}")
