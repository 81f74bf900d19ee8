"""Web forms: thin, the service layer does the real checking."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from certcredit.io.readers import FileFormatError, detect_format
from certcredit.services.records import EVIDENCE_SUFFIXES


class RecordFileForm(forms.Form):
    """A file of the member's own records (CSV, JSON, JSON Lines or iCalendar)."""

    file = forms.FileField(
        label="Records file",
        help_text="CSV with a header row, JSON (a list), JSON Lines or iCalendar (.ics); at most 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.jsonl,.ndjson,.ics"}),
    )

    def clean_file(self) -> UploadedFile:
        upload = _not_too_big(self.cleaned_data["file"])
        try:
            detect_format(upload.name)
        except FileFormatError:
            raise forms.ValidationError("Use a .csv, .json, .jsonl or .ics file.") from None
        return upload


class EvidenceForm(forms.Form):
    evidence = forms.FileField(
        label="Evidence", help_text=f"A certificate of attendance or similar ({', '.join(EVIDENCE_SUFFIXES)})."
    )

    def clean_evidence(self) -> UploadedFile:
        return _not_too_big(self.cleaned_data["evidence"])


class ActivityForm(forms.Form):
    """A record's activity (PMI's giving back, SHRM's profession); ``set_activity`` normalises and checks it."""

    activity = forms.CharField(
        label="Activity",
        required=False,
        max_length=100,
        help_text='The program\'s own kind of activity, e.g. giving_back for PMI ("Giving Back" reads the same); '
        "leave empty for none.",
    )


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, initial="my script", help_text="To tell your tokens apart.")


def _not_too_big(upload: UploadedFile) -> UploadedFile:
    limit = settings.FILE_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(f"The file is larger than {limit // (1024 * 1024)} MB.")
    return upload
