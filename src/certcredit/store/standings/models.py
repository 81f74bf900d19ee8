"""Each person's standing in the program they pursue, as of the last audit: what the staff dashboard lists.

A ``Standing`` is a summary kept for speed (the dashboard filters 10,000 people without auditing anyone); the
records stay the truth. It is written by ``services.standings`` when a person's records change and by the
re-audit of everyone (``Reaudit``, a background task). ``SpotCheck`` is one record drawn at random for staff to
verify its evidence, with the outcome and who gave it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Standing(models.Model):
    class Status(models.TextChoices):
        COMPLETE = "complete", "Complete"
        ON_PACE = "on_pace", "On pace"
        BEHIND = "behind", "Behind"
        EXPIRING = "expiring", "Expiring within 90 days"
        LAPSED = "lapsed", "Lapsed"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standings")
    program = models.CharField(max_length=60)
    status = models.CharField(max_length=12, choices=Status.choices)
    #: the person's name and e-mail as of the audit, for search and sorting without a join
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254)
    counted_hours = models.FloatField(default=0)
    required_hours = models.FloatField(default=0)
    hours_needed = models.FloatField(default=0)
    #: the day that matters next: the cycle's end (recertification) or the day hours age out (application)
    deadline = models.DateField(null=True, blank=True)
    as_of = models.DateField()
    records = models.PositiveIntegerField(default=0)
    audited_at = models.DateTimeField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("person", "program"), name="one_standing_per_program"),)
        indexes = (
            models.Index(fields=("program", "status", "name", "id"), name="standing_program_status"),
            models.Index(fields=("status", "name", "id"), name="standing_status"),
            models.Index(fields=("name", "id"), name="standing_name"),
        )
        ordering = ("name", "id")

    def __str__(self) -> str:
        return f"{self.email} {self.program}: {self.status}"


class Reaudit(models.Model):
    """One re-audit of everyone: started by a staff member, run by the worker, its progress counted as it goes."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for the worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")


class SpotCheck(models.Model):
    """A record drawn at random for staff to check against its evidence; the outcome says who and when."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Not checked yet"
        VERIFIED = "verified", "Verified"
        NOT_VERIFIED = "not_verified", "Not verified"

    record = models.ForeignKey("records.Record", on_delete=models.CASCADE, related_name="spot_checks")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    drawn_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.CharField(max_length=300, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("outcome", "-drawn_at", "-id")
        indexes = (models.Index(fields=("outcome", "drawn_at"), name="spotcheck_outcome"),)


class Outdated(models.Model):
    """A person whose records changed since their standing was written (store.standings.signals)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    noted_at = models.DateTimeField(auto_now_add=True)
