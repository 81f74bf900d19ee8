from django.contrib import admin

from certcredit.store.history.models import HistoryEntry


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    """Read-only: the history is append-only."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "note")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "note")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
