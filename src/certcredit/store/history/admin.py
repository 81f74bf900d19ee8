from django.contrib import admin

from certcredit.store.admin_history import ReadOnlyAdmin
from certcredit.store.history.models import HistoryEntry


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    """Read-only: the history is append-only."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "note")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "note")
