"""A provider submits sessions for its organization: one by form, or an agenda file (CSV, JSON, JSON Lines,
iCalendar); the evaluator then decides each of them in the background.

The rows go through the catalogue's own import (``imports.import_sessions``): the same checks, the same natural
keys (so submitting the same agenda again adds nothing), bad rows reported with file, line and reason while the
good ones are kept. Every row is the submitting organization's: a row that names another provider is refused.
The sessions added are linked to a ``Submission``, whose evaluation is a task (django-tasks, run by
``certcredit worker``) deciding them ``BATCH`` at a time and counting them as it goes, so the provider's page can
show how far a long agenda has got.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from certcredit.io.readers import Row, RowError
from certcredit.io.rows import RowInvalid, session_fields, text_key
from certcredit.services import history
from certcredit.services.evaluations import evaluate_ids, sessions_to_evaluate
from certcredit.services.imports import import_sessions
from certcredit.services.providers import organization_of
from certcredit.store.accounts.models import Organization, Person
from certcredit.store.catalog.models import Session, Submission

#: sessions decided per transaction (and per step of the progress shown)
BATCH = 20
#: a submission keeps at most this many rejected rows (the count on the page is exact)
REJECTIONS_KEPT = 500
FORM = "form"


def submit_rows(actor: Person, rows: Iterable[Row | RowError], file_name: str) -> Submission:
    """Add the rows as the actor's organization's sessions and queue their evaluation; returns the submission."""
    organization = organization_of(actor)
    own = [_own_row(item, organization) for item in rows]
    report = import_sessions(own, actor, file_name)
    with transaction.atomic():
        submission = Submission.objects.create(
            organization=organization,
            submitted_by=actor,
            file_name=file_name[:300],
            rows=report.rows,
            added=report.added,
            already_present=report.already_present,
            rejected=[{"where": r.where, "reason": r.reason} for r in report.rejected[:REJECTIONS_KEPT]],
        )
        Session.objects.filter(import_run_id=report.run_id).update(submission=submission)
        waiting = sessions_to_evaluate().filter(submission=submission).count()
        submission.to_evaluate = waiting
        if not waiting:
            submission.status, submission.finished_at = Submission.Status.FINISHED, timezone.now()
        submission.save()
        note = f"{report.added} added, {report.already_present} already there, {len(report.rejected)} rejected"
        history.record_change(actor, "submit", submission, None, note=note)
    if waiting:
        result = evaluate_submission.enqueue(submission.pk)
        Submission.objects.filter(pk=submission.pk).update(task_id=str(result.id))
        submission.task_id = str(result.id)
    return submission


class SessionInvalid(ValueError):
    """A session from the form or the API that cannot be read; nothing was stored."""


def submit_one(actor: Person, data: dict[str, Any]) -> Submission:
    """One session from the form (its keys are a file row's); ``SessionInvalid`` with the reasons when the row
    cannot be read, before anything is stored."""
    organization_of(actor)
    try:
        session_fields(dict(data))
    except RowInvalid as error:
        raise SessionInvalid(str(error)) from None
    return submit_rows(actor, [Row(1, 1, dict(data), unit="item")], FORM)


def _own_row(item: Row | RowError, organization: Organization) -> Row | RowError:
    if isinstance(item, RowError):
        return item
    named = str(item.data.get("provider") or "").strip()
    if named and text_key(named) != text_key(organization.name):
        reason = f"names the provider {named!r}; you submit for {organization.name}"
        return RowError(item.position, item.line, reason, item.unit, item.data)
    return Row(item.position, item.line, {**item.data, "provider": organization.name}, item.unit)


@task()
def evaluate_submission(submission_id: int) -> dict[str, Any]:
    """Decide the submission's undecided sessions, ``BATCH`` a transaction, counting them on the submission."""
    from certcredit.evaluate.batch import default_evaluator

    submission = Submission.objects.get(pk=submission_id)
    ids = list(sessions_to_evaluate().filter(submission=submission).values_list("id", flat=True))
    Submission.objects.filter(pk=submission_id).update(
        status=Submission.Status.EVALUATING, to_evaluate=F("evaluated") + len(ids)
    )
    verdicts: dict[str, int] = {}
    try:
        evaluator = default_evaluator()
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            for verdict in evaluate_ids(chunk, evaluator):
                verdicts[verdict] = verdicts.get(verdict, 0) + 1
            Submission.objects.filter(pk=submission_id).update(evaluated=F("evaluated") + len(chunk))
    except Exception as error:
        Submission.objects.filter(pk=submission_id).update(
            status=Submission.Status.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"
        )
        raise
    Submission.objects.filter(pk=submission_id).update(status=Submission.Status.FINISHED, finished_at=timezone.now())
    return {"submission": submission_id, "evaluated": len(ids), "by_verdict": verdicts}
