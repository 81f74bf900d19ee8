"""Credentials and applications are read-only in the admin: every change goes through the service layer, so it
is written to the history with who and when (the web pages and ``/api/`` offer the staff actions)."""

from __future__ import annotations

from django.contrib import admin

from certcredit.store.admin_history import ReadOnlyAdmin
from certcredit.store.credentials.models import Application, Credential


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ("person", "family", "status", "anniversary", "valid_until", "cycle")
    list_filter = ("family", "status")
    search_fields = ("person__email", "code")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("person", "kind", "program", "status", "submitted_on", "decided_by")
    list_filter = ("kind", "status")
    search_fields = ("person__email",)
