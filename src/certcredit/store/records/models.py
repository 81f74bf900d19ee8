"""A person's records (attended, taught or self-reported education) and the imports that brought them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from certcredit.store.catalog.models import (
    CATEGORY_CHOICES,
    FORMAT_CHOICES,
    SUBJECT_AREA_CHOICES,
    TOPIC_CHOICES,
    VENUE_CHOICES,
)
from certcredit.values import vocabulary
from certcredit.values.keys import record_key
from certcredit.values.row import RowInvalid, clean_activity


class ImportRun(models.Model):
    """One attempt to import one file: who ran it, when, how it ended and what became of its rows.

    The row is written in its own transaction when the import starts (``started``), so an import that is killed
    leaves its ``started`` row and none of its records; ``finished`` is written in the same transaction as the
    records, ``failed`` (with the reason) after that transaction was rolled back.
    """

    class Kind(models.TextChoices):
        SESSIONS = "sessions", "Sessions"
        RECORDS = "records", "Records"

    class Status(models.TextChoices):
        STARTED = "started", "Started"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=300)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports_run"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="record_imports",
        help_text="Whose records (record imports only).",
    )
    started_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STARTED)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why a failed import stopped (nothing of it was kept).")
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already_present = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        if self.status != self.Status.FINISHED:
            return f"{self.kind} from {self.file_name} ({self.status})"
        return f"{self.kind} from {self.file_name} ({self.added} added)"


def validate_activity(value: str) -> None:
    """Admin and model forms: the same check as imports, the web form and the API (``clean_activity``)."""
    try:
        clean_activity(value)
    except RowInvalid as error:
        raise ValidationError(str(error)) from None


def evidence_path(record: Record, filename: str) -> str:
    return f"evidence/{record.person_id}/{filename}"


class Record(models.Model):
    """One education activity of one person.

    One key, kept by the database (``certcredit.store.guards``): unique per person by ``natural_key`` (date,
    title, minutes, format and activity: ``certcredit.io.rows.record_key``), and a record that names no activity
    is the same as one with the same ``base_key`` (the key without the activity) that names one. ``save``
    computes both keys from the fields, so every writer agrees. A person with records cannot be deleted
    (``PROTECT``): deactivate the account instead.
    """

    #: no index of its own: the (person, ...) indexes below serve every look-up by person
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    session = models.ForeignKey(
        "catalog.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    date = models.DateField()
    title = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    minutes = models.PositiveIntegerField()
    time_text = models.CharField(max_length=100, blank=True)
    format = models.CharField(max_length=20, choices=FORMAT_CHOICES, default=vocabulary.DEFAULT_FORMAT)
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES, blank=True)
    subject_area = models.CharField(max_length=2, choices=SUBJECT_AREA_CHOICES, blank=True)
    topic = models.CharField(max_length=20, choices=TOPIC_CHOICES, blank=True)
    venue = models.CharField(max_length=20, choices=VENUE_CHOICES, blank=True)
    provider = models.CharField(max_length=200, blank=True)
    #: a program's own activity kind (PMI's giving_back), kept normalised; programs without activities ignore it
    activity = models.CharField(
        max_length=vocabulary.MAX_ACTIVITY,
        blank=True,
        default="",
        validators=[validate_activity],
        help_text="A program's own kind of activity, e.g. giving_back for PMI; blank for none.",
    )
    evidence = models.FileField(upload_to=evidence_path, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    natural_key = models.CharField(max_length=700, editable=False)
    base_key = models.CharField(max_length=700, editable=False, default="")
    source_file = models.CharField(max_length=300, blank=True)
    source_line = models.CharField(max_length=30, blank=True)
    import_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-date", "title", "id")
        constraints = (models.UniqueConstraint(fields=("person", "natural_key"), name="one_record_per_natural_key"),)
        indexes = (
            models.Index(fields=("person", "date")),
            models.Index(fields=("person", "base_key"), name="records_person_base_key"),
        )

    def __str__(self) -> str:
        return f"{self.date} {self.title or '(untitled)'} ({self.minutes} min)"

    def assign_keys(self) -> None:
        """Set ``natural_key`` and ``base_key`` from the fields (the one definition: ``record_key``)."""
        day = dt.date.fromisoformat(self.date) if isinstance(self.date, str) else self.date
        self.natural_key = record_key(day, self.title, int(self.minutes), self.format, self.activity)
        self.base_key = record_key(day, self.title, int(self.minutes), self.format)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.assign_keys()
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "natural_key", "base_key"}
        super().save(*args, **kwargs)


class PursuedPrograms(models.Model):
    """The record programs a person pursues, as they chose them on their Progress page (or through the API).

    One row per person, written only when the person (or staff) makes a choice: until then the Progress page
    offers a default worked out from the person's credential and records (``services.progress_view``). Each change
    is written to the history with who and when."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pursued_programs")
    #: program ids (``certcredit rules list``), in the order the page offers them
    programs = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "pursued programs"

    def __str__(self) -> str:
        return f"{self.person_id}: {', '.join(self.programs) or 'none'}"
