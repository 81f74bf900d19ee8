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


# ------------------------------------------------------------------------------------------- the workflow
# Each row below is what a person did in the app (proposed, decided, enrolled, uploaded, reviewed); the dated
# ``Event`` it produced is what the engine replays. ``event`` links the two, so a page can say which event a
# step made, and the status is still computed from the events alone.

PAPER_TYPES = (("grievance", "Grievance arbitrations"), ("interest", "Factfinding and interest arbitrations"))


class Arbitrator(models.Model):
    """An arbitrator candidates may analyse; ``name_key`` (case and spaces folded) keeps one row per person."""

    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, unique=True)
    location = models.CharField(max_length=200, blank=True)
    case_kinds = models.CharField(max_length=300, blank=True, help_text="Kinds of cases heard, in a few words.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name_key",)

    def __str__(self) -> str:
        return self.name


class Proposal(models.Model):
    """A candidate's choice of arbitrator(s) and paper type, approved or declined (with a reason) by an approver.

    ``warnings`` keeps what the approver was shown when deciding (covered by an accepted paper, reserved by
    another candidate): a warning never blocks.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="proposals")
    arbitrators = models.ManyToManyField(Arbitrator, related_name="proposals")
    paper_type = models.CharField(max_length=20, choices=PAPER_TYPES)
    note = models.CharField(max_length=500, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("-proposed_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("candidate",), condition=models.Q(status="proposed"), name="one_open_proposal_per_candidate"
            ),
        )

    def __str__(self) -> str:
        return f"proposal {self.pk} of {self.candidate} ({self.status})"


class OrientationSession(models.Model):
    """An orientation on the paper standards, scheduled by staff."""

    date = models.DateField()
    place = models.CharField(max_length=200, help_text="Where, or how to join online.")
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("date", "id")

    def __str__(self) -> str:
        return f"orientation {self.date} ({self.place})"


class Enrolment(models.Model):
    """A candidate enrolled in an orientation; ``attended_at`` is set when staff record the attendance."""

    session = models.ForeignKey(OrientationSession, on_delete=models.CASCADE, related_name="enrolments")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="enrolments")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attended_at = models.DateTimeField(null=True, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("session__date", "candidate__person__email")
        constraints = (models.UniqueConstraint(fields=("session", "candidate"), name="one_enrolment_per_session"),)

    def __str__(self) -> str:
        return f"{self.candidate} in {self.session}"


def paper_path(version: PaperVersion, filename: str) -> str:  # noqa: ARG001 (Django passes the name)
    """Stored under a fresh name: the uploaded name is kept in ``file_name`` only (it proves nothing)."""
    return f"clrm/papers/{version.candidate_id}/{version.number}-{version.sha256[:16]}.{version.kind}"


class PaperVersion(models.Model):
    """One uploaded draft of a candidate's paper; every version is kept. Uploading it is a submission."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="papers")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    summary = models.TextField(max_length=2000, help_text="A few sentences for the bulletin's editor.")
    paper_type = models.CharField(max_length=20, choices=PAPER_TYPES)
    kind = models.CharField(max_length=10, help_text="pdf or docx, as read from the content.")
    file = models.FileField(upload_to=paper_path, max_length=300)
    file_name = models.CharField(max_length=255, help_text="The name it was uploaded with.")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("candidate", "number")
        constraints = (models.UniqueConstraint(fields=("candidate", "number"), name="one_number_per_paper_version"),)

    def __str__(self) -> str:
        return f"{self.candidate} draft {self.number}"


class Review(models.Model):
    """A reviewer's verdict on one version: accept, or return it for revision or for more research."""

    class Outcome(models.TextChoices):
        ACCEPT = "accept", "Accepted"
        REVISE = "revise", "Returned for revision"
        RESEARCH = "research", "Returned for more research"

    version = models.ForeignKey(PaperVersion, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    comments = models.TextField(max_length=5000, blank=True)
    reviewed_at = models.DateTimeField(auto_now_add=True)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("reviewed_at", "id")
        constraints = (models.UniqueConstraint(fields=("version",), name="one_review_per_version"),)

    def __str__(self) -> str:
        return f"{self.version}: {self.outcome}"


class BulletinFeature(models.Model):
    """An accepted paper queued for the bulletin: its summary, for the editor."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="bulletin")
    version = models.ForeignKey(PaperVersion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    summary = models.TextField(max_length=2000)
    paper_type = models.CharField(max_length=20, choices=PAPER_TYPES)
    arbitrators = models.CharField(max_length=500, blank=True)
    accepted_on = models.DateField()
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("queued_at", "id")

    def __str__(self) -> str:
        return f"bulletin: {self.title}"


class Recognition(models.Model):
    """A certified candidate to honor at the Annual Conference of ``conference_year``."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="recognition")
    conference_year = models.PositiveIntegerField()
    accepted_on = models.DateField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("conference_year", "candidate__person__email")

    def __str__(self) -> str:
        return f"{self.candidate} at the {self.conference_year} Annual Conference"
