"""End to end, providers: a provider submits an agenda of 200 sessions (two rows bad), watches the evaluator's
progress (the task worker runs in this process, held after its first batch so the page is seen mid-way), disputes
one decision, publishes a qualifying session and downloads the credit form (PDF and CSV); a reviewer upholds the
disputed decision with a note, and the provider reads the outcome. Screenshots of each page at desktop width and
at 390 px go to var/screenshots/providers/; on each, axe-core finds no serious or critical violation, and at 390 px
neither the page nor a table in it is wider than the screen."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, assert_fits, hold_still
from tests.e2e.browsing import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "providers"
MAX_HEIGHT = 2400

DRAFTING = "Plain-English Drafting for Firm Policies"
LUNCH = "Members' Networking Lunch"
#: subjects of the generated sessions: each row of the agenda is one of these on another day
SUBJECTS = (
    ("Writing Clear Engagement Letters", "How to draft engagement letters clients understand: structure, plain words."),
    ("Listening Skills for Managers", "Active listening and feedback techniques for legal managers and their teams."),
    ("Managing Your Time and Priorities", "Planning a week, delegating and saying no, for legal administrators."),
    ("Cloud Document Management Systems", "Choosing and running a document management system in a law firm."),
    ("Building a Succession Plan", "Preparing the firm's leadership succession and developing future managers."),
    ("Firm Budgeting and Forecasting", "Building an annual budget, monitoring it and forecasting cash flow."),
    ("Hiring and Onboarding Staff", "Interviewing, selecting and onboarding legal support staff."),
    ("Cybersecurity Basics for Law Offices", "Phishing, passwords and incident response for a legal office."),
)


def agenda_csv() -> str:
    """198 readable sessions and two bad rows (line 52: minutes not a number; line 151: another provider)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["title", "description", "date", "minutes", "provider"])
    writer.writerow(
        [DRAFTING, "Writing clear firm policies, memos and procedures staff can follow.", "2026-09-01", 90, ""]
    )
    writer.writerow([LUNCH, "Lunch and networking with fellow members; no program.", "2026-09-01", 60, ""])
    for n in range(198):
        title, description = SUBJECTS[n % len(SUBJECTS)]
        day = f"2026-{9 + n // 60:02d}-{n % 28 + 1:02d}"
        if n == 48:
            writer.writerow([f"{title} (part {n})", description, day, "ninety", ""])
        elif n == 147:
            writer.writerow([f"{title} (part {n})", description, day, 60, "Someone Else Ltd."])
        else:
            writer.writerow([f"{title} (part {n})", description, day, 60 + 15 * (n % 4), ""])
    return out.getvalue()


def measure(tab: Any, script: str) -> Any:
    """``tab.evaluate(script)``, again when the page loaded itself anew meanwhile (it follows a task)."""
    for attempt in range(5):
        try:
            return tab.evaluate(script)
        except Exception as error:
            if "context was destroyed" not in str(error) or attempt == 4:
                raise
            tab.wait_for_load_state("load")
    raise AssertionError("unreachable")


def shoot(tab: Any, name: str) -> None:
    """The page (its first 2,400 px) at desktop width and at 390 px, where neither it nor a table in it may be
    wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("390", PHONE)):
        tab.set_viewport_size(size)
        hold_still(tab)  # a page that follows a task reloads itself every two seconds; held, it is one document
        assert_accessible(tab, f"{name} at {label}")  # axe-core: no serious or critical violation
        if label == "390":
            assert_fits(tab, f"{name} at 390 px")
            # nor does a table scroll inside its card: each is stacked into rows
            tables = measure(tab, "[...document.querySelectorAll('table')].map(t => t.scrollWidth)")
            assert all(width <= PHONE["width"] for width in tables), f"{name}: tables {tables} px wide at 390 px"
        path = SHOTS / f"{name}-{label}.png"
        height = min(measure(tab, "document.documentElement.scrollHeight"), MAX_HEIGHT)  # a 200-row table: its top
        tab.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": size["width"], "height": height})
        assert path.stat().st_size > 10_000, f"{path} looks empty"
    tab.set_viewport_size(DESKTOP)


class HeldEvaluator:
    """The shipped evaluator, held before its second batch until the test has seen the first one counted."""

    def __init__(self, real: Any) -> None:
        self.real, self.calls = real, 0
        self.first_counted, self.go_on = threading.Event(), threading.Event()

    def evaluate(self, sessions: Any) -> Any:
        self.calls += 1
        if self.calls == 2:
            self.first_counted.set()
            assert self.go_on.wait(120), "the test never let the evaluator go on"
        return self.real.evaluate(sessions)


def run_worker(held: HeldEvaluator, errors: list[BaseException]) -> threading.Thread:
    """``certcredit worker --batch`` in a thread that shares the test's in-memory database, as the live server
    does."""
    from django.core.management import call_command
    from django.db import connections

    shared = connections["default"]

    def work() -> None:
        shared.inc_thread_sharing()
        connections["default"] = shared
        try:
            call_command("db_worker", batch=True, interval=0.1, verbosity=0)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            held.first_counted.set()
            shared.dec_thread_sharing()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_a_provider_submits_200_sessions_disputes_publishes_and_downloads_the_credit_form(
    live_server: Any,
    page: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    from certcredit.evaluate import batch
    from certcredit.services.people import ensure_person
    from certcredit.store.accounts.models import Organization
    from certcredit.store.catalog.models import Dispute, Session

    northwind = Organization.objects.create(name="Northwind Training Co.", kind="provider")
    ensure_person("pat@northwind.example", "Pat Provider", PASSWORD, ("provider",), organization=northwind)
    ensure_person("riley@example.org", "Riley Reviewer", PASSWORD, ("reviewer", "member"))
    held = HeldEvaluator(batch.default_evaluator())
    monkeypatch.setattr(batch, "default_evaluator", lambda: held)
    # the worker closes connections as a server would; here it shares the test's, so it must keep it
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    # signal handlers can only be set in the main thread; this worker stops on its own (batch)
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.Worker.configure_signals", lambda _self: None)
    base = live_server.url

    page.set_viewport_size(DESKTOP)
    sign_in(page, base, "pat@northwind.example")
    page.click("nav >> text=Provider")
    expect(page.locator("h1")).to_have_text("Northwind Training Co.")
    shoot(page, "01-provider-empty")

    page.click("text=Submit sessions")
    expect(page.locator("h1")).to_have_text("Submit sessions")
    shoot(page, "02-submit")
    agenda = tmp_path / "autumn-agenda.csv"
    agenda.write_text(agenda_csv(), encoding="utf-8")
    page.set_input_files("#id_file", str(agenda))
    page.click("button >> text=Submit the agenda")
    expect(page.locator("h1")).to_have_text("autumn-agenda.csv")
    expect(page.locator("#evaluation")).to_contain_text("Waiting for the evaluator")
    expect(page.locator("table.rejected")).to_contain_text("autumn-agenda.csv, line 52")
    expect(page.locator("table.rejected")).to_contain_text("Someone Else Ltd.")
    expect(page.locator(".page-head")).to_contain_text("198 added, 0 already there, 2 not kept")

    # The worker and the live server share the test's one in-memory SQLite connection: the page is left while
    # the worker writes, and opened again while it waits before its second batch (outside any transaction).
    progress_page = page.url
    page.goto("about:blank")
    errors: list[BaseException] = []
    worker = run_worker(held, errors)
    assert held.first_counted.wait(120), "the worker never started the evaluation"
    assert not errors, errors
    page.goto(progress_page)
    expect(page.locator("#evaluation")).to_contain_text("20 of 198 sessions evaluated")
    expect(page.locator("#evaluation .status")).to_have_text("Being evaluated")
    expect(page.locator("#evaluation progress")).to_have_attribute("value", "20")
    shoot(page, "03-progress")
    page.goto("about:blank")
    held.go_on.set()
    worker.join(180)
    assert not worker.is_alive() and not errors, errors
    page.goto(progress_page)
    expect(page.locator("#evaluation")).to_contain_text("198 of 198 sessions evaluated")
    expect(page.locator("#evaluation .status")).to_have_text("Evaluated")
    shoot(page, "04-evaluated")

    row = page.locator(f"table.provider-sessions tr:has-text('{DRAFTING}')")
    expect(row).to_contain_text("Qualifies")
    expect(row).to_contain_text("Writing")
    expect(row).to_contain_text("1.5")

    # dispute the lunch's decision
    page.click(f'table.provider-sessions a:has-text("{LUNCH}")')
    expect(page.locator("h1")).to_have_text(LUNCH)
    expect(page.locator("dl.facts")).to_contain_text("Does not qualify")
    page.fill("#id_reason", "The lunch has a 45-minute talk on firm budgets by our finance director.")
    page.click("button >> text=Send to the reviewers")
    expect(page.locator(".flash")).to_contain_text("Dispute sent to the reviewers' queue.")
    expect(page.locator("ul.disputes")).to_contain_text("Open")
    shoot(page, "05-disputed")

    # publish the qualifying drafting session (and the lunch, which is refused with the reason)
    page.goto(f"{base}/provider/?q=Plain-English")
    page.check(f"input[aria-label='Publish {DRAFTING}']")
    page.click("button >> text=Publish the ticked sessions")
    expect(page.locator(".flash.success")).to_contain_text("1 published to the catalogue.")
    expect(page.locator(f"table.provider-sessions tr:has-text('{DRAFTING}')")).to_contain_text("Published")
    page.goto(f"{base}/provider/?q=Lunch")
    page.check(f'input[aria-label="Publish {LUNCH}"]')
    page.click("button >> text=Publish the ticked sessions")
    expect(page.locator(".flash.error")).to_contain_text("its decision is disputed")
    page.goto(f"{base}/provider/")
    shoot(page, "06-provider-home")

    # the credit form, PDF and CSV
    submission_id = Session.objects.get(title=DRAFTING).submission_id
    page.goto(f"{base}/provider/submissions/{submission_id}/")
    with page.expect_download() as pdf_download:
        page.click(".page-head a >> text=PDF")
    pdf = tmp_path / "credit-form.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "credit-form.pdf").write_bytes(pdf.read_bytes())
    with page.expect_download() as csv_download:
        page.click(".page-head a >> text=CSV")
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 198
    drafting = next(r for r in rows if r["title"] == DRAFTING)
    assert (drafting["credit_hours"], drafting["category"], drafting["published"]) == ("1.5", "writing", "yes")

    # the reviewer upholds the disputed decision with a note
    page.click("button >> text=Sign out")
    sign_in(page, base, "riley@example.org")
    page.click("nav >> text=Review")
    queue_row = page.locator(f'table.review-queue tr:has-text("{LUNCH}")')
    expect(queue_row).to_contain_text("Disputed by the provider")
    shoot(page, "07-review-queue")
    queue_row.locator("a.button").click()
    expect(page.locator(".dispute")).to_contain_text("45-minute talk on firm budgets")
    shoot(page, "08-review-dispute")
    page.fill("#id_uphold_note", "A talk over lunch is still a social event with a speaker; R16 rules it out.")
    page.click("button >> text=Uphold the decision")
    expect(page.locator(".flash")).to_contain_text("decision upheld")
    dispute = Dispute.objects.get()
    assert (dispute.status, dispute.settled_by.email) == ("upheld", "riley@example.org")

    # the provider reads the outcome
    page.click("button >> text=Sign out")
    sign_in(page, base, "pat@northwind.example")
    page.click("nav >> text=Provider")
    outcome = page.locator(f'table.provider-disputes tr:has-text("{LUNCH}")')
    expect(outcome).to_contain_text("Upheld")
    expect(outcome).to_contain_text("R16 rules it out")
    expect(outcome).to_contain_text("riley@example.org")
    shoot(page, "09-provider-outcome")
