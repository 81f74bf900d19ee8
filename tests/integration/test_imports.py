"""Imports: bad rows reported with their line, good rows stored, re-imports add nothing, one transaction."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from certcredit.services import imports
from certcredit.services.imports import import_records, load_rows
from certcredit.store.catalog.models import Decision, Session
from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import ImportRun, Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]

BAD_VALUES = (
    {"date": ""},  # no date
    {"minutes": "", "time": "half past nine"},  # unreadable time
    {"category": "cooking"},  # unknown category
    {"minutes": "ninety"},  # minutes not a number
    {"date": "2026-02-30"},  # no such day
)


def write_records_csv(path: Path, rows: int, bad_share: float, seed: int = 7) -> set[int]:
    """A CSV of ``rows`` records, ``bad_share`` of them bad; returns the file lines of the bad ones."""
    rng = random.Random(seed)
    bad_positions = set(rng.sample(range(rows), int(rows * bad_share)))
    bad_lines = set()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["id", "date", "title", "minutes", "time", "format", "category"])
        writer.writeheader()
        for index in range(rows):
            row = {
                "id": f"r{index}",
                "date": f"2026-{index % 12 + 1:02d}-{index % 28 + 1:02d}",
                "title": f"Workshop number {index}",
                "minutes": str(60 + index % 120),
                "time": "",
                "format": ("in_person", "live_online", "recorded")[index % 3],
                "category": ("writing", "communication", "")[index % 3],
            }
            if index in bad_positions:
                row.update(BAD_VALUES[index % len(BAD_VALUES)])
                bad_lines.add(index + 2)  # line 1 is the header
            writer.writerow(row)
    return bad_lines


def test_a_10000_row_csv_with_5_percent_bad_rows_stores_every_good_row_and_names_every_bad_line(
    tmp_path: Path, make_person, cli
) -> None:
    member = make_person("casey@example.org")
    path = tmp_path / "records.csv"
    bad_lines = write_records_csv(path, 10_000, 0.05)

    result = cli("import", "records", str(path), "--person", "casey@example.org")

    assert result.exit_code == 2
    reported = {int(line.split(": line ")[1].split(":")[0]) for line in result.stderr.splitlines() if ": line " in line}
    assert reported == bad_lines
    assert Record.objects.filter(person=member).count() == 9_500
    assert "9500" in result.stderr  # the summary table's "added"

    again = cli("import", "records", str(path), "--person", "casey@example.org")
    assert again.exit_code == 2
    assert Record.objects.filter(person=member).count() == 9_500


def test_reimporting_the_same_file_adds_nothing(tmp_path: Path, make_person) -> None:
    member = make_person("dana@example.org")
    path = tmp_path / "records.jsonl"
    path.write_text(
        '{"date": "2026-01-10", "title": "Writing  Clear Memos", "minutes": 90}\n'
        '{"date": "2026-02-11", "title": "Budgets", "time": "9 – 10:30 A.M."}\n'
    )
    first = import_records(load_rows(path), member, None, str(path))
    second = import_records(load_rows(path), member, None, str(path))

    assert (first.added, first.already_present) == (2, 0)
    assert (second.added, second.already_present) == (0, 2)
    assert Record.objects.filter(person=member).count() == 2
    assert ImportRun.objects.filter(person=member).count() == 2


def test_a_record_differing_only_in_case_and_spacing_of_its_title_is_the_same_record(tmp_path, make_person) -> None:
    member = make_person("eli@example.org")
    path = tmp_path / "records.json"
    path.write_text(
        '[{"date": "2026-01-10", "title": "Writing Clear Memos", "minutes": 90},'
        ' {"date": "2026-01-10", "title": "writing   clear memos", "minutes": "90"}]'
    )
    report = import_records(load_rows(path), member, None, str(path))
    assert (report.added, report.already_present) == (1, 1)


def test_an_import_that_fails_half_way_keeps_no_record_and_marks_its_run_failed(
    tmp_path: Path, make_person, monkeypatch
) -> None:
    member = make_person("frankie@example.org")
    path = tmp_path / "records.csv"
    write_records_csv(path, 5_000, 0.0)
    counts_before = (Record.objects.count(), HistoryEntry.objects.count())
    monkeypatch.setattr(imports, "STAGE_ROWS", imports.CHUNK)  # PostgreSQL stages batches of this size
    real_write = imports._RecordWriter._write_chunk
    calls = []

    def failing_write(writer, chunk):  # the third chunk: SQLite inserts it, PostgreSQL stages and adds it
        calls.append(chunk.good_rows)
        if len(calls) == 3:
            raise RuntimeError("the disk filled up")
        return real_write(writer, chunk)

    monkeypatch.setattr(imports._RecordWriter, "_write_chunk", failing_write)
    with pytest.raises(RuntimeError, match="disk filled up"):
        import_records(load_rows(path), member, None, str(path))

    assert calls[:2] == [imports.CHUNK, imports.CHUNK]  # two chunks were written before the failure
    assert (Record.objects.count(), HistoryEntry.objects.count()) == counts_before
    run = ImportRun.objects.get()
    assert (run.status, run.added, run.error) == ("failed", 0, "RuntimeError: the disk filled up")


def test_every_imported_record_gets_a_history_entry_naming_who_imported_it(tmp_path, make_person) -> None:
    member = make_person("gale@example.org")
    staff = make_person("staffer@example.org", "staff")
    path = tmp_path / "records.csv"
    path.write_text("date,title,minutes\n2026-03-01,Negotiation basics,120\n2026-03-02,Spreadsheets,60\n")
    import_records(load_rows(path), member, staff, str(path))

    entries = HistoryEntry.objects.filter(object_type="records.record", action="create")
    assert entries.count() == 2
    assert {e.actor_label for e in entries} == {"staffer@example.org"}
    assert {e.after["title"] for e in entries} == {"Negotiation basics", "Spreadsheets"}
    assert all(e.before is None for e in entries)


def test_an_ics_agenda_imports_each_event_as_a_session_and_rejects_a_broken_event(tmp_path: Path, cli, db) -> None:
    path = tmp_path / "agenda.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//agenda//EN\r\n"
        "BEGIN:VEVENT\r\nUID:agenda-1@example.org\r\nSUMMARY:Writing Winning Proposals\r\n"
        "DESCRIPTION:Structure and edit a proposal for a client.\r\n"
        "DTSTART;TZID=America/Chicago:20260915T090000\r\nDTEND;TZID=America/Chicago:20260915T103000\r\n"
        "ORGANIZER;CN=Prairie Chapter:mailto:events@example.org\r\n"
        "X-CERTCREDIT-CATEGORY:writing\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:agenda-2@example.org\r\nSUMMARY:Welcome Reception\r\n"
        "DTSTART;VALUE=DATE:20260915\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:agenda-3@example.org\r\nSUMMARY:Backwards Session\r\n"
        "DTSTART:20260916T110000Z\r\nDTEND:20260916T100000Z\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    result = cli("import", "sessions", str(path))

    assert result.exit_code == 2
    assert f"{path}: event 3: the event ends before it starts" in result.stderr
    proposal = Session.objects.get(uid="agenda-1@example.org")
    assert (proposal.minutes, str(proposal.date), proposal.start_time.isoformat()) == (90, "2026-09-15", "09:00:00")
    assert proposal.provider.name == "Prairie Chapter"
    assert Session.objects.get(uid="agenda-2@example.org").minutes is None  # all-day: duration unknown
    designation = Decision.objects.get(session=proposal)
    assert (designation.kind, designation.category, designation.verdict) == ("designated", "writing", "qualifies")

    assert cli("import", "sessions", str(path)).exit_code == 2
    assert Session.objects.count() == 2
    assert Decision.objects.count() == 1


def test_a_session_file_without_rejections_exits_0_and_reuses_its_provider(tmp_path: Path, cli, db) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text(
        "title,date,time,provider,subject_area\n"
        "Leave Law Update,2026-04-01,9 - 10 AM.,Acme Learning,HR\n"
        "Cash Flow Basics,2026-04-01,10:30–11:30 A.M.,acme  learning,FM\n"
    )
    result = cli("import", "sessions", str(path), "--json")

    assert result.exit_code == 0, result.stderr
    assert '"added": 2' in result.stdout
    assert {s.provider.name for s in Session.objects.all()} == {"Acme Learning"}
    assert sorted(Session.objects.values_list("minutes", flat=True)) == [60, 60]
    assert Decision.objects.filter(verdict="").count() == 2  # area-only designations carry no category verdict


def test_records_need_a_date_and_a_duration_and_each_rejection_says_why(tmp_path: Path, make_person) -> None:
    member = make_person("harper@example.org")
    path = tmp_path / "records.csv"
    path.write_text(
        "title,date,minutes,time,subject_area\n"
        "No date,,60,,\n"
        "No duration,2026-01-01,,,\n"
        "Odd area,2026-01-01,60,,XX\n"
        "Fine,2026-01-01,,1:00-2:15pm,HR\n"
    )
    report = import_records(load_rows(path), member, None, str(path))

    assert [(r.where, r.reason.split(":")[0].split(" '")[0]) for r in report.rejected] == [
        ("line 2", "no date"),
        ("line 3", "no duration"),
        ("line 4", "unknown subject area"),
    ]
    assert list(Record.objects.filter(person=member).values_list("title", "minutes")) == [("Fine", 75)]


def test_a_member_cannot_import_records_for_someone_else(tmp_path: Path, make_person) -> None:
    from certcredit.services.access import Forbidden

    member, other = make_person("ira@example.org"), make_person("jo@example.org")
    path = tmp_path / "records.csv"
    path.write_text("title,date,minutes\nX,2026-01-01,60\n")
    with pytest.raises(Forbidden):
        import_records(load_rows(path), other, member, str(path))
    assert Record.objects.count() == 0


def test_an_unreadable_file_stops_before_anything_is_stored(tmp_path: Path, make_person, cli) -> None:
    make_person("kim@example.org")
    path = tmp_path / "records.json"
    path.write_text("{not json")
    result = cli("import", "records", str(path), "--person", "kim@example.org")
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr
    assert ImportRun.objects.count() == 0


def test_each_imported_records_history_entry_holds_the_record_as_stored_and_links_its_catalogued_session(
    tmp_path: Path, make_person
) -> None:
    from certcredit.services import history
    from certcredit.services.imports import import_sessions

    member = make_person("isla@example.org")
    sessions = tmp_path / "sessions.csv"
    sessions.write_text("title,date,time\nLeave Law Update,2026-04-01,9 - 10 AM.\nCash Flow,2026-04-02,9 - 10 AM.\n")
    import_sessions(load_rows(sessions), None, str(sessions))
    records = tmp_path / "records.jsonl"
    records.write_text(
        '{"date": "2026-04-01", "title": "leave  LAW update", "minutes": 60, "format": "live_online",'
        ' "description": "Tabs\\tand \\"quotes\\" and é", "provider": "Acme", "id": "x-1", "activity": "giving_back"}\n'
        '{"date": "2026-04-03", "title": "Cash Flow", "time": "9 – 10:30 A.M.", "category": "writing"}\n'
    )
    report = import_records(load_rows(records), member, member, str(records))

    assert (report.added, report.already_present) == (2, 0)
    linked = Record.objects.get(person=member, date="2026-04-01")
    assert linked.session == Session.objects.get(title="Leave Law Update")
    assert Record.objects.get(person=member, date="2026-04-03").session is None  # that session is on the 2nd
    for record in Record.objects.filter(person=member):
        entry = HistoryEntry.objects.get(object_type="records.record", object_id=str(record.pk))
        assert entry.after == history.snapshot(record)
        assert (entry.action, entry.actor_label, entry.note) == (
            "create",
            "isla@example.org",
            f"imported from {records}",
        )
