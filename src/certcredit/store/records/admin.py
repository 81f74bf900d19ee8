from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Q

from certcredit.store.admin_history import HistoryAdmin, ReadOnlyAdmin
from certcredit.store.records.models import ImportRun, Record
from certcredit.values.row import clean_activity


class RecordAdminForm(forms.ModelForm):
    """Says on the form (instead of failing at the database) when a change would make the record the same as
    another of the person's: the same date, title, minutes and format, and the same activity or none on one
    side."""

    class Meta:
        model = Record
        fields = "__all__"  # the admin's fieldsets choose

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors or data.get("person") is None:
            return data
        probe = Record(**{name: data.get(name) for name in ("person", "date", "title", "minutes", "format")})
        probe.activity = clean_activity(data.get("activity"))
        probe.assign_keys()
        same = Q(activity=probe.activity) | Q(activity="") if probe.activity else Q()
        twin = Record.objects.filter(same, person=probe.person, base_key=probe.base_key).exclude(pk=self.instance.pk)
        if (found := twin.first()) is not None:
            raise forms.ValidationError(f"{probe.person} already has this record (record {found.pk}: {found}).")
        return data


@admin.register(Record)
class RecordAdmin(HistoryAdmin):
    form = RecordAdminForm
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
class ImportRunAdmin(ReadOnlyAdmin):
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
