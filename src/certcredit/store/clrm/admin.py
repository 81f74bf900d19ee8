"""The admin shows CLRM candidates and their events read-only: changes go through the service (history)."""

from __future__ import annotations

from django.contrib import admin

from certcredit.store.admin_history import ReadOnlyAdmin
from certcredit.store.clrm.models import (
    Arbitrator,
    BulletinFeature,
    Candidate,
    Enrolment,
    Event,
    OrientationSession,
    PaperVersion,
    Proposal,
    Recognition,
    Review,
)


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ("person", "enrolled_at", "enrolled_by")
    search_fields = ("person__email", "person__name")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "date", "type", "academy", "recorded_by", "recorded_at", "source_file")
    list_filter = ("type", "academy")
    search_fields = ("candidate__person__email",)


# The workflow's rows: read-only here too; every change is an action of services.clrm_flow, in the history.


@admin.register(Arbitrator)
class ArbitratorAdmin(ReadOnlyAdmin):
    list_display = ("name", "location", "case_kinds", "added_by", "added_at")
    search_fields = ("name", "location", "case_kinds")


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "paper_type", "status", "proposed_at", "decided_by", "decided_at")
    list_filter = ("status", "paper_type")
    search_fields = ("candidate__person__email",)


@admin.register(OrientationSession)
class OrientationSessionAdmin(ReadOnlyAdmin):
    list_display = ("date", "place", "capacity", "created_by")


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("session", "candidate", "enrolled_at", "attended_at", "attendance_by")


@admin.register(PaperVersion)
class PaperVersionAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "number", "title", "kind", "size", "uploaded_at")
    search_fields = ("candidate__person__email", "title")
    exclude = ("file",)  # the file is read through the paper pages, which check who may


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("version", "outcome", "reviewer", "reviewed_at")
    list_filter = ("outcome",)


@admin.register(BulletinFeature)
class BulletinFeatureAdmin(ReadOnlyAdmin):
    list_display = ("title", "candidate", "paper_type", "accepted_on", "queued_at")


@admin.register(Recognition)
class RecognitionAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "conference_year", "accepted_on")
    list_filter = ("conference_year",)
