"""Cached audits (``services.audits``): the same inputs are audited once; a changed record, a new decision on a
linked session or another rulebook is audited afresh. The key is made of the inputs, so no change can be missed,
whichever path wrote it (a service, a queryset update, a deletion)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
from django.core.cache import cache
from django.test import Client

from certcredit.services import audits
from certcredit.services.decisions import decide
from certcredit.services.imports import import_records, load_upload
from certcredit.services.records import set_activity
from certcredit.services.tokens import create_token
from certcredit.store.catalog.models import Session
from certcredit.store.records.models import Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]

AS_OF = dt.date(2026, 6, 1)
TODAY = dt.date(2026, 5, 1)
RECORDS = """id,date,title,minutes,category
w1,2025-09-10,Plain writing,120,writing
c1,2025-10-01,Listening well,120,communication
talk,2025-11-01,Leading teams,120,
"""


@pytest.fixture
def audits_run(monkeypatch) -> list[dt.date]:
    """The as-of date of each audit the service really runs (a cached one runs none)."""
    cache.clear()
    ran: list[dt.date] = []
    real = audits.audit

    def counting(program, records, as_of, specialty=None, rejected=(), **more):
        ran.append(as_of)
        return real(program, records, as_of, specialty, rejected, **more)

    monkeypatch.setattr(audits, "audit", counting)
    return ran


@pytest.fixture
def member(make_person):
    person = make_person("mo@example.org")
    report = import_records(load_upload("mine.csv", RECORDS.encode()), person, person, "mine.csv")
    assert report.ok
    return person


def report(person) -> dict:
    return audits.progress(person, person, "clm-application", AS_OF, today=TODAY).report


def counted(person) -> dict[str, str]:
    return {line["record"]: line["requirement"] for line in report(person)["allocations"]}


def test_the_same_records_are_audited_once_and_the_page_and_the_api_share_it(member, audits_run) -> None:
    first = report(member)
    assert report(member) == first
    assert audits.progress_report(member, member, "clm-application", AS_OF, today=TODAY) == first
    assert audits.progress_json(member, member, "clm-application", AS_OF, today=TODAY) == orjson.dumps(first)
    assert audits_run == [AS_OF]
    audits.progress(member, member, "clm-application", dt.date(2026, 6, 2), today=TODAY)  # another as-of date
    audits.progress(member, member, "clm-application", AS_OF, today=dt.date(2026, 5, 2))  # another today
    assert len(audits_run) == 3


def test_the_api_answers_from_the_cache_what_it_answered_before(client: Client, member, audits_run) -> None:
    _token, plain = create_token(member)
    params = {"program": "clm-application", "as_of": AS_OF.isoformat()}
    first = client.get("/api/progress", params, HTTP_AUTHORIZATION=f"Bearer {plain}")
    again = client.get("/api/progress", params, HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert len(audits_run) == 1


def test_a_record_changed_by_any_path_is_audited_afresh(member, audits_run) -> None:
    assert "talk" not in counted(member)
    Record.objects.filter(person=member, external_id="talk").update(category="self_management")  # no service
    assert counted(member)["talk"] == "self_management"
    set_activity(member, Record.objects.get(person=member, external_id="w1"), "giving_back")
    report(member)
    assert len(audits_run) == 3


def test_a_deleted_or_added_record_is_audited_afresh(member, audits_run) -> None:
    assert "w1" in counted(member)
    Record.objects.filter(person=member, external_id="w1").delete()
    assert "w1" not in counted(member)
    more = "id,date,title,minutes,category\nw2,2026-01-10,Plain letters,120,writing\n"
    assert import_records(load_upload("more.csv", more.encode()), member, member, "more.csv").ok
    assert counted(member)["w2"] == "writing"
    assert len(audits_run) == 3


def test_a_new_decision_on_a_linked_session_is_audited_afresh(make_person, audits_run) -> None:
    session = Session.objects.create(
        title="Leading teams", date=dt.date(2025, 11, 1), minutes=120, natural_key="2025-11-01|Leading teams"
    )
    person = make_person("linked@example.org")
    assert import_records(load_upload("mine.csv", RECORDS.encode()), person, person, "mine.csv").ok
    assert Record.objects.get(person=person, external_id="talk").session_id == session.pk
    reviewer = make_person("rev@example.org", "reviewer")
    assert "talk" not in counted(person)
    decide(None, session, "evaluated", "qualifies", "communication", "CM", confidence=0.9)
    assert counted(person)["talk"] == "communication"
    decide(reviewer, session, "reviewed", "qualifies", "organizational_development", "CM")
    assert counted(person)["talk"] == "organizational_development"
    assert counted(person)["talk"] == "organizational_development"
    assert len(audits_run) == 3


def test_another_rulebook_is_audited_afresh(member, audits_run, monkeypatch, tmp_path: Path) -> None:
    report(member)
    changed = tmp_path / "clm-application.yaml"
    shipped = audits.shipped_path("clm-application")
    changed.write_text(shipped.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(audits, "shipped_path", lambda program_id: changed)
    audits.rulebook_version.cache_clear()
    try:
        report(member)
    finally:
        audits.rulebook_version.cache_clear()
    assert len(audits_run) == 2
