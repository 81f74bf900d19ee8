"""Running the session evaluator over the stored catalogue, so that every session gets a decision.

The evaluator is the pure core's (``certcredit.evaluate``), loaded once per process; this module only reads the
stored fields as a file row would give them, and stores each answer as an ``evaluated`` decision through
``decisions.decide`` (history included). A session with a designated decision is never evaluated: the
designation applies (RULES.md). Each batch is one transaction, so an interrupted run keeps whole batches and a
second run picks up where it stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from certcredit.evaluate.sessions import DECISIONS, SessionError, session_from_row
from certcredit.services import decisions
from certcredit.services.access import Forbidden, is_staff
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Decision, Session

if TYPE_CHECKING:
    from certcredit.evaluate.classify import SessionEvaluator
    from certcredit.evaluate.sessions import SessionFacts

BATCH_SIZE = 200
NEEDS_REVIEW = "needs_review"


@dataclass(slots=True)
class EvaluationReport:
    """What a run did: how many sessions it evaluated, by verdict, and how many designated ones it left alone."""

    evaluated: int = 0
    by_verdict: Counter[str] = field(default_factory=Counter)
    designated: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "evaluated": self.evaluated,
            "by_verdict": {verdict: self.by_verdict.get(verdict, 0) for verdict in DECISIONS},
            "designated_left_alone": self.designated,
        }


def sessions_to_evaluate(again: bool = False) -> QuerySet[Session]:
    """Undesignated sessions; without ``again``, only those no evaluator or reviewer has decided yet."""
    found = Session.objects.exclude(Exists(_decided(decisions.DESIGNATED)))
    if not again:
        found = found.exclude(Exists(_decided(decisions.EVALUATED))).exclude(Exists(_decided(decisions.REVIEWED)))
    return found.order_by("id")


def evaluate_sessions(
    actor: Person | None,
    again: bool = False,
    evaluator: SessionEvaluator | None = None,
    batch_size: int = BATCH_SIZE,
) -> EvaluationReport:
    """Evaluate the sessions ``sessions_to_evaluate`` gives; ``actor`` None is the command line, else staff."""
    if actor is not None and not is_staff(actor):
        raise Forbidden("only staff may run the evaluator over the catalogue")
    report = EvaluationReport(
        designated=Session.objects.filter(Exists(_decided(decisions.DESIGNATED))).count(),
    )
    ids = list(sessions_to_evaluate(again).values_list("id", flat=True))
    if not ids:
        return report
    if evaluator is None:
        from certcredit.evaluate.batch import default_evaluator

        evaluator = default_evaluator()
    for chunk in _chunks(ids, batch_size):
        with transaction.atomic():
            # Asked again inside the transaction: a run at the same time may have decided some meanwhile.
            batch = list(sessions_to_evaluate(again).filter(pk__in=chunk))
            verdicts = _evaluate(batch, evaluator, actor)
            report.evaluated += len(verdicts)
            report.by_verdict.update(verdicts)
    return report


def evaluate_ids(ids: Sequence[int], evaluator: SessionEvaluator, actor: Person | None = None) -> list[str]:
    """Evaluate those of these sessions still to evaluate (``sessions_to_evaluate``); the verdicts in id order.

    A provider's agenda is evaluated this way, a batch at a time, by the worker. The model runs before the
    transaction that stores the answers, so the store's one writer is held only while they are written; a session
    decided meanwhile (by a reviewer, another run) is left as it is."""
    batch = list(sessions_to_evaluate().filter(pk__in=list(ids)))
    readable, unreadable = _readable(batch)
    answers = _answers(readable, evaluator)
    with transaction.atomic():
        still = set(sessions_to_evaluate().filter(pk__in=[s.pk for s in batch]).values_list("pk", flat=True))
        return _store([s for s in batch if s.pk in still], answers, unreadable, actor)


def core_session(session: Session) -> SessionFacts:
    """The stored session as the evaluator reads a file row: the same checks, the same duration rules."""
    row = {
        "id": session.pk,
        "title": session.title,
        "description": session.description,
        "minutes": session.minutes,
        "time": None if session.minutes is not None else session.time_text,
        "format": session.format,
        "category": session.category,
        "subject_area": session.subject_area,
        "topic": session.topic,
        "venue": session.venue,
    }
    return session_from_row(row, session.pk)


def _evaluate(batch: Sequence[Session], evaluator: SessionEvaluator, actor: Person | None) -> list[str]:
    """Store one evaluated decision per session; returns the verdicts in order."""
    readable, unreadable = _readable(batch)
    return _store(batch, _answers(readable, evaluator), unreadable, actor)


def _readable(batch: Sequence[Session]) -> tuple[list[tuple[Session, SessionFacts]], dict[int, str]]:
    readable: list[tuple[Session, SessionFacts]] = []
    unreadable: dict[int, str] = {}
    for session in batch:
        try:
            readable.append((session, core_session(session)))
        except SessionError as error:
            unreadable[session.pk] = str(error)
    return readable, unreadable


def _answers(readable: list[tuple[Session, SessionFacts]], evaluator: SessionEvaluator) -> dict[int, Any]:
    if not readable:
        return {}
    return {s.pk: e for (s, _c), e in zip(readable, evaluator.evaluate([c for _s, c in readable]), strict=True)}


def _store(
    batch: Sequence[Session], answers: dict[int, Any], unreadable: dict[int, str], actor: Person | None
) -> list[str]:
    verdicts = []
    for session in batch:
        if session.pk in unreadable:
            # Stored before a check the evaluator makes now (an admin edit, an older import): a person decides.
            decisions.decide(
                actor,
                session,
                decisions.EVALUATED,
                NEEDS_REVIEW,
                analysis=f"The stored session cannot be evaluated: {unreadable[session.pk]}.",
            )
            verdicts.append(NEEDS_REVIEW)
            continue
        answer = answers[session.pk]
        decisions.decide(
            actor,
            session,
            decisions.EVALUATED,
            answer.decision,
            category=answer.category or "",
            subject_area=answer.subject_area or "",
            topic=answer.topic or "",
            confidence=answer.confidence,
            analysis=answer.analysis,
        )
        verdicts.append(answer.decision)
    return verdicts


def _decided(kind: str) -> QuerySet[Decision]:
    return Decision.objects.filter(session=OuterRef("pk"), kind=kind)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
