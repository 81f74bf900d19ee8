from django.contrib import admin

from certcredit.store.admin_history import HistoryAdmin, ReadOnlyAdmin
from certcredit.store.catalog.models import Decision, Dispute, Program, Session, Submission


@admin.register(Program)
class ProgramAdmin(HistoryAdmin):
    list_display = ("id", "name", "rulebook", "organization")


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    readonly_fields = ("kind", "verdict", "category", "subject_area", "topic", "confidence", "decided_by", "decided_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # decisions are taken through the service layer so they reach the history


@admin.register(Session)
class SessionAdmin(HistoryAdmin):
    list_display = ("title", "date", "minutes", "format", "provider", "category", "subject_area")
    list_filter = ("format", "category", "subject_area")
    search_fields = ("title", "description")
    date_hierarchy = "date"
    inlines = (DecisionInline,)


@admin.register(Decision)
class DecisionAdmin(HistoryAdmin):
    list_display = ("session", "kind", "verdict", "category", "subject_area", "topic", "decided_by", "decided_at")
    list_filter = ("kind", "verdict")


# Submissions and disputes are taken through the provider's pages and the review queue (which write the history).


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "organization", "submitted_by", "submitted_at", "status", "added", "evaluated")
    list_filter = ("status", "organization")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("session", "raised_by", "raised_at", "status", "settled_by", "settled_at")
    list_filter = ("status",)
