"""Admin changes go through the same history as everything else: who, when, before and after.

``HistoryAdmin`` writes an entry for every save, delete and bulk delete of its model and for every object an
inline adds, changes or removes; each admin in certcredit's apps is one, or a ``ReadOnlyAdmin``, which refuses
every change (the rows it shows change only through the services, which write the history themselves).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from certcredit.services import history


class HistoryAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes write history entries with the staff member's name."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = history.snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            history.record_change(request.user, "update" if change else "create", obj, before, note="admin")

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            history.record_change(request.user, "delete", obj, history.snapshot(obj), note="admin")
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                history.record_change(request.user, "delete", obj, history.snapshot(obj), note="admin (bulk delete)")
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """An inline's new, changed and removed objects, each with its entry."""
        before: dict[Any, dict[str, Any]] = {}
        for inline_form in formset.initial_forms:
            instance = inline_form.instance
            if instance.pk is not None and (inline_form.has_changed() or inline_form in formset.deleted_forms):
                stored = type(instance)._default_manager.filter(pk=instance.pk).first()
                if stored is not None:
                    before[instance.pk] = history.snapshot(stored)
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                history.record_change(request.user, "create", obj, None, note=f"admin, with {form.instance}")
            for obj, _fields in formset.changed_objects:
                history.record_change(
                    request.user, "update", obj, before.get(obj.pk), note=f"admin, with {form.instance}"
                )
            for obj in formset.deleted_objects:
                gone = before.get(obj.pk) or history.snapshot(obj)
                history.record_change(request.user, "delete", obj, gone, note=f"admin, with {form.instance}")


class ReadOnlyAdmin(admin.ModelAdmin):
    """A ModelAdmin that shows its rows and refuses to add, change or delete any: staff only look."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
