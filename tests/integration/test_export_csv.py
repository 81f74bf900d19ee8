"""``certcredit export records FILE.csv``: a title that is a formula is written escaped and re-imports as itself."""

from __future__ import annotations

import csv

import pytest

from certcredit.io.readers import Row
from certcredit.services.imports import import_records
from certcredit.store.records.models import Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]


def test_exported_formula_cells_are_escaped_and_re_import_as_the_same_record(cli, make_person, tmp_path) -> None:
    member = make_person("sheet@example.org")
    row = {"title": '=HYPERLINK("http://evil.example","Click")', "date": "2026-02-03", "minutes": 75,
           "provider": "@Provider", "description": "-rm everything"}  # fmt: skip
    import_records([Row(1, 1, row, "item")], member, member, "x.json")
    target = tmp_path / "records.csv"

    assert cli("export", "records", str(target), "--person", "sheet@example.org").exit_code == 0

    (cells,) = csv.DictReader(target.open(encoding="utf-8"))
    assert cells["title"] == "'" + row["title"]
    assert (cells["provider"], cells["description"]) == ("'@Provider", "'-rm everything")
    assert (cells["date"], cells["minutes"]) == ("2026-02-03", "75")
    again = cli("import", "records", str(target), "--person", "sheet@example.org", "--json")
    assert again.exit_code == 0, again.stderr
    assert '"added": 0, "already_present": 1' in again.stdout
    assert list(Record.objects.values_list("title", flat=True)) == [row["title"]]
