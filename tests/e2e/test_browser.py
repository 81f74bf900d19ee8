"""End to end: Debian's chromium signs in as the demo member on a live server, sees their records and their
progress against the CLM application."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_demo_member_signs_in_sees_their_records_and_their_progress(live_server: Any, page: Any) -> None:
    import datetime as dt

    from playwright.sync_api import expect

    from certcredit.services.demo import load_demo

    member = next(login for login in load_demo() if login.role == "member")
    page.goto(f"{live_server.url}/records/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/records/")

    page.fill("#id_username", member.email)
    page.fill("#id_password", member.password)
    page.click("button[type=submit]")

    expect(page.locator("h1")).to_have_text("My records")
    table = page.locator("table.data")
    expect(table).to_contain_text("Plain-English Drafting for Firm Policies")
    expect(table).to_contain_text("Running Difficult Performance Conversations")
    expect(page.locator("table.data tbody tr")).to_have_count(5)
    expect(page.locator("header")).to_contain_text(member.email)
    today = dt.date.today().isoformat()  # the form's default as-of date

    page.click("nav >> text=Progress")
    expect(page.locator("h1")).to_have_text("My progress")
    page.select_option("#id_program", "clm-application")
    page.click("button[type=submit] >> text=Show progress")
    expect(page).to_have_url(
        f"{live_server.url}/progress/?program=clm-application&as_of={today}&specialty=&cycle_start="
    )
    expect(page.locator("#verdict h2")).to_contain_text("omplete")  # "Complete" or "Not complete: …"
    expect(page.locator("ul.bars li.req")).to_have_count(5)  # the five management categories, one bar each


def test_the_demo_reviewer_settles_a_session_the_evaluator_was_unsure_about(live_server: Any, page: Any) -> None:
    from playwright.sync_api import expect

    from certcredit.services.decisions import decision_for
    from certcredit.services.demo import load_demo
    from certcredit.services.reviews import queue
    from certcredit.store.accounts.models import Person

    reviewer = next(login for login in load_demo() if login.role == "reviewer")
    # the demo's evaluator sent sessions it could not decide to the queue; the reviewer settles the first one
    session = queue(Person.objects.get(email=reviewer.email)).first()
    assert session is not None

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", reviewer.email)
    page.fill("#id_password", reviewer.password)
    page.click("button[type=submit]")
    page.click("nav >> text=Review")
    expect(page.locator("h1")).to_have_text("Review queue")
    expect(page.locator("table.review-queue")).to_contain_text(session.title)

    page.click(f"table.review-queue tr:has-text('{session.title}') a.button")
    page.check("#id_verdict_0")  # qualifies, but no category yet: shown again with the error beside the field
    page.click("button[type=submit] >> text=Save review")
    expect(page.locator(".field.has-error")).to_contain_text("needs its Management Category")
    page.select_option("#id_category", "information_technology")
    page.click("button[type=submit] >> text=Save review")
    expect(page.locator("h1")).to_have_text("Review queue")
    expect(page.locator("table.review-queue")).not_to_contain_text(session.title)
    applying = decision_for(session)
    assert applying is not None and (applying.kind, applying.category) == ("reviewed", "information_technology")
