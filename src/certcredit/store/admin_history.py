"""Admin changes go through the same history as everything else: who, when, before and after."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from certcredit.services import history


class HistoryAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes write history entries with the staff member's name."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        before = history.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        history.record_change(request.user, "update" if change else "create", obj, before, note="admin")

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        before = history.snapshot(obj)
        history.record_change(request.user, "delete", obj, before, note="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            history.record_change(request.user, "delete", obj, history.snapshot(obj), note="admin")
        super().delete_queryset(request, queryset)
