"""The admin shows CLRM candidates and their events read-only: changes go through the service (history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from certcredit.store.clrm.models import Candidate, Event


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Candidate)
class CandidateAdmin(_ReadOnly):
    list_display = ("person", "enrolled_at", "enrolled_by")
    search_fields = ("person__email", "person__name")


@admin.register(Event)
class EventAdmin(_ReadOnly):
    list_display = ("candidate", "date", "type", "academy", "recorded_by", "recorded_at", "source_file")
    list_filter = ("type", "academy")
    search_fields = ("candidate__person__email",)
