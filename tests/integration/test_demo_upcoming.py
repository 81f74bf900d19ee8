"""The demo's catalogue has upcoming sessions dated from the day it loads (a few in each Management Category), so the
demo member's what-if and plan have something to choose; a later load, once most have passed, adds a fresh set."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from certcredit.services import demo, progress_view
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Session

pytestmark = [pytest.mark.store, pytest.mark.django_db]

CATEGORIES = {"writing", "communication", "self_management", "information_technology", "organizational_development"}


def test_the_demo_catalogue_has_upcoming_sessions_in_every_category_from_today() -> None:
    demo.load_demo()
    today = dt.date.today()
    upcoming = progress_view.upcoming_sessions(today)
    rows = progress_view.catalogue_rows(upcoming)
    by_category = Counter(row["category"] for row in rows)
    assert set(by_category) == CATEGORIES and min(by_category.values()) >= 3
    assert {row["topic"] for row in rows} >= {"business_ethics", "substance_abuse"}
    assert all(today < s.date <= today + dt.timedelta(days=120) and s.minutes for s in upcoming)

    demo.load_demo()  # the same day: nothing new
    assert len(progress_view.upcoming_sessions(today)) == len(upcoming)


def test_a_later_load_adds_a_fresh_set_once_most_have_passed() -> None:
    demo.load_demo()
    staff = Person.objects.get(email="staff@example.org")
    later = dt.date.today() + dt.timedelta(days=30)
    assert demo.add_upcoming(staff, later) == 0  # most are still ahead
    much_later = dt.date.today() + dt.timedelta(days=80)
    assert demo.add_upcoming(staff, much_later) == len(demo.UPCOMING)
    assert Session.objects.filter(source_file=demo.UPCOMING_SOURCE, date__gt=much_later).count() > len(demo.UPCOMING)


def test_the_demo_member_gets_a_plan_from_the_demo_catalogue() -> None:
    demo.load_demo()
    member = Person.objects.get(email="member@example.org")
    by = dt.date.today() + dt.timedelta(days=120)
    plan, sessions = progress_view.plan_sessions(member, member, "clm-application", by)
    assert plan["complete"] and not plan["complete_today"]
    chosen = plan["sessions"]
    assert chosen and all(entry["record"] in sessions for entry in chosen)
    assert all(sessions[entry["record"]].source_file == demo.UPCOMING_SOURCE for entry in chosen)
