"""CLRM candidates and the dated events of their workflow (docs/clrm.md, "In the app").

The store keeps the events only; where a candidate stands (status, deadline, next steps) is always computed
from them by ``certcredit.engine.clrm``, so the page, the API and ``certcredit audit --program clrm`` agree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

EVENT_TYPES = (
    ("academy_completed", "Academy completed"),
    ("arbitrator_approved", "Arbitrator approved"),
    ("orientation_attended", "Orientation attended"),
    ("paper_submitted", "Paper submitted"),
    ("revision_requested", "Revision requested"),
    ("paper_accepted", "Paper accepted"),
)


class Candidate(models.Model):
    """A person working towards the CLRM; enrolled by staff, or when staff record their first event."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clrm_candidate")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("person__email",)

    def __str__(self) -> str:
        return str(self.person)


class Event(models.Model):
    """One dated step of a candidate's workflow, as ``engine.clrm.parse_event`` reads it.

    ``(candidate, type, date, academy)`` is unique: recording the same attendance twice (by hand or by a roster
    imported again) adds nothing.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="events")
    date = models.DateField()
    type = models.CharField(max_length=30, choices=EVENT_TYPES)
    academy = models.CharField(max_length=40, blank=True, help_text="For academy_completed only.")
    paper_type = models.CharField(max_length=20, blank=True)
    arbitrators = models.CharField(max_length=500, blank=True, help_text="Names separated by ';'.")
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    source_file = models.CharField(max_length=300, blank=True)
    source_line = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ("date", "id")
        constraints = (
            models.UniqueConstraint(fields=("candidate", "type", "date", "academy"), name="one_clrm_event_per_day"),
        )

    def __str__(self) -> str:
        what = f" {self.academy}" if self.academy else ""
        return f"{self.date} {self.type}{what}"
