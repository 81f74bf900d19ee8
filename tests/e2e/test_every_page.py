"""Every page of the web app, as each role (anonymous, member, provider, reviewer, staff), at desktop width and
at 390 px: axe-core finds no serious or critical violation, and at 390 px no page scrolls sideways.

The pages are read from the URL routes themselves, so a new page is checked as soon as it has a route: a route
with parameters needs one line in SAMPLES (how to find an example of it), a route that is not an HTML page (a
POST-only action, a file, JSON) one line in NOT_PAGES. Screenshots of each page go to var/screenshots/pages/
(ROLE-NAME-desktop.png, ROLE-NAME-390.png) for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, assert_fits, shoot
from tests.e2e.browsing import open_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("anonymous", "member", "provider", "reviewer", "staff")

# routes that are not pages a person reads: actions (POST only), files, JSON, the admin and the API's own docs
NOT_PAGES = {
    "logout",
    "evidence",
    "evaluate-sessions",
    "revoke-token",
    "credential-action",
    "credential-document",
    "credential-badge",
    "credential-badge-suspension",
    "badge-issuer",
    "badge-jwks",
    "badge-achievement",
    "badge-status",
    "badge-status-jwt",
    "attend",
    "progress-programs",
    "staff-export",
    "staff-reaudit",
    "staff-spot-check",
    "provider-publish",
    "provider-credit-form",
    "provider-submission-credit-form",
    "review-uphold",
    "library-download",
    "clrm-enrol",
    "clrm-attendance",
    "clrm-paper-file",
    "clrm-lists-csv",
}


def _route_names() -> dict[str, list[str]]:
    """Every named route of the web app (not the admin, not the API) with its parameters."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, list[str]] = {}

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                continue  # admin/ and api/: their own pages, not this app's templates
            if isinstance(pattern, URLPattern) and pattern.name:
                found[pattern.name] = list(pattern.pattern.regex.groupindex)

    walk(get_resolver().url_patterns)
    return found


class World:
    """The demo data plus one of everything a page with parameters shows."""

    def __init__(self) -> None:
        from django.contrib.auth.tokens import default_token_generator
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        from certcredit.services import clrm, reminders, standings
        from certcredit.services import credentials as creds
        from certcredit.services.demo import load_demo
        from certcredit.services.imports import import_records, load_upload
        from certcredit.services.reviews import queue
        from certcredit.services.uploads import import_uploaded_records
        from certcredit.store.accounts.models import Person
        from certcredit.store.library.models import LibraryPaper
        from certcredit.store.records.models import Record

        self.logins = {login.role: login for login in load_demo()}
        self.people = {role: Person.objects.get(email=login.email) for role, login in self.logins.items()}
        member, staff = self.people["member"], self.people["staff"]
        # enough hours for the CLM application, so the member may apply and staff may certify
        day = (dt.date.today() - dt.timedelta(days=45)).isoformat()
        categories = (
            "writing", "communication", "self_management", "information_technology", "organizational_development",
        )  # fmt: skip
        rows = "id,date,title,minutes,category\n" + "".join(
            f"a11y{n},{day},Course {n},240,{c}\n" for n, c in enumerate(categories)
        )
        assert import_records(load_upload("more.csv", rows.encode()), member, staff, "more.csv").ok
        attest = {"employment": "current", "employer": "Example LLP", "years": 6,
                  "track": "principal_administrator", "code_of_ethics": True}  # fmt: skip
        application = creds.apply(member, member, creds.Kind.EXAM, attest)
        creds.decide(staff, application, True)
        credential = creds.current_credential(member)
        assert credential is not None
        creds.record_exam_pass(staff, credential, dt.date.today())
        candidate = clrm.enrol(staff, member)
        clrm.record_academy(staff, member, "foundation", dt.date.today() - dt.timedelta(days=30))
        # the CLRM workflow: an arbitrator, the member's proposal and a draft (the approval and review pages)
        from certcredit.services import clrm_flow
        from tests.integration.clrm_flow_support import pdf_bytes

        arbitrator = clrm_flow.add_arbitrator(staff, "Dana Example", "Sacramento", "discipline")
        proposal = clrm_flow.propose(member, candidate, [arbitrator.pk], "grievance")
        paper = clrm_flow.submit_paper(member, candidate, "A sample paper", "A summary.", "grievance", "p.pdf",
                                       pdf_bytes())  # fmt: skip
        setting = reminders.setting_for(member)
        # the demo provider's agenda (waiting for the worker) and a dispute of one of its sessions' decisions, which
        # puts that session in the review queue: its review page then shows the dispute too
        from certcredit.services import agendas, providers

        provider = self.people["provider"]
        agenda = "title,date,minutes\nRecords Retention Basics,2026-10-01,60\nBad Row,2026-10-02,ninety\n"
        submission = agendas.submit_rows(provider, load_upload("agenda.csv", agenda.encode()), "agenda.csv")
        decided = [s for s in providers.decorate(providers.sessions(provider)) if s.applying and s.applying.verdict
                   in ("qualifies", "does_not_qualify") and s.applying.kind == "evaluated"]  # fmt: skip
        disputed = providers.dispute(provider, decided[0].pk, "The session teaches budgeting, not sales.").session
        session = queue(self.people["reviewer"]).filter(pk=disputed.pk).first()
        assert session is not None
        upload = import_uploaded_records.enqueue("/nonexistent", "big.csv", member.pk, member.pk)
        standings.refresh_outdated()  # the dashboard lists the demo member
        standings.draw_spot_checks(staff, 2)  # the spot-check page shows its outcome form
        self.samples: dict[str, Callable[[str], dict[str, Any] | None]] = {
            "record": lambda role: {"record_id": Record.objects.filter(person=member).first().pk},  # type: ignore[union-attr]
            "record-edit": lambda role: {"record_id": Record.objects.filter(person=member).first().pk},  # type: ignore[union-attr]
            "record-delete": lambda role: {"record_id": Record.objects.filter(person=member).first().pk},  # type: ignore[union-attr]
            "upload-status": lambda role: {"result_id": uuid.UUID(str(upload.id))},
            "review-session": lambda role: {"session_id": session.pk},
            "provider-submission": lambda role: {"submission_id": submission.pk},
            "provider-session": lambda role: {"session_id": disputed.pk},
            "clrm-candidate": lambda role: {"candidate_id": candidate.pk},
            "clrm-approval": lambda role: {"proposal_id": proposal.pk},
            "clrm-review": lambda role: {"paper_id": paper.pk},
            # the demo's library (its member and reviewer are current members; anyone else gets "members only")
            "library-paper": lambda role: {"paper_id": LibraryPaper.objects.order_by("id").first().pk},  # type: ignore[union-attr]
            "application": lambda role: {"application_id": application.pk},
            "credential": lambda role: {"credential_id": credential.pk},
            "verify": lambda role: {"code": credential.code},
            "unsubscribe": lambda role: {"token": setting.token},
            "password_reset_confirm": lambda role: {
                "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
                "token": default_token_generator.make_token(member),
            },
        }


def _visit(tab: Any, url: str) -> None:
    """Go to the page; once more if a page that follows a task reloaded itself just as we left it."""
    try:
        tab.goto(url)
    except Exception as error:
        if "ERR_ABORTED" not in str(error):
            raise
        tab.goto(url)


def _route_of(url: str) -> str:
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    try:
        return resolve(urlsplit(url).path).url_name or "page"
    except Resolver404:
        return "not-found"


def _pages(world: World) -> list[tuple[str, str]]:
    from django.urls import reverse

    pages = []
    missing = []
    for name, params in sorted(_route_names().items()):
        if name in NOT_PAGES:
            continue
        if params and name not in world.samples:
            missing.append(name)
            continue
        kwargs = world.samples[name]("") if params else None
        pages.append((name, reverse(name, kwargs=kwargs)))
    assert not missing, f"routes with parameters and no sample in SAMPLES (add one) or NOT_PAGES: {missing}"
    return pages


def test_every_page_as_every_role_has_no_serious_axe_violation_and_fits_a_390_px_phone(
    live_server: Any, browser: Any
) -> None:
    world = World()
    pages = _pages(world)
    pages.append(("not-found", "/no-such-page/"))
    problems: list[str] = []
    checked = 0
    for role in ROLES:
        tab = open_tab(browser, viewport=DESKTOP)
        if role != "anonymous":
            from certcredit.services.demo import ACCOUNTS

            password = next(p for r, _, p, *_ in ACCOUNTS if r == role)
            tab.goto(f"{live_server.url}/login/")
            tab.fill("#id_username", world.logins[role].email)
            tab.fill("#id_password", password)
            tab.click("button[type=submit]")
            tab.wait_for_url(f"{live_server.url}/")
        seen: set[str] = set()
        for name, path in pages:
            if name == "login" and role != "anonymous":
                continue  # signed in, the login page sends you home
            tab.set_viewport_size(DESKTOP)
            _visit(tab, f"{live_server.url}{path}")
            landed = tab.url.split("?")[0]
            if landed in seen:
                continue  # e.g. every page sends the anonymous visitor to the same login page
            seen.add(landed)
            shown = name if landed.endswith(path.split("?")[0]) else _route_of(landed)
            for label, size in (("desktop", DESKTOP), ("390", PHONE)):
                tab.set_viewport_size(size)
                where = f"{role} {name} {path} at {label}"
                try:
                    assert_accessible(tab, where)
                    if size is PHONE:
                        assert_fits(tab, where)
                except AssertionError as error:
                    problems.append(str(error))
                shoot(tab, "pages", f"{role}-{shown}-{label}")
                checked += 1
        tab.context.close()
    print(f"checked {checked} page views")
    assert not problems, "\n\n".join(problems)
    assert checked > 40
