"""The association's membership as dated facts, and the members-only library of accepted CLRM papers.

A membership is a period (``starts_on`` to ``ends_on``, both days included; no end: still running), imported
from the association's member list. Someone is a *current* member on a day that falls in one of their periods:
only current members may list, read or download the library's papers (``certcredit.services.library``), and
every read is kept (``Read``). docs/clrm.md, "Library and membership".

The full-text search has its own index beside ``LibraryPaper``, made by migration 0002: an FTS5 table kept in
step by triggers on SQLite, a GIN index on the papers' ``tsvector`` on PostgreSQL.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models

PAPER_TYPES = (("grievance", "Grievance arbitrations"), ("interest", "Factfinding and interest arbitrations"))


class Membership(models.Model):
    """One period of a person's membership of the association, as the member list gives it."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    starts_on = models.DateField(help_text="The first day of membership.")
    ends_on = models.DateField(null=True, blank=True, help_text="The last day of membership; empty: still running.")
    source_file = models.CharField(max_length=300, blank=True)
    source_line = models.CharField(max_length=30, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("person__email", "starts_on")
        constraints = (
            models.UniqueConstraint(fields=("person", "starts_on"), name="one_membership_per_start"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_it_starts",
            ),
        )

    def __str__(self) -> str:
        return f"{self.person}: {self.starts_on} to {self.ends_on or 'now'}"


def paper_file_path(instance: LibraryPaper, filename: str) -> str:  # noqa: ARG001 (Django's signature)
    """A random stored name (only its suffix kept): a file's address tells nothing and cannot be guessed."""
    return f"library/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class LibraryPaper(models.Model):
    """An accepted CLRM paper in the members' library, with the text taken from its file for searching."""

    title = models.CharField(max_length=300)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="library_papers"
    )
    author_name = models.CharField(max_length=200)
    arbitrator = models.CharField(max_length=500, help_text="The arbitrators analysed, separated by '; '.")
    paper_type = models.CharField(max_length=20, choices=PAPER_TYPES)
    accepted_on = models.DateField()
    year_accepted = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=paper_file_path, max_length=200)
    file_name = models.CharField(max_length=255, help_text="The name the file was submitted under.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, unique=True)
    text = models.TextField(blank=True, help_text="The text taken from the file (searched, never shown whole).")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-accepted_on", "-id")
        indexes = (
            models.Index(fields=("year_accepted",), name="library_paper_year"),
            models.Index(fields=("paper_type",), name="library_paper_type"),
        )

    def __str__(self) -> str:
        return f"library paper {self.pk}"  # never the title: the admin and logs show no title to non-members


class Read(models.Model):
    """One read of a paper: who, which, when, and how (its page, the API, or the file)."""

    VIA = (("page", "Page"), ("api", "API"), ("download", "Download"))

    paper = models.ForeignKey(LibraryPaper, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_reads")
    via = models.CharField(max_length=10, choices=VIA)
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-read_at", "-id")

    def __str__(self) -> str:
        return f"{self.person} read paper {self.paper_id} by {self.via} at {self.read_at}"
