"""The admin shows memberships and the read log read-only (changes go through the services, with history).

Library papers are not in the admin: their titles and files are for current members only (docs/clrm.md).
"""

from __future__ import annotations

from django.contrib import admin

from certcredit.store.admin_history import ReadOnlyAdmin
from certcredit.store.library.models import Membership, Read


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("person", "starts_on", "ends_on", "source_file", "source_line", "recorded_by", "recorded_at")
    search_fields = ("person__email", "person__name")
    date_hierarchy = "starts_on"


@admin.register(Read)
class ReadAdmin(ReadOnlyAdmin):
    list_display = ("read_at", "person", "paper_id", "via")
    list_filter = ("via",)
    search_fields = ("person__email",)
