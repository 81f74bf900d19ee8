"""Forms of the credential pages: thin; ``services.credentials`` checks and names the field at fault."""

from __future__ import annotations

from django import forms

from certcredit.services import credentials as creds
from certcredit.web.forms import ProgressForm


class ApplyForm(forms.Form):
    """An application with the attestations domain/clm.md R1–R8 ask (a recertification: the Code of Ethics)."""

    kind = forms.ChoiceField(label="Application", choices=[
        (creds.Kind.EXAM, "Exam application"),
        (creds.Kind.SPECIALIST, "Exam application, functional specialist"),
        (creds.Kind.RECERTIFICATION, "Recertification"),
    ])  # fmt: skip
    specialty = forms.ChoiceField(label="Specialty", required=False, help_text="Functional specialists only.")
    employment = forms.ChoiceField(
        label="Employment (R1)", required=False, choices=[("", "—"), *creds.EMPLOYMENT.items()]
    )
    employer = forms.CharField(label="Legal organization", required=False, max_length=200)
    years = forms.CharField(
        label="Full-time years of exempt-level experience (R2)", required=False, max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )  # fmt: skip
    track = forms.ChoiceField(label="Track (R3)", required=False, choices=[("", "—"), *creds.TRACKS.items()])
    country = forms.CharField(label="Country", required=False, max_length=80, help_text="Any country may apply (R8).")
    code_of_ethics = forms.BooleanField(label="I endorse the Code of Ethics (R7)", required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = ProgressForm().fields["specialty"].choices


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("deny", "Deny")], widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to deny; the member sees it.",
    )  # fmt: skip


class ExamPassForm(forms.Form):
    passed_on = forms.DateField(label="Exam passed on", help_text="YYYY-MM-DD", input_formats=["%Y-%m-%d"])


class RevokeForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
