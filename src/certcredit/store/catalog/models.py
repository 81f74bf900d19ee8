"""Programs (which rulebook), catalogued sessions and the decisions taken on each session's credit."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from certcredit.values import vocabulary

FORMAT_CHOICES = [(f, f.replace("_", " ")) for f in vocabulary.FORMATS]
CATEGORY_CHOICES = list(vocabulary.CATEGORY_NAMES.items())
SUBJECT_AREA_CHOICES = list(vocabulary.SUBJECT_AREA_NAMES.items())
TOPIC_CHOICES = list(vocabulary.TOPIC_NAMES.items())
VENUE_CHOICES = [(v, v.replace("_", " ")) for v in vocabulary.VENUES]


class Program(models.Model):
    """A certification program; its rules live in the rulebook YAML named by ``rulebook``, not here."""

    id = models.CharField(primary_key=True, max_length=60)
    name = models.CharField(max_length=200)
    rulebook = models.CharField(max_length=60, help_text="Rulebook id in certcredit/rules/programs/.")
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """A catalogued education event. ``natural_key`` makes re-imports of the same file add nothing."""

    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField(null=True, blank=True, help_text="Empty when unknown.")
    time_text = models.CharField(max_length=100, blank=True, help_text="The time range as printed.")
    format = models.CharField(max_length=20, choices=FORMAT_CHOICES, default=vocabulary.DEFAULT_FORMAT)
    provider = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES, blank=True, help_text="Designated.")
    subject_area = models.CharField(max_length=2, choices=SUBJECT_AREA_CHOICES, blank=True, help_text="Designated.")
    topic = models.CharField(max_length=20, choices=TOPIC_CHOICES, blank=True, help_text="Designated.")
    venue = models.CharField(max_length=20, choices=VENUE_CHOICES, blank=True)
    location = models.CharField(max_length=300, blank=True)
    uid = models.CharField(max_length=300, null=True, blank=True, unique=True, help_text="iCalendar UID.")
    external_id = models.CharField(max_length=100, blank=True, help_text="The id the file gave it.")
    natural_key = models.CharField(max_length=700, unique=True, editable=False)
    source_file = models.CharField(max_length=300, blank=True)
    source_line = models.CharField(max_length=30, blank=True, help_text="e.g. 'line 7' or 'event 3'.")
    import_run = models.ForeignKey("records.ImportRun", null=True, blank=True, on_delete=models.SET_NULL)
    #: the provider's submission that brought it; such a session is in the catalogue only once published
    submission = models.ForeignKey(
        "Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    published_at = models.DateTimeField(null=True, blank=True, help_text="When its provider published it.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-date", "title")
        indexes = (models.Index(fields=("date",)),)

    def __str__(self) -> str:
        return f"{self.title} ({self.date or 'undated'})"


class Decision(models.Model):
    """What a session counts for, who said so and why: designated, evaluated (the evaluator) or reviewed."""

    class Kind(models.TextChoices):
        DESIGNATED = "designated", "Designated"
        EVALUATED = "evaluated", "Evaluated"
        REVIEWED = "reviewed", "Reviewed"

    class Verdict(models.TextChoices):
        QUALIFIES = "qualifies", "Qualifies"
        DOES_NOT_QUALIFY = "does_not_qualify", "Does not qualify"
        NEEDS_REVIEW = "needs_review", "Needs review"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    verdict = models.CharField(
        max_length=20, choices=Verdict.choices, blank=True, help_text="Empty for a designation of area/topic only."
    )
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES, blank=True)
    subject_area = models.CharField(max_length=2, choices=SUBJECT_AREA_CHOICES, blank=True)
    topic = models.CharField(max_length=20, choices=TOPIC_CHOICES, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    analysis = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-decided_at", "-id")

    def __str__(self) -> str:
        return f"{self.kind} {self.verdict} {self.category or '-'} / {self.subject_area or '-'}"


class Submission(models.Model):
    """One session or one agenda file a provider submitted for its organization, and its evaluation's progress.

    The sessions it added point back to it (``Session.submission``); ``evaluated`` counts those the evaluator has
    decided so far, written after each batch so the provider's page can follow a long agenda.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for the evaluator"
        EVALUATING = "evaluating", "Being evaluated"
        FINISHED = "finished", "Evaluated"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=300, help_text="The agenda's file name, or 'form' for one session.")
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already_present = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list, blank=True, help_text="[{where, reason}] of the rows not kept.")
    to_evaluate = models.PositiveIntegerField(default=0)
    evaluated = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-submitted_at", "-id")

    def __str__(self) -> str:
        return f"{self.file_name} by {self.organization} ({self.status})"


class Dispute(models.Model):
    """A provider's objection to the decision on one of its sessions; it waits in the reviewers' queue until a
    reviewer settles it by upholding the decision or changing it (a ``reviewed`` decision either way)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        CHANGED = "changed", "Changed"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="disputes")
    disputed = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="disputes")
    reason = models.TextField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="settled_disputes"
    )
    note = models.TextField(blank=True, help_text="The reviewer's note.")

    class Meta:
        ordering = ("-raised_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("session",), condition=models.Q(status="open"), name="one_open_dispute_per_session"
            ),
        )

    def __str__(self) -> str:
        return f"dispute of session {self.session_id} ({self.status})"
