"""Forms of the member's pages: a record by hand, the programs one pursues, the plan's date.

Thin: every value stays the text the member typed (so a mistyped one is shown back as typed) and the service
layer reads it with the one record reading (``services.records.check_record``), which names the field at fault.
"""

from __future__ import annotations

from typing import Any

from django import forms

from certcredit.services.audits import record_programs
from certcredit.values.vocabulary import CATEGORY_NAMES, FORMATS, SUBJECT_AREA_NAMES, TOPIC_NAMES

_DAY = forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "inputmode": "numeric", "autocomplete": "off"})

#: the form's fields in groups, each a fieldset with its legend
GROUPS = (
    ("What and when", ("title", "date", "minutes", "time", "format")),
    ("What it counts for", ("category", "subject_area", "topic", "activity")),
    ("More about it", ("provider", "description")),
)


class RecordForm(forms.Form):
    """One record, as the member would write a line of a records file (SPEC.md's keys)."""

    title = forms.CharField(label="Title", required=False, max_length=600)
    date = forms.CharField(label="Date", required=False, max_length=40, widget=_DAY, help_text="YYYY-MM-DD")
    minutes = forms.CharField(
        label="Minutes",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text="How long it lasted, in minutes (90 for an hour and a half).",
    )
    time = forms.CharField(
        label="Or the time as printed",
        required=False,
        max_length=120,
        help_text="Used when Minutes is empty, e.g. 9 – 10:30 A.M.",
    )
    format = forms.ChoiceField(
        label="Format", required=False, choices=[(f, f.replace("_", " ").capitalize()) for f in FORMATS]
    )
    category = forms.ChoiceField(
        label="Management Category",
        required=False,
        choices=[("", "— none printed —"), *CATEGORY_NAMES.items()],
        help_text="As designated on your certificate; leave empty if none is printed.",
    )
    subject_area = forms.ChoiceField(
        label="Subject area", required=False, choices=[("", "— none —"), *SUBJECT_AREA_NAMES.items()]
    )
    topic = forms.ChoiceField(label="Topic", required=False, choices=[("", "— none —"), *TOPIC_NAMES.items()])
    activity = forms.CharField(
        label="Activity",
        required=False,
        max_length=120,
        help_text="A program's own kind of activity, e.g. giving_back for PMI; empty for none.",
    )
    provider = forms.CharField(label="Provider", required=False, max_length=250)
    description = forms.CharField(
        label="Description", required=False, max_length=12_000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in GROUPS]


class ProgramsForm(forms.Form):
    """The programs a person pursues (checkboxes, at least one)."""

    programs = forms.MultipleChoiceField(
        label="The programs I pursue",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one program."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programs"].choices = [(p.id, p.name) for p in record_programs()]
