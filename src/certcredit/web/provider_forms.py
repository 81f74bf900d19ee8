"""The provider's forms: one session, an agenda file, a dispute, an attendance roster (the services check)."""

from __future__ import annotations

from django import forms

from certcredit.services.disputes import REASON_LIMIT
from certcredit.values.vocabulary import FORMATS
from certcredit.web.forms import TABLE_FILES, DataFileField

FORMAT_CHOICES = [(f, f.replace("_", " ").capitalize()) for f in FORMATS]


class SessionForm(forms.Form):
    """One session, with the keys of a file row (``docs/file-formats.md``)."""

    title = forms.CharField(label="Title", max_length=500)
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the session teaches: the evaluator reads it.",
    )
    date = forms.CharField(
        label="Date", max_length=30, widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "inputmode": "numeric"})
    )
    minutes = forms.CharField(
        label="Minutes",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text="The session's length; or give the time below.",
    )
    time = forms.CharField(
        label="Time",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "9 – 10:30 A.M."}),
        help_text="The time as printed, when no minutes are given.",
    )
    format = forms.ChoiceField(label="Format", choices=FORMAT_CHOICES, initial="in_person")


class AgendaForm(forms.Form):
    file = DataFileField(
        label="Agenda file",
        help_text="CSV with a header row, JSON (a list), JSON Lines or iCalendar (.ics), one session a row or event; "
        "at most 10 MB.",
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label="Why the decision is wrong",
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The reviewer reads this; name what the session teaches and the category you expect.",
    )


class SessionRosterForm(forms.Form):
    file = DataFileField(
        kinds=TABLE_FILES,
        label="Roster file",
        help_text="CSV with a header row and an email column (other columns are ignored), or JSON; at most 10 MB.",
    )


class UpholdForm(forms.Form):
    note = forms.CharField(
        label="Note to the provider", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
