"""The review queue: sessions the evaluator was unsure about, waiting for a reviewer's word (RULES.md).

Until reviewed, such a session counts for nothing; a reviewed decision replaces the evaluator's
(``decisions.decision_for``), so the session leaves the queue. Only reviewers and staff see the queue or review.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from certcredit.services import decisions, disputes
from certcredit.services.access import check_may_review
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Decision, Session
from certcredit.values import vocabulary

#: What a reviewer may say: the evaluator's third answer, needs_review, is the question, not an answer.
REVIEW_VERDICTS = ("qualifies", "does_not_qualify")
NOTE_LIMIT = 2000


class ReviewInvalid(ValueError):
    """A review that cannot be stored; ``field`` names the form field or JSON key at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ReviewConflict(ValueError):
    """A review that would not apply: the session is designated, and a designation is never overridden."""


def queue(viewer: Person) -> QuerySet[Session]:
    """Sessions whose applying decision is needs_review, or whose decision a provider disputes, the longest
    waiting first: since the decision, or since the dispute (annotated ``applying_id``, ``disputed``,
    ``dispute_reason`` and ``waiting_since``)."""
    check_may_review(viewer)
    waiting = decisions.with_applying(Session.objects.select_related("provider")).annotate(
        disputed=disputes.has_open_dispute(),
        dispute_reason=disputes.open_dispute_field("reason"),
        waiting_since=Coalesce(disputes.open_dispute_field("raised_at"), F("applying_at")),
    )
    waiting = waiting.filter(Q(applying_verdict=Decision.Verdict.NEEDS_REVIEW) | Q(disputed=True))
    return waiting.order_by("waiting_since", "applying_id")


def session_for_review(viewer: Person, session_id: int) -> tuple[Session, Decision | None]:
    """A session a reviewer opens, with the decision that applies now; an unknown id raises LookupError."""
    check_may_review(viewer)
    session = Session.objects.select_related("provider").filter(pk=session_id).first()
    if session is None:
        raise LookupError(f"no session {session_id}")
    return session, decisions.decision_for(session)


def review(
    reviewer: Person,
    session: Session,
    verdict: str,
    category: str = "",
    subject_area: str = "",
    topic: str = "",
    note: str = "",
) -> Decision:
    """Store the reviewer's decision (history: who and when, through ``decide``); the note is its analysis.

    An open dispute of the session is settled by it (``disputes.settle_open``): upheld when the decision is the
    disputed one again, changed otherwise."""
    check_may_review(reviewer)
    verdict, category, subject_area, topic = (v.strip() for v in (verdict, category, subject_area, topic))
    _check(verdict, category, subject_area, topic, note)
    if session.decisions.filter(kind=decisions.DESIGNATED).exists():
        raise ReviewConflict("the session is designated; a designation is never overridden by a review")
    with transaction.atomic():
        decision = decisions.decide(
            reviewer,
            session,
            decisions.REVIEWED,
            verdict,
            category=category,
            subject_area=subject_area,
            topic=topic,
            analysis=note.strip(),
        )
        disputes.settle_open(reviewer, session, decision, note)
    return decision


def _check(verdict: str, category: str, subject_area: str, topic: str, note: str) -> None:
    """Each mistake named by its field, in the form's order, so the page can show it beside the field."""
    if verdict not in REVIEW_VERDICTS:
        raise ReviewInvalid("verdict", "Choose qualifies or does_not_qualify.")
    if verdict == "qualifies" and not category:
        raise ReviewInvalid("category", "A qualifying session needs its Management Category.")
    if verdict != "qualifies" and category:
        raise ReviewInvalid("category", "Only a qualifying session has a Management Category; leave it empty.")
    for name, value, allowed in (
        ("category", category, vocabulary.CATEGORIES),
        ("subject_area", subject_area, vocabulary.SUBJECT_AREAS),
        ("topic", topic, vocabulary.TOPICS),
    ):
        if value and value not in allowed:
            raise ReviewInvalid(name, f"Unknown {name.replace('_', ' ')} {value!r}; use one of {', '.join(allowed)}.")
    if len(note) > NOTE_LIMIT:
        raise ReviewInvalid("note", f"Keep the note under {NOTE_LIMIT} characters.")
