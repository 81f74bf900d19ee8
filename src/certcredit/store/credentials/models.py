"""Credentials a person holds (one per program family at a time) and the applications that lead to them.

Rows change only through ``certcredit.services.credentials``, which writes every change to the append-only
history with who and when (the object before and after). The dates that drive a credential (anniversary, cycle
end) are computed by the pure core (``certcredit.engine.credential``) and stored, so a verifier reads them back
even after a rulebook changes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Credential(models.Model):
    """A person's credential in one program family (``clm``).

    ``code`` is the verification code printed on every document (``/verify/<code>``): 128 random bits, so it
    cannot be guessed. ``superseded_at`` is set when a newer credential of the family replaced this one (a lapsed
    holder applying again); only one credential per person and family is not superseded.
    """

    class Status(models.TextChoices):
        APPLICANT = "applicant", "Applicant"
        ELIGIBLE = "eligible", "Eligible (exam pending)"
        CERTIFIED = "certified", "Certified"
        LAPSED = "lapsed", "Lapsed"
        RETIRED = "retired", "Retired"
        REVOKED = "revoked", "Revoked"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials")
    family = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLICANT)
    code = models.CharField(max_length=40, unique=True)
    exam_passed_on = models.DateField(null=True, blank=True)
    certified_on = models.DateField(null=True, blank=True, help_text="The day the credential was first awarded.")
    anniversary = models.DateField(null=True, blank=True)
    cycle = models.PositiveIntegerField(default=0, help_text="The cycle now running (1 = the first).")
    valid_until = models.DateField(null=True, blank=True, help_text="The current cycle's end.")
    recertified_on = models.DateField(null=True, blank=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why the last revocation or lapse.")
    superseded_at = models.DateTimeField(null=True, blank=True, help_text="When a newer credential replaced it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("person__email", "family", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("person", "family"),
                condition=models.Q(superseded_at=None),
                name="one_current_credential_per_family",
            ),
        )

    def __str__(self) -> str:
        return f"{self.family} of {self.person} ({self.status})"


class Application(models.Model):
    """A member's application: for the exam (``exam``, ``specialist``) or a recertification.

    ``audit`` is the audit object as it was when the member applied (``certcredit audit --format json``) and
    ``records`` the stored records it used, as they were: later edits of the records change neither.
    ``attestations`` holds what the member declared (employment, years, track, code of ethics).
    """

    class Kind(models.TextChoices):
        EXAM = "exam", "Exam application"
        SPECIALIST = "specialist", "Exam application (functional specialist)"
        RECERTIFICATION = "recertification", "Recertification"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    program = models.CharField(max_length=60)
    specialty = models.CharField(max_length=10, blank=True)
    as_of = models.DateField(help_text="The date the audit was taken as of (the application date or cycle end).")
    cycle = models.PositiveIntegerField(null=True, blank=True, help_text="The cycle a recertification closes.")
    audit = models.JSONField()
    records = models.JSONField()
    attestations = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    reason = models.CharField(max_length=500, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_on = models.DateField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-submitted_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("credential", "kind"),
                condition=models.Q(status="submitted"),
                name="one_open_application_per_kind",
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} of {self.person} ({self.status})"


class SentMessage(models.Model):
    """An e-mail sent to a person, by key (``deadline:2028-06-30:30``, ``outcome:12``): each is sent once."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages")
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=20)
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-sent_at", "-id")
        constraints = (models.UniqueConstraint(fields=("person", "key"), name="each_message_once"),)

    def __str__(self) -> str:
        return f"{self.key} to {self.person}"


class ReminderSetting(models.Model):
    """A person's choice about reminder e-mails; ``token`` makes the unsubscribe link in each message (unguessable,
    so the link works without signing in and for no one else)."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_setting")
    reminders = models.BooleanField(default=True)
    token = models.CharField(max_length=64, unique=True)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person}: reminders {'on' if self.reminders else 'off'}"
