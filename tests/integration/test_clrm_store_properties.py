"""Random CLRM histories stored through the service and read back as a timeline give what the rules give.

The histories and the independent reference (the rules as formulas, no replay) are the engine's own property
test's (tests/unit/test_clrm_properties.py); here the events go through the store first: recorded one by one
by staff (the same event twice on a day is refused, as a file's repeat changes nothing), then replayed from the
store. A lost, reordered or misread stored event shows up as a different status, date or deadline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from certcredit.engine.clrm import audit_clrm
from certcredit.services import clrm
from certcredit.store.clrm.models import Candidate
from tests.unit.test_clrm_properties import histories, reference

pytestmark = [pytest.mark.store, pytest.mark.django_db]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=histories())
def test_a_stored_history_replays_as_the_rules_say(make_person, case: tuple[list[dict[str, Any]], dt.date]) -> None:
    rows, as_of = case
    staff = make_person("office@example.org", "staff")
    person = make_person("ana@example.org")
    Candidate.objects.all().delete()
    for row in rows:
        try:
            clrm.record_event(staff, person, row["type"], row["date"], academy=row.get("academy", ""))
        except clrm.EventConflict:
            continue
    candidate = clrm.own_candidacy(person)
    assert candidate is not None
    shown = clrm.timeline(person, candidate, as_of).audit
    expected = reference(rows, as_of)
    assert shown["status"] == expected["status"]
    assert shown["missing_academies"] == expected["missing"]
    assert shown["completion_date"] == (expected["effective"].isoformat() if expected["effective"] else None)
    assert shown["paper_deadline"] == (expected["deadline"].isoformat() if expected["deadline"] else None)
    straight = audit_clrm(rows, as_of)  # the same rows as a file, without the store
    keys = ("status", "completion_date", "paper_deadline", "timely_submission_date", "next_steps_list")
    assert {k: shown[k] for k in keys} == {k: straight[k] for k in keys}
