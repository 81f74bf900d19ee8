"""Every upload form takes its file through one field: the size limit, then the kinds of file it reads, named in
the error and offered by the file picker."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certcredit.web.forms import RecordFileForm
from certcredit.web.library_views import MemberListForm
from certcredit.web.provider_forms import AgendaForm, SessionRosterForm


def upload(name: str, size: int = 20) -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile(name, b"x" * size)}


@pytest.mark.parametrize("form_class", [RecordFileForm, AgendaForm])
def test_a_form_of_rows_takes_any_readable_file_and_names_the_four_kinds_otherwise(form_class: type) -> None:
    for name in ("a.csv", "a.json", "a.jsonl", "a.NDJSON", "a.ics"):
        assert form_class({}, upload(name)).is_valid(), name
    form = form_class({}, upload("a.xlsx"))
    assert not form.is_valid()
    assert form.errors["file"] == ["Use a .csv, .json, .jsonl or .ics file."]
    assert 'accept=".csv,.json,.jsonl,.ndjson,.ics"' in str(form["file"])


@pytest.mark.parametrize("form_class", [SessionRosterForm, MemberListForm])
def test_a_table_form_refuses_a_calendar_and_names_the_three_kinds(form_class: type) -> None:
    assert form_class({}, upload("list.csv")).is_valid()
    for name in ("list.ics", "list.txt", "list"):
        form = form_class({}, upload(name))
        assert not form.is_valid(), name
        assert form.errors["file"] == ["Use a .csv, .json or .jsonl file."]


@pytest.mark.parametrize("form_class", [RecordFileForm, AgendaForm, SessionRosterForm, MemberListForm])
def test_a_file_over_the_limit_is_refused_before_its_name_is_read(form_class: type, settings) -> None:
    settings.FILE_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    form = form_class({}, upload("big.xlsx", 2 * 1024 * 1024 + 1))
    assert not form.is_valid()
    assert form.errors["file"] == ["The file is larger than 2 MB."]
    assert form_class({}, upload("big.csv", 2 * 1024 * 1024)).is_valid()


@pytest.mark.parametrize("form_class", [RecordFileForm, SessionRosterForm])
def test_no_file_is_a_required_field(form_class: type) -> None:
    form = form_class({}, {})
    assert not form.is_valid() and form.errors["file"] == ["This field is required."]
