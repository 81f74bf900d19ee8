"""The re-audit through the batch engine's fast lane writes the same standings as the careful per-person audit.

Generated members (random records of every format, category, subject area and topic, records linked to catalogue
sessions with each kind of decision, repeated teaching, records a peer program's nested rules read, records the
lane declines) and hand-made edge cases (no records, a lapsed holder, a holder whose cycle ends within 90 days,
an applicant whose records leave the window within 90 days, a member pursuing the specialist application) are
refreshed once in bulk (``reaudit.refresh_people``) and once person by person on the careful path
(``standings.refresh_person``, the full audit with its outlook as the Progress page computes it); every stored
standing must be the same.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from certcredit.services import audits, reaudit, standings
from certcredit.services.credentials import new_code
from certcredit.store.accounts.models import Person, Role, RoleGrant
from certcredit.store.catalog.models import Decision, Session
from certcredit.store.credentials.models import Credential
from certcredit.store.records.models import PursuedPrograms, Record
from certcredit.store.standings.models import Outdated, Reaudit, Standing

pytestmark = [pytest.mark.store, pytest.mark.django_db]

TODAY = dt.date(2026, 11, 20)
CATEGORIES = ["writing", "communication", "self_management", "information_technology", "organizational_development"]
AREAS = ["HR", "FM", "OM", "LI", "CM"]
FORMATS = ["in_person", "in_person", "in_person", "live_online", "recorded", "self_study", "teaching"]
FIELDS = ("program", "status", "name", "email", "search", "counted_hours", "required_hours", "hours_needed",
          "deadline", "as_of", "records")  # fmt: skip


def person(email: str, name: str = "") -> Person:
    made = Person.objects.create(email=email, name=name or email.split("@")[0].title())
    RoleGrant.objects.create(person=made, role=Role.MEMBER)
    return made


def record(owner: Person, ago: int, minutes: int, **fields: Any) -> None:
    fields.setdefault("title", f"Course {ago}-{minutes}")
    Record.objects.create(person=owner, date=TODAY - dt.timedelta(days=ago), minutes=minutes, **fields)


def credential(owner: Person, ends_in: int, status: str = "certified") -> None:
    ends = TODAY + dt.timedelta(days=ends_in)
    began = ends - dt.timedelta(days=3 * 365)
    Credential.objects.create(person=owner, family="clm", status=status, code=new_code(), cycle=1,
                              certified_on=began, anniversary=ends, valid_until=ends)  # fmt: skip


def sessions() -> list[Session]:
    """Catalogue sessions, each with one kind of applying decision (or none)."""
    made = []
    decided = [
        ("designated", "qualifies", "writing", "CM", ""),
        ("reviewed", "qualifies", "information_technology", "OM", ""),
        ("evaluated", "qualifies", "communication", "", "business_ethics"),
        ("evaluated", "needs_review", "", "", ""),
        ("reviewed", "does_not_qualify", "", "LI", "substance_abuse"),
        None,
    ]
    for n, decision in enumerate(decided):
        session = Session.objects.create(title=f"Catalogue session {n}", date=TODAY, natural_key=f"s|{n}")
        if decision is not None:
            kind, verdict, category, area, topic = decision
            Decision.objects.create(session=session, kind=kind, verdict=verdict, category=category,
                                    subject_area=area, topic=topic)  # fmt: skip
        made.append(session)
    return made


def generated(rng: random.Random, count: int, catalogue: list[Session]) -> None:
    """``count`` members with random records; a third hold the CLM, some lapsed, some ending soon."""
    for n in range(count):
        owner = person(f"gen{n}@example.org", f"Gen {rng.choice(['Okafor', 'Smith', 'Ñúñez'])} {n}")
        span = rng.choice([120, 400, 800, 1400])
        for k in range(rng.randint(0, 30)):
            fmt = rng.choice(FORMATS)
            fields: dict[str, Any] = {"format": fmt}
            if rng.random() < 0.7:
                fields["category"] = rng.choice(CATEGORIES)
            if rng.random() < 0.5:
                fields["subject_area"] = rng.choice(AREAS)
            if rng.random() < 0.15:
                fields["topic"] = rng.choice(["business_ethics", "substance_abuse"])
            if fmt == "teaching" and rng.random() < 0.5:
                fields["title"] = "Taught again"  # repeats: only the earliest counts
            if rng.random() < 0.1:
                fields["session"] = rng.choice(catalogue)
            if rng.random() < 0.05:
                fields["external_id"] = f"ext-{n}-{k}"
            ago = rng.randint(-20, span)  # a few dated after today
            fields.setdefault("title", f"Course {k}")
            record(owner, ago, rng.choice([30, 45, 60, 75, 90, 120, 180]), **fields)
        if n % 3 == 0:
            ends = rng.choice([-200, -5, 10, 60, 89, 91, 200, 700, 1000])
            credential(owner, ends, "lapsed" if ends < 0 and rng.random() < 0.5 else "certified")


def edge_cases() -> None:
    person("nobody@example.org", "No Records")  # a member with no records: no standing
    lapsed = person("lapsed@example.org", "Lapsed Holder")
    credential(lapsed, -30, "lapsed")
    record(lapsed, 400, 120, category="writing", subject_area="HR")
    soon = person("soon@example.org", "Cycle Ends Soon")
    credential(soon, 45)
    for area in AREAS:
        record(soon, 300, 180, subject_area=area, title=f"Area {area}")
    ageing = person("ageing@example.org", "Ageing Out")  # complete today, records leave the window within 90 days
    for n, category in enumerate(CATEGORIES):
        record(ageing, 700 - 10 * n, 120, category=category)
    steady = person("steady@example.org", "Steady Complete")
    for n, category in enumerate(CATEGORIES):
        record(steady, 30 + n, 120, category=category)
        record(steady, 690 - n, 120, category=category, title=f"Old {category}")
    specialist = person("specialist@example.org", "Sol Specialist")
    PursuedPrograms.objects.create(person=specialist, programs=["clm-application-specialist"])
    for n, category in enumerate(CATEGORIES[:4]):
        record(specialist, 20 + n, 120, category=category, subject_area="FM")
    nested = person("nested@example.org", "Pat Pmi")  # a peer program's activity: the lane declines the line
    record(nested, 40, 120, category="writing", activity="giving_back")
    record(nested, 50, 90, category="communication")
    long = person("long@example.org", "Long Record")  # stored before the 10,000-minute bound: rejected
    record(long, 40, 20_000, category="writing")
    record(long, 45, 120, category="communication")


def stored() -> dict[str, tuple[Any, ...]]:
    return {s.email: tuple(getattr(s, f) for f in FIELDS) for s in Standing.objects.all()}


@pytest.mark.parametrize("seed", [3, 11])
def test_the_fast_re_audit_writes_the_same_standings_as_the_careful_audit_of_each_person(seed: int) -> None:
    generated(random.Random(seed), 45, sessions())
    edge_cases()
    ids = list(standings.everyone().values_list("pk", flat=True))
    lanes = reaudit.Lanes()

    done, _ = reaudit.refresh_people(ids, TODAY, lanes=lanes)
    fast = stored()
    for one in Person.objects.filter(pk__in=ids):
        standings.refresh_person(one, TODAY)
    careful = stored()

    assert done == len(ids)
    assert fast == careful
    assert lanes.paths["fast"] > 30 and lanes.paths["careful"] >= 2  # both paths were taken
    statuses = {row[1] for row in careful.values()}
    assert statuses == {"complete", "on_pace", "behind", "expiring", "lapsed"}
    assert "nobody@example.org" not in fast
    assert fast["ageing@example.org"][1] == "expiring" and fast["steady@example.org"][1] == "complete"
    assert fast["soon@example.org"][1] == "expiring" and fast["lapsed@example.org"][1] == "lapsed"


def test_the_lane_rows_are_the_audited_rows_without_blanks() -> None:
    generated(random.Random(8), 12, sessions())
    edge_cases()
    for one in Person.objects.all():
        inputs = audits.read_inputs(one)
        expected = [{k: v for k, v in row.items() if v is not None} for row in inputs.rows()]
        assert reaudit.lane_rows(inputs) == expected


def test_a_fast_refresh_replaces_a_standing_of_another_program_and_removes_one_no_longer_pursued() -> None:
    holder = person("holder@example.org", "Hal Holder")
    record(holder, 30, 120, category="writing", subject_area="HR")
    gone = person("gone@example.org", "Gone Records")
    record(gone, 30, 120, category="writing")
    reaudit.refresh_people([holder.pk, gone.pk], TODAY)
    assert Standing.objects.get(person=holder).program == "clm-application"

    credential(holder, 500)
    Record.objects.filter(person=gone).delete()
    done, changed = reaudit.refresh_people([holder.pk, gone.pk], TODAY)

    assert (done, changed) == (2, 1)  # the holder is behind under either program; the other has no standing now
    assert Standing.objects.get(person=holder).status == "behind"
    assert list(Standing.objects.filter(person=holder).values_list("program", flat=True)) == ["clm-recertification"]
    assert not Standing.objects.filter(person=gone).exists()
    assert not Outdated.objects.filter(person__in=[holder, gone]).exists()


def test_the_re_audit_task_counts_progress_chunk_by_chunk_and_matches_the_careful_path(monkeypatch) -> None:
    monkeypatch.setattr(reaudit, "CHUNK", 7)
    generated(random.Random(5), 20, sessions())
    staff = Person.objects.create(email="staff@example.org", name="Sam Staff")
    run = Reaudit.objects.create(started_by=staff)
    seen: list[int] = []
    real = Reaudit.objects.filter

    def spy(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        seen.append(found.values_list("done", flat=True).first() or 0)
        return found

    monkeypatch.setattr(Reaudit.objects, "filter", spy)
    outcome = standings.reaudit_everyone.call(run.pk, TODAY.isoformat())
    monkeypatch.undo()

    run.refresh_from_db()
    assert (run.state, run.done, run.total) == ("done", 20, 20) and outcome["people"] == 20
    assert sorted(set(seen)) == [0, 7, 14, 20]  # progress written after each chunk of 7
    fast = stored()
    for one in Person.objects.exclude(pk=staff.pk):
        standings.refresh_person(one, TODAY)
    assert stored() == fast


def test_the_lanes_first_incomplete_day_is_the_outlooks_for_complete_applicants_near_the_edge() -> None:
    from certcredit.engine.audit import audit
    from certcredit.engine.outlook import ageing_out
    from certcredit.engine.records import record_from_row
    from certcredit.rules.load import load_program

    program = load_program("clm-application")
    lanes = reaudit.Lanes()
    rng = random.Random(21)
    checked = found = 0
    for _ in range(150):
        rows: list[dict[str, Any]] = []
        for n, category in enumerate(rng.choice(CATEGORIES) if rng.random() < 0.2 else c for c in CATEGORIES * 3):
            if rng.random() < 0.1:
                continue
            ago = rng.choice([rng.randint(640, 730), rng.randint(0, 730), rng.randint(0, 730), -5])  # some leave soon
            fmt = rng.choice(["in_person", "in_person", "recorded", "self_study"])
            rows.append({"id": f"r{n}", "date": (TODAY - dt.timedelta(days=ago)).isoformat(), "title": f"T{n}",
                         "minutes": rng.choice([60, 90, 120]), "format": fmt, "category": category})  # fmt: skip
        rows.sort(key=lambda r: (r["date"], r["title"]))
        records = [record_from_row(r, n) for n, r in enumerate(rows, start=1)]
        careful = audit(program, records, TODAY)
        if not careful.complete:
            continue
        lane = lanes.audit("clm-application", rows, TODAY)
        expected = ageing_out(program, records, careful).incomplete_from
        assert lanes._incomplete_from("clm-application", rows, lane) == expected, rows
        checked += 1
        found += expected is not None
    assert checked >= 20 and 5 <= found < checked  # both answers were met
