"""Web forms: thin, the service layer does the real checking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from certcredit.io.readers import FileFormatError, detect_format
from certcredit.services.audits import ProgressInvalid, parse_as_of, record_programs
from certcredit.services.records import EVIDENCE_SUFFIXES
from certcredit.services.reviews import NOTE_LIMIT
from certcredit.values.vocabulary import CATEGORY_NAMES, SUBJECT_AREA_NAMES, TOPIC_NAMES

#: the file kinds (``io.readers.detect_format``) of rows with any keys, and of tables (one row a line, no iCalendar)
ROW_FILES = ("csv", "json", "jsonl", "ics")
TABLE_FILES = ("csv", "json", "jsonl")
_SUFFIXES = {"csv": (".csv",), "json": (".json",), "jsonl": (".jsonl", ".ndjson"), "ics": (".ics",)}


class DataFileField(forms.FileField):
    """An uploaded data file: at most ``FILE_UPLOAD_MAX_BYTES``, of one of ``kinds`` by its name (the file picker
    offers those suffixes). Its rows are read and checked by the services."""

    def __init__(self, *, kinds: tuple[str, ...] = ROW_FILES, **kwargs: Any) -> None:
        self.kinds = kinds
        accept = ",".join(suffix for kind in kinds for suffix in _SUFFIXES[kind])
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if not upload:
            return upload
        upload = _not_too_big(upload)
        try:
            kind = detect_format(upload.name)
        except FileFormatError:
            kind = ""
        if kind not in self.kinds:
            named = [_SUFFIXES[k][0] for k in self.kinds]
            raise forms.ValidationError(f"Use a {', '.join(named[:-1])} or {named[-1]} file.")
        return upload


class RecordFileForm(forms.Form):
    """A file of the member's own records (CSV, JSON, JSON Lines or iCalendar)."""

    file = DataFileField(
        label="Records file",
        help_text="CSV with a header row, JSON (a list), JSON Lines or iCalendar (.ics); at most 10 MB.",
    )


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


class ProgressForm(forms.Form):
    """What to audit a person's records against (a GET form: the page's address says what it shows).

    The as-of date is a text field, not a date picker, so a mistyped date is shown back as it was typed.
    ``services.audits.progress`` does the real checking (a date no rule version covers, a missing specialty).
    """

    program = forms.ChoiceField(
        label="Program",
        error_messages={"invalid_choice": "Unknown program %(value)s: choose one of the list."},
    )
    as_of = forms.CharField(
        label="As of",
        max_length=30,
        help_text="The application date, or the cycle's end date for a recertification (YYYY-MM-DD).",
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "inputmode": "numeric"}),
    )
    specialty = forms.ChoiceField(
        label="Specialty",
        required=False,
        help_text="The functional specialist's own subject area (that program only; the others ignore it).",
        error_messages={"invalid_choice": "Unknown specialty %(value)s: choose one of the list."},
    )

    cycle_start = forms.CharField(
        label="First cycle began",
        required=False,
        max_length=30,
        help_text="Only for a first cycle, in programs with a first-cycle rule (Texas MCLE, PMI): the day it began.",
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programs = record_programs()
        self.takes_specialty = {p.id for p in programs if p.specialties}
        self.fields["program"].choices = [(p.id, f"{p.name} ({p.id})") for p in programs]
        areas = dict.fromkeys(area for p in programs for area in p.specialties)
        self.fields["specialty"].choices = [("", "—")] + [
            (area, f"{area}: {SUBJECT_AREA_NAMES.get(area, area)}") for area in areas
        ]

    def clean_as_of(self) -> dt.date:
        try:
            return parse_as_of(self.cleaned_data["as_of"])
        except ProgressInvalid as error:
            raise forms.ValidationError(str(error)) from None

    def clean_cycle_start(self) -> dt.date | None:
        text = self.cleaned_data["cycle_start"].strip()
        if not text:
            return None
        try:
            return parse_as_of(text)
        except ProgressInvalid:
            raise forms.ValidationError(f"unreadable date {text!r}: use YYYY-MM-DD") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("program") not in self.takes_specialty:
            cleaned["specialty"] = ""
        return cleaned


class ReviewForm(forms.Form):
    """A reviewer's decision on a session the evaluator was unsure about; ``services.reviews.review`` checks it
    (a qualifying session needs its category) and names the field at fault, which the page shows beside it."""

    verdict = forms.ChoiceField(
        label="Verdict",
        choices=[("qualifies", "Qualifies"), ("does_not_qualify", "Does not qualify")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose qualifies or does not qualify."},
    )
    category = forms.ChoiceField(
        label="Management Category",
        required=False,
        choices=[("", "—"), *CATEGORY_NAMES.items()],
        help_text="Required when it qualifies; empty when it does not.",
    )
    subject_area = forms.ChoiceField(
        label="Subject area", required=False, choices=[("", "—"), *SUBJECT_AREA_NAMES.items()]
    )
    topic = forms.ChoiceField(label="Topic", required=False, choices=[("", "—"), *TOPIC_NAMES.items()])
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why: kept with the decision and in the history.",
    )


def _clrm_academies() -> list[tuple[str, str]]:
    from certcredit.services.clrm import program

    return [(a.id, a.name) for a in program().academies]


def _day(value: str) -> dt.date:
    try:
        return parse_as_of(value)
    except ProgressInvalid as error:
        raise forms.ValidationError(str(error).replace("as-of date", "date")) from None


class AcademyForm(forms.Form):
    """Staff record that one person attended one core academy in full (``services.clrm.record_academy``)."""

    email = forms.EmailField(label="Candidate's e-mail", help_text="The person must have an account.")
    academy = forms.ChoiceField(label="Academy", choices=_clrm_academies)
    date = forms.CharField(
        label="Date attended",
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "inputmode": "numeric"}),
    )

    def clean_date(self) -> dt.date:
        return _day(self.cleaned_data["date"])


class RosterForm(forms.Form):
    """One academy day's roster: a CSV (or JSON) file with an ``email`` column (``services.clrm.import_roster``)."""

    academy = forms.ChoiceField(label="Academy", choices=_clrm_academies)
    date = forms.CharField(
        label="Academy day",
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "inputmode": "numeric"}),
    )
    file = DataFileField(
        kinds=TABLE_FILES,
        label="Roster file",
        help_text="CSV with a header row and an email column (other columns are ignored), or JSON; at most 10 MB.",
    )

    def clean_date(self) -> dt.date:
        return _day(self.cleaned_data["date"])


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, initial="my script", help_text="To tell your tokens apart.")


def _not_too_big(upload: UploadedFile) -> UploadedFile:
    limit = settings.FILE_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(f"The file is larger than {limit // (1024 * 1024)} MB.")
    return upload


#: the upload size check, for the other edges' forms
not_too_big = _not_too_big
