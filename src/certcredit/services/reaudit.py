"""Standings written in bulk through the batch engine's fast lane: the re-audit of everyone, and the people whose
records changed (docs/staff.md, "The stored standings").

People go in chunks (``CHUNK``). For each chunk: their names, their current CLM credentials, their records (one
query, in the order the audit takes them) and the applying decisions of the sessions those records link to (two
queries) are read at once; each person's rows (``audits.Inputs.rows``, the credit the audit applies included) go
to ``engine.bulk.BulkAuditor`` as one batch line, exactly as ``certcredit audit --batch`` would take them, and its
output line is read back into an audit. The status then follows ``standing_of.decide``, the rules the careful
path uses, with the outlook's parts computed the way ``engine.outlook`` computes them:

- a certified holder's pace: ``engine.outlook.deadline`` on the lane's audit;
- a complete applicant's first incomplete day within 90 days: the days on which the audit may change
  (``engine.outlook.change_points``), each audited on the lane (by bisection where completeness can only be lost,
  ``engine.audit.only_lost``, as ``engine.outlook.ageing_out`` does);
- the hours counted from the last twelve months: ``standing_of.last_year`` on the lane's allocations.

A person the lane does not take (a record it declines, a rejected one, anything ``engine.bulk`` leaves to the
careful path) is assessed on the careful path (``standing_of.assess_inputs``) from the rows already read. The
chunk's standings are then written in one transaction: an upsert of every row (``bulk_create`` with
``update_conflicts``, on PostgreSQL and SQLite), the removal of standings no longer pursued, and of the chunk's
"records changed" marks noted before its records were read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from certcredit.engine.audit import Audit, Placement, RequirementStatus, choose_version, only_lost
from certcredit.engine.bulk import BulkAuditor
from certcredit.engine.outlook import HORIZON_DAYS, change_points, deadline
from certcredit.engine.records import EducationRecord
from certcredit.engine.sorting import first_counting_day
from certcredit.rules.compiled import CompiledProgram
from certcredit.rules.load import load_program
from certcredit.services import audits
from certcredit.services import credentials as creds
from certcredit.services.standing_of import (
    APPLICATION,
    RECERTIFICATION,
    Found,
    Pursued,
    assess_inputs,
    decide,
    last_year,
    pursued,
    standing_fields,
)
from certcredit.store.accounts.models import Person
from certcredit.store.credentials.models import Credential
from certcredit.store.records.models import Record
from certcredit.store.standings.models import Outdated, Standing

#: people read, audited and written together (one transaction each)
CHUNK = 250
#: people whose records one query reads: PostgreSQL then walks the (person, date) index and sorts each person's
#: records of a day in memory (10,000 rows); a whole chunk's 50,000 would be sorted on disk, twice as slow a row
READ_SLICE = 50
_UPDATED = ("status", "name", "email", "search", "counted_hours", "required_hours", "hours_needed", "deadline",
            "as_of", "records", "audited_at")  # fmt: skip


class _Careful(Exception):
    """The lane declined a line: this person takes the careful path."""


class Lanes:
    """One ``BulkAuditor`` per program the dashboard audits, kept for a whole run (it remembers what it derives).

    The lane audits a program with an apply-by date without that search (a complete person of such a program would
    otherwise go to the careful path for a date the standing does not use); everything else is the program's."""

    def __init__(self) -> None:
        self.programs: dict[str, CompiledProgram] = {}
        self.auditors: dict[str, BulkAuditor] = {}
        for program_id in (APPLICATION, RECERTIFICATION):
            program = load_program(program_id)
            self.programs[program_id] = program
            plain = dataclasses.replace(program, apply_by=False) if program.apply_by else program
            self.auditors[program_id] = BulkAuditor(plain, None, None)
        #: how many people each path assessed (``fast``, ``careful``)
        self.paths = {"fast": 0, "careful": 0}

    def _line(self, program_id: str, rows: list[dict[str, Any]], as_of: dt.date) -> bytes:
        out = self.auditors[program_id].line(orjson.dumps({"as_of": as_of.isoformat(), "records": rows}))
        if out is None:
            raise _Careful
        return out

    def audit(self, program_id: str, rows: list[dict[str, Any]], as_of: dt.date) -> Audit:
        """The lane's audit of ``rows`` (batch-line records) as of ``as_of``; ``_Careful`` when it declines."""
        return audit_from_line(orjson.loads(self._line(program_id, rows, as_of)))

    def complete(self, program_id: str, rows: list[dict[str, Any]], as_of: dt.date) -> bool:
        """Whether the lane's audit is complete, read from the line's top-level ``complete`` (SPEC.md's key order:
        ``person``, ``program``, ``as_of``, ``rules_version``, then ``complete``) without decoding the rest."""
        out = self._line(program_id, rows, as_of)
        at = out.index(b',"complete":') + len(b',"complete":')
        return out[at : at + 4] == b"true"

    def found(self, inputs: audits.Inputs, credential: Credential | None, today: dt.date) -> Found | None:
        """The person's standing: on the lane when it takes them, else on the careful path."""
        aim = pursued(credential, bool(inputs.raw), today)
        if aim is None:
            return None
        rows = lane_rows(inputs)
        try:
            found = self._fast(aim, rows, today)
        except _Careful:
            self.paths["careful"] += 1
            return assess_inputs(inputs, credential, today)
        self.paths["fast"] += 1
        return found

    def _fast(self, aim: Pursued, rows: list[dict[str, Any]], today: dt.date) -> Found:
        result = self.audit(aim.program, rows, aim.as_of)

        def on_pace() -> bool:
            records = [EducationRecord(str(r["id"]), n, dt.date.fromisoformat(r["date"]), r["minutes"])
                       for n, r in enumerate(rows, start=1)]  # fmt: skip
            return deadline(records, result, today).on_pace

        return decide(
            aim,
            result,
            today,
            len(rows),
            on_pace,
            lambda: self._incomplete_from(aim.program, rows, result),
            lambda: last_year(rows, result, today),
        )

    def _incomplete_from(self, program_id: str, rows: list[dict[str, Any]], result: Audit) -> dt.date | None:
        """When complete on the as-of date: the first day within the horizon on which it no longer is, as
        ``engine.outlook.ageing_out`` finds it, each day audited on the lane."""
        program = self.programs[program_id]
        as_of = result.as_of
        until = as_of + dt.timedelta(days=HORIZON_DAYS)
        # the records dated up to the as-of date (rows come oldest first, so they keep their positions)
        mine_rows = [r for r in rows if r["date"] <= as_of.isoformat()]
        if self._one_window(program):
            # one window for every day, and no repeats: a record that does not count on the as-of date never
            # counts later (the window only moves forward), and no change point is its (it left before)
            book = program.versions[0]
            first = first_counting_day(as_of, book.window_months, book.window_start_inclusive).isoformat()
            mine_rows = [r for r in mine_rows if r["date"] >= first]
        mine = [
            EducationRecord(str(r["id"]), n, dt.date.fromisoformat(r["date"]), r["minutes"], r["format"],
                            title=r.get("title") or "")
            for n, r in enumerate(mine_rows, start=1)
        ]  # fmt: skip
        days = change_points(program, mine, as_of, until)

        def complete_on(day: dt.date) -> bool:
            return self.complete(program_id, mine_rows, day)

        if days and only_lost(program, choose_version(program, as_of), mine, as_of, days[-1]):
            # completeness can only be lost: complete on the last day means complete on every day before it
            if complete_on(days[-1]):
                return None
            low, high = -1, len(days) - 1  # as ``engine.audit.last_complete``: the last known complete, the first not
            while high - low > 1:
                middle = (low + high) // 2
                if complete_on(days[middle]):
                    low = middle
                else:
                    high = middle
            return days[low + 1] if low + 1 < len(days) else None
        for day in days:
            if not complete_on(day):
                return day
        return None

    @staticmethod
    def _one_window(program: CompiledProgram) -> bool:
        """One rule version (so one window for every day), whose records never repeat one another."""
        return len(program.versions) == 1 and not program.versions[0].repeat_formats


def lane_rows(inputs: audits.Inputs) -> list[dict[str, Any]]:
    """The person's records as batch-line records: ``inputs.rows()`` without its blank values, built straight
    from the stored values for the records not linked to a session (their credit is their own, ``credit_of``)."""
    linked = audits.Inputs([values for values in inputs.raw if values[-1] is not None], inputs.applying)
    credited = iter(linked.rows())
    rows: list[dict[str, Any]] = []
    for pk, external_id, day, title, minutes, fmt, category, area, topic, activity, session in inputs.raw:
        if session is not None:
            rows.append({k: v for k, v in next(credited).items() if v is not None})
            continue
        row: dict[str, Any] = {
            "id": external_id or str(pk),
            "date": day if isinstance(day, str) else day.isoformat(),
            "title": title,
            "minutes": minutes,
            "format": fmt,
        }
        if category:
            row["category"] = category
        if area:
            row["subject_area"] = area
        if topic:
            row["topic"] = topic
        if activity:
            row["activity"] = activity
        rows.append(row)
    return rows


def audit_from_line(data: dict[str, Any]) -> Audit:
    """An audit read back from a batch output line (SPEC.md's object; requirement names are not in it, so a
    requirement is named by its id)."""
    window = data["window"]
    return Audit(
        program=data["program"],
        as_of=dt.date.fromisoformat(data["as_of"]),
        rules_version=data["rules_version"],
        specialty=data["specialty"],
        window_from=dt.date.fromisoformat(window["from"]),
        window_from_inclusive=window["from_inclusive"],
        complete=data["complete"],
        hours_needed=data["hours_needed"],
        apply_by=dt.date.fromisoformat(data["apply_by"]) if data["apply_by"] else None,
        requirements=tuple(
            RequirementStatus(r["id"], r["id"], r["required_hours"], r["counted_hours"], r["met"], r["hours_needed"])
            for r in data["requirements"]
        ),
        allocations=tuple(
            Placement(a["record"], a["requirement"], a["hours"], a.get("record_hours", a["hours"]))
            for a in data["allocations"]
        ),
        unused=(),
        rejected=(),
        method="",
    )


def _records_of(people: Sequence[int]) -> dict[int, list[tuple[Any, ...]]]:
    """Each person's records as ``audits.read_inputs`` reads them (the same fields, the same order, sorted by the
    database as it sorts one person's), one query per ``READ_SLICE`` people."""
    found: dict[int, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(people), READ_SLICE):
            query = (
                Record.objects.filter(person_id__in=people[start : start + READ_SLICE])
                .order_by("person_id", "date", "title", "id")
                .values_list("person_id", *audits.StoredRow._fields)
            )
            cursor.execute(*query.query.sql_with_params())
            for values in cursor.fetchall():
                found.setdefault(values[0], []).append(values[1:])
    return found


def _credentials_of(people: Sequence[int]) -> dict[int, Credential]:
    """Each person's current CLM credential (``credentials.current_credential``: the newest not superseded)."""
    found: dict[int, Credential] = {}
    current = Credential.objects.filter(person_id__in=people, family=creds.FAMILY, superseded_at=None)
    for credential in current.order_by("person_id", "-id"):
        found.setdefault(credential.person_id, credential)
    return found


def _inputs(raw: list[tuple[Any, ...]], applying: dict[int, Any]) -> audits.Inputs:
    linked = audits.StoredRow._fields.index("session_id")
    sessions = {values[linked] for values in raw if values[linked] is not None}
    return audits.Inputs(raw, {sid: applying[sid] for sid in sessions if sid in applying})


def assess_chunk(people: Sequence[int], today: dt.date, lanes: Lanes) -> dict[int, tuple[str, str, Found | None]]:
    """Each person's (name, e-mail, standing) for the ids given (people since deleted are left out)."""
    named = Person.objects.filter(pk__in=people).values_list("pk", "name", "email")
    credentials = _credentials_of(people)
    records = _records_of(people)
    linked = audits.StoredRow._fields.index("session_id")
    applying = audits.applying_of(v[linked] for raw in records.values() for v in raw if v[linked] is not None)
    found = {}
    for pk, name, email in named:
        inputs = _inputs(records.get(pk, []), applying)
        found[pk] = (name, email, lanes.found(inputs, credentials.get(pk), today))
    return found


def write_chunk(found: dict[int, tuple[str, str, Found | None]], noted: Any) -> dict[int, str | None]:
    """Write the chunk's standings in one transaction; returns each person's status before (None: no standing)."""
    now = timezone.now()
    rows = [
        Standing(person_id=pk, audited_at=now, **standing_fields(name, email, standing))
        for pk, (name, email, standing) in found.items()
        if standing is not None
    ]
    people = list(found)
    with transaction.atomic():
        before: dict[int, str | None] = dict(
            Standing.objects.filter(person_id__in=people).values_list("person_id", "status")
        )
        Standing.objects.filter(person_id__in=[pk for pk, (_, _, s) in found.items() if s is None]).delete()
        for program in {s.program for _, _, s in found.values() if s is not None}:
            keeps = [pk for pk, (_, _, s) in found.items() if s is not None and s.program == program]
            Standing.objects.filter(person_id__in=keeps).exclude(program=program).delete()
        Standing.objects.bulk_create(
            rows, batch_size=500, update_conflicts=True, unique_fields=("person", "program"), update_fields=_UPDATED
        )
        Outdated.objects.filter(person_id__in=people, noted_at__lte=noted).delete()
    return before


def refresh_people(
    ids: Sequence[int],
    today: dt.date,
    progress: Callable[[int, int], None] | None = None,
    lanes: Lanes | None = None,
) -> tuple[int, int]:
    """Audit these people again and write their standings, a chunk at a time; ``progress(done, changed)`` after
    each chunk. Returns (people done, people whose status changed)."""
    lanes = lanes or Lanes()
    done = changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        noted = timezone.now()
        found = assess_chunk(chunk, today, lanes)
        before = write_chunk(found, noted)
        for pk in chunk:
            standing = found.get(pk, ("", "", None))[2]
            changed += (standing.status if standing else None) != before.get(pk)
        done += len(chunk)
        if progress is not None:
            progress(done, changed)
    return done, changed
