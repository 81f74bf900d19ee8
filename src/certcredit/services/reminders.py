"""Reminder e-mails: what is due for a person on a day, each message sent once, and the unsubscribe setting.

``certcredit remind`` (daily, from cron or a systemd timer) calls ``remind``. It sends, to each active person who
has not turned reminders off:

- the outcome of an application decided in the last ``OUTCOME_DAYS`` days (``outcome:<id>``);
- before a recertification deadline, the tightest of the rulebook's ``reminder_days`` (90/30/7) reached, with the
  hours still needed (``deadline:<date>:<days>``);
- for an exam applicant, the apply-by date when it is near (``apply-by:<program>:<date>``), and records ageing out
  of the window when that ends completeness soon (``ageing-out:<program>:<date>``).
- to a CLRM candidate whose paper is due, the tightest of the CLRM rulebook's ``reminders.paper_days`` (90/30/7)
  reached before the paper deadline (``clrm-paper:<date>:<days>``);
- to each staff member, every CLRM paper deadline that passed without a timely submission in the last
  ``reminders.passed_notice_days`` days (``clrm-passed:<candidate>:<date>``).

The CLRM deadlines are the engine's: the stored events replayed by ``engine.clrm.audit_clrm`` (the function behind
the timeline page and ``certcredit audit --program clrm``), never computed here.

Each message is recorded (``SentMessage``, unique per person and key) in the same transaction as it is handed to
the mail backend: a failed send leaves no record, so the next run tries again; a sent one is never sent twice.
Which reminders are due is the pure core's (``engine.reminders``).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from certcredit.engine import reminders as due
from certcredit.engine.clrm import audit_clrm
from certcredit.services import audits, clrm, history
from certcredit.services import credentials as creds
from certcredit.services.access import Forbidden, is_staff
from certcredit.store.accounts.models import Person, Role
from certcredit.store.clrm.models import Candidate
from certcredit.store.credentials.models import Application, ReminderSetting, SentMessage

log = logging.getLogger("certcredit.reminders")

#: outcomes of applications decided longer ago than this are not mailed (a first run does not mail old news)
OUTCOME_DAYS = 30


@dataclass(frozen=True, slots=True)
class Message:
    key: str
    kind: str
    subject: str
    body: str


@dataclass
class RemindReport:
    """What a run did: messages sent by kind, people skipped because they turned reminders off."""

    sent: Counter[str] = field(default_factory=Counter)
    unsubscribed: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"sent": sum(self.sent.values()), "by_kind": dict(sorted(self.sent.items())),
                "unsubscribed": self.unsubscribed, "failed": self.failed}  # fmt: skip


def setting_for(person: Person) -> ReminderSetting:
    """The person's reminder setting, made (reminders on) the first time it is asked for."""
    found = ReminderSetting.objects.filter(person=person).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ReminderSetting.objects.create(person=person, token=secrets.token_urlsafe(32))
    except IntegrityError:  # made at the same moment by another request
        return ReminderSetting.objects.get(person=person)


def set_reminders(actor: Person | None, person: Person, on: bool) -> ReminderSetting:
    """Turn the person's reminders on or off (the person, staff, or the unsubscribe link); in the history."""
    if actor is not None and actor.pk != person.pk and not is_staff(actor):
        raise Forbidden("only the person or staff may change their reminders")
    setting = setting_for(person)
    if setting.reminders != on:
        before = history.snapshot(setting)
        setting.reminders = on
        setting.save()
        history.record_change(actor, "reminders.change", setting, before, "on" if on else "off")
    return setting


def person_for_token(token: str) -> Person | None:
    if not token or len(token) > 64:
        return None
    found = ReminderSetting.objects.select_related("person").filter(token=token).first()
    return found.person if found else None


def _footer(base_url: str, setting: ReminderSetting) -> str:
    return (
        "\n\n--\nYou get these reminders from certcredit. To stop them: "
        f"{base_url.rstrip('/')}/reminders/unsubscribe/{setting.token}\n"
    )


def outcome_message(application: Application) -> Message:
    """The message telling the applicant how their application was decided (with the reason of a denial)."""
    what = application.get_kind_display().lower()
    outcome = "approved" if application.status == creds.APPROVED else "denied"
    body = f"Your {what} of {application.submitted_on} was {outcome}."
    if application.reason:
        body += f"\nReason: {application.reason}"
    return Message(f"outcome:{application.pk}", "outcome", f"Your {what}: {outcome}", body)


@task()
def send_application_outcome(application_id: int, base_url: str) -> str:
    """The worker's task (``certcredit worker``), enqueued by the pages and the API when staff decide: the outcome
    is mailed at once, under the same key as the daily run's, so it goes out once whichever runs first; a worker
    that is not running only delays it to the next ``certcredit remind``."""
    return send_outcome(application_id, base_url)


def send_outcome(application_id: int, base_url: str) -> str:
    """Send a decided application's outcome once (the worker's task); a submitted one has nothing to say yet."""
    application = Application.objects.select_related("person").filter(pk=application_id).first()
    if application is None or application.status not in (creds.APPROVED, creds.DENIED):
        return "nothing to send"
    return send_once(application.person, outcome_message(application), base_url)


def due_messages(person: Person, today: dt.date) -> list[Message]:
    """The messages due for the person on ``today`` (sent or not)."""
    book = creds.rules()
    found: list[Message] = []
    since = dt.datetime.combine(today - dt.timedelta(days=OUTCOME_DAYS), dt.time(), tzinfo=dt.UTC)
    for application in Application.objects.filter(
        person=person, status__in=(creds.APPROVED, creds.DENIED), decided_at__gte=since
    ).order_by("decided_at", "id"):
        found.append(outcome_message(application))
    credential = creds.current_credential(person)
    if credential is not None and credential.status == creds.Status.CERTIFIED and credential.valid_until:
        deadline = credential.valid_until
        threshold = due.deadline_threshold(deadline, today, book)
        if threshold is not None:
            shown = audits.progress(person, person, book.recertification_program, deadline, today=today)
            needed = shown.report["hours_needed"]
            left = (deadline - today).days
            state = "your records complete it" if shown.report["complete"] else f"{needed:g} hours are still needed"
            found.append(Message(
                due.deadline_key(deadline, threshold), "deadline",
                f"{book.abbreviation} recertification due by {deadline} ({left} days)",
                f"Your {book.abbreviation} cycle ends on {deadline}, in {left} day{'s' if left != 1 else ''}: "
                f"{state}. Apply for recertification by that day; later applications are not accepted.",
            ))  # fmt: skip
    elif credential is None or credential.status in (creds.Status.APPLICANT, creds.Status.LAPSED,
                                                      creds.Status.REVOKED):  # fmt: skip
        program = book.exam_programs[0]
        shown = audits.progress(person, person, program, today, today=today)
        report = shown.report
        apply_by = dt.date.fromisoformat(report["apply_by"]) if report.get("apply_by") else None
        if report["complete"] and due.apply_by_due(apply_by, today, book):
            found.append(Message(
                f"apply-by:{program}:{apply_by}", "apply-by", f"Apply for the {book.abbreviation} exam by {apply_by}",
                f"Your records complete the {program} application until {apply_by}; after that, older records leave "
                "the 24-month window.",
            ))  # fmt: skip
        ageing = (report.get("outlook") or {}).get("ageing_out") or {}
        incomplete_from = ageing.get("incomplete_from")
        ends = dt.date.fromisoformat(incomplete_from) if incomplete_from else None
        if report["complete"] and due.ageing_out_due(ends, today, book):
            found.append(Message(
                f"ageing-out:{program}:{ends}", "ageing-out", f"Records leave your {program} window from {ends}",
                f"As records age out of the window, your {program} audit is no longer complete from {ends}.",
            ))  # fmt: skip
    return found


def clrm_audit(candidate: Candidate, today: dt.date) -> dict[str, Any]:
    """The candidate's standing on ``today``: their stored events replayed by the engine, as the timeline does."""
    return audit_clrm(clrm.event_rows(candidate), today, clrm.program())


def clrm_paper_messages(person: Person, today: dt.date, base_url: str) -> list[Message]:
    """The CLRM paper-deadline reminder due for the person on ``today`` (none unless their paper is due)."""
    candidate = clrm.own_candidacy(person)
    if candidate is None:
        return []
    audit = clrm_audit(candidate, today)
    deadline_text = audit["paper_deadline"]
    if audit["status"] != "paper_due" or not isinstance(deadline_text, str):
        return []
    deadline = dt.date.fromisoformat(deadline_text)
    threshold = due.threshold_reached(deadline, today, clrm.program().reminders.paper_days)
    if threshold is None:
        return []
    left = (deadline - today).days
    steps = "\n".join(f"- {step}" for step in audit["next_steps_list"])
    return [Message(
        due.clrm_paper_key(deadline, threshold), "clrm-paper",
        f"CLRM paper due by {deadline} ({left} day{'s' if left != 1 else ''})",
        f"Your CLRM certification paper is due by {deadline}, in {left} day{'s' if left != 1 else ''}; the deadline "
        f"day itself is still in time. What is left to do:\n{steps}\n\nYour timeline: {base_url.rstrip('/')}/clrm/",
    )]  # fmt: skip


def clrm_passed_messages(today: dt.date, base_url: str) -> list[Message]:
    """For staff: each CLRM paper deadline that passed without a timely submission at most
    ``reminders.passed_notice_days`` ago, one message a candidate and deadline."""
    notice_days = clrm.program().reminders.passed_notice_days
    found: list[Message] = []
    for candidate in Candidate.objects.select_related("person").order_by("id"):
        audit = clrm_audit(candidate, today)
        deadline_text = audit["paper_deadline"]
        if audit["status"] != "retake_required" or not isinstance(deadline_text, str):
            continue
        deadline = dt.date.fromisoformat(deadline_text)
        if not due.passed_recently(deadline, today, notice_days):
            continue
        who = candidate.person.name or candidate.person.email
        found.append(Message(
            due.clrm_passed_key(candidate.pk, deadline), "clrm-passed",
            f"CLRM paper deadline passed: {who} ({deadline})",
            f"{who} ({candidate.person.email}) did not submit the CLRM paper by the deadline {deadline}. To submit "
            "it, they must first retake the Foundation of Labor Relations academy, which opens a new deadline.\n\n"
            f"Their timeline: {base_url.rstrip('/')}/clrm/candidates/{candidate.pk}/",
        ))  # fmt: skip
    return found


SENT, ALREADY_SENT, FAILED, UNSUBSCRIBED = "sent", "already sent", "failed", "unsubscribed"


def send_once(person: Person, message: Message, base_url: str, setting: ReminderSetting | None = None) -> str:
    """Send ``message`` to the person unless it was sent before or they turned reminders off; what happened.

    The record and the hand-over to the mail backend are one transaction: a failed send is not recorded (the
    next run tries again), and two runs at once send it once (the unique key).
    """
    setting = setting or setting_for(person)
    if not setting.reminders:
        return UNSUBSCRIBED
    if SentMessage.objects.filter(person=person, key=message.key).exists():
        return ALREADY_SENT
    try:
        with transaction.atomic():
            SentMessage.objects.create(person=person, key=message.key, kind=message.kind, subject=message.subject[:200])
            send_mail(message.subject, message.body + _footer(base_url, setting), None, [person.email])
    except IntegrityError:  # sent by a run at the same moment
        return ALREADY_SENT
    except (OSError, smtplib.SMTPException) as error:
        log.warning("reminder %s to %s not sent: %s", message.key, person.email, error)
        return FAILED
    return SENT


def remind(today: dt.date | None = None, base_url: str = "http://127.0.0.1:8000") -> RemindReport:
    """Send every due message not sent before, to each active person with reminders on."""
    today = today or timezone.localdate()
    report = RemindReport()
    credential_side = Q(records__isnull=False) | Q(credentials__isnull=False) | Q(applications__isnull=False)
    with_credentials = set(Person.objects.filter(credential_side).values_list("id", flat=True))
    staff_side = Q(is_superuser=True) | Q(role_grants__role=Role.STAFF)
    people = Person.objects.filter(is_active=True).filter(
        credential_side | Q(clrm_candidate__isnull=False) | staff_side
    ).distinct().order_by("id")  # fmt: skip
    passed = clrm_passed_messages(today, base_url)
    for person in people.iterator():
        setting = setting_for(person)
        if not setting.reminders:
            report.unsubscribed += 1
            continue
        messages = due_messages(person, today) if person.pk in with_credentials else []
        messages += clrm_paper_messages(person, today, base_url)
        if passed and is_staff(person):
            messages += passed
        for message in messages:
            outcome = send_once(person, message, base_url, setting)
            if outcome == FAILED:
                report.failed += 1
            elif outcome == SENT:
                report.sent[message.kind] += 1
    return report
