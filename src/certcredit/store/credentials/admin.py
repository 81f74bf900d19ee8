"""Credentials and applications are read-only in the admin: every change goes through the service layer, so it
is written to the history with who and when (the web pages and ``/api/`` offer the staff actions)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from certcredit.store.credentials.models import Application, Credential


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Credential)
class CredentialAdmin(ReadOnly):
    list_display = ("person", "family", "status", "anniversary", "valid_until", "cycle")
    list_filter = ("family", "status")
    search_fields = ("person__email", "code")


@admin.register(Application)
class ApplicationAdmin(ReadOnly):
    list_display = ("person", "kind", "program", "status", "submitted_on", "decided_by")
    list_filter = ("kind", "status")
    search_fields = ("person__email",)
