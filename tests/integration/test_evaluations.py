"""The evaluator over the stored catalogue (the real model: kept to few tests, the model loads once a process)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from certcredit.io.readers import Row
from certcredit.services.decisions import decide, decision_for
from certcredit.services.imports import import_sessions
from certcredit.services.reviews import queue
from certcredit.store.catalog.models import Decision, Session
from certcredit.store.history.models import HistoryEntry

pytestmark = [pytest.mark.store, pytest.mark.django_db, pytest.mark.model]

CATALOGUE = (
    {"title": "Members' Spring Networking Reception", "description": "Drinks and conversation.", "minutes": 120},
    {"title": "Setting up two-factor sign-in for the whole firm", "description": "A lab on enrolling phones "
     "and keys, recovery codes and the help-desk script.", "time": "9 – 10:30 A.M."},
    {"title": "Writing an incident report people can act on", "description": "Structure and plain words."},
    {"title": "Quick tips for inbox triage", "minutes": 45},
    {"title": "Plain drafting for firm policies", "minutes": 90, "category": "writing"},
    {"title": "Benefits overview", "minutes": 60, "subject_area": "HR"},
)  # fmt: skip


@pytest.fixture
def catalogue(db: None) -> dict[str, Session]:
    rows = [Row(n, n, dict(item), "item") for n, item in enumerate(CATALOGUE, start=1)]
    report = import_sessions(rows, None, "catalogue.json")
    assert report.ok
    return {s.title.split()[0]: s for s in Session.objects.all()}


def test_evaluating_the_catalogue_decides_each_undecided_session_once_and_leaves_designations_alone(
    cli, catalogue, make_person
) -> None:
    reviewer = make_person("riley@example.org", "reviewer")
    stale = Session.objects.create(title="Afternoon clinic", time_text="after lunch", natural_key="s|stale")
    reviewed = Session.objects.create(title="Reviewed before", minutes=90, natural_key="s|reviewed")
    review = decide(reviewer, reviewed, "reviewed", "qualifies", "communication")
    designations = set(Decision.objects.filter(kind="designated").values_list("id", flat=True))

    result = cli("store", "evaluate-sessions", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["evaluated"] == 5 and summary["designated_left_alone"] == 2
    assert sum(summary["by_verdict"].values()) == 5
    assert "needs_review" in result.stderr  # the summary table

    applying = {title: decision_for(s) for title, s in catalogue.items()}
    assert (applying["Members'"].kind, applying["Members'"].verdict) == ("evaluated", "does_not_qualify")
    assert (applying["Quick"].verdict, applying["Quick"].confidence) == ("does_not_qualify", 1.0)
    writing = applying["Writing"]  # no minutes, no time: nothing can qualify yet (RULES.md)
    assert (writing.kind, writing.verdict, writing.category) == ("evaluated", "needs_review", "")
    assert "duration" in writing.analysis or "minutes" in writing.analysis
    assert applying["Setting"].kind == "evaluated" and applying["Setting"].analysis
    for title in ("Plain", "Benefits"):  # designated (a category; an area only): left alone
        assert applying[title].kind == "designated"
        assert not catalogue[title].decisions.filter(kind="evaluated").exists()
    assert set(Decision.objects.filter(kind="designated").values_list("id", flat=True)) == designations
    assert decision_for(stale).verdict == "needs_review" and "cannot be evaluated" in decision_for(stale).analysis
    assert decision_for(reviewed) == review and not reviewed.decisions.filter(kind="evaluated").exists()
    assert catalogue["Writing"] in queue(reviewer) and stale in queue(reviewer)
    entries = HistoryEntry.objects.filter(object_type="catalog.decision", after__kind="evaluated")
    assert entries.count() == 5 and {e.actor_label for e in entries} == {"command line"}

    count = Decision.objects.count()
    again = json.loads(cli("store", "evaluate-sessions", "--json").stdout)
    assert again["evaluated"] == 0 and Decision.objects.count() == count

    everything = json.loads(cli("store", "evaluate-sessions", "--again", "--json").stdout)
    assert everything["evaluated"] == 6  # the reviewed session too; its review still applies
    assert decision_for(reviewed) == review
    assert Decision.objects.filter(kind="evaluated").count() == 11


def test_staff_run_the_evaluator_from_the_sessions_page_and_a_member_may_not(client: Client, catalogue, make_person):
    member = make_person("mo@example.org")
    client.force_login(member)
    assert client.post("/sessions/evaluate/").status_code == 403
    assert not Decision.objects.filter(kind="evaluated").exists()

    staff = make_person("desk@example.org", "staff")
    client.force_login(staff)
    assert "Evaluate undecided sessions" in client.get("/sessions/").content.decode()
    response = client.post("/sessions/evaluate/", follow=True)
    page = response.content.decode()
    assert "4 sessions evaluated" in page
    evaluated = Decision.objects.filter(kind="evaluated")
    assert evaluated.count() == 4 and {d.decided_by for d in evaluated} == {staff}
    assert "Evaluated by desk@example.org" in page
