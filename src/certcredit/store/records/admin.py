from django.contrib import admin
from django.db import transaction

from certcredit.store.admin_history import HistoryAdmin
from certcredit.store.records.models import ImportRun, Record


@admin.register(Record)
class RecordAdmin(HistoryAdmin):
    list_display = (
        "person", "date", "title", "minutes", "format", "category", "subject_area", "activity", "source_line",
    )  # fmt: skip
    list_filter = ("format", "category", "subject_area", "activity")
    search_fields = ("title", "person__email")
    readonly_fields = ("natural_key", "source_file", "source_line", "import_run")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from certcredit.io.rows import record_fields

        from certcredit.services.people import lock_person

        fields = record_fields({"date": obj.date.isoformat(), "minutes": obj.minutes, "title": obj.title,
                                "format": obj.format, "activity": obj.activity})  # fmt: skip
        obj.activity = fields.activity  # normalised, as imports, the web form and the API keep it (save: keys)
        with transaction.atomic():
            lock_person(obj.person)
            super().save_model(request, obj, form, change)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Read-only: an import run is the record of an attempt (who, when, how it ended). It is never changed or
    deleted in the admin; its records are removed one by one (each in the history), the run stays."""

    list_display = (
        "started_at",
        "kind",
        "file_name",
        "run_by",
        "person",
        "status",
        "rows",
        "added",
        "already_present",
        "rejected",
    )
    list_filter = ("kind", "status")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
