"""End to end: the holder downloads the Open Badge from the credential page, a stranger checks it on the public
page (desktop and phone) and through the API, staff revoke, and then the page, the API and `certcredit verify`
all say revoked.

Screenshots (desktop 1280 px and phone 390 px) go to var/screenshots/badges/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.e2e.browsing import PASSWORD, open_tab, signed_in_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "badges"


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def test_download_the_badge_a_stranger_verifies_it_staff_revoke_and_verify_says_revoked(
    live_server: Any,
    browser: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    from certcredit.cli import _register, app
    from certcredit.services import badges
    from certcredit.services import credentials as creds
    from certcredit.services.imports import import_records, load_upload
    from certcredit.services.people import ensure_person

    url = live_server.url
    settings.CERTCREDIT_PUBLIC_URL = url  # the badge names this server as its issuer and status lists
    member, _ = ensure_person("maria@example.org", "Maria Okafor", PASSWORD)
    staff, _ = ensure_person("staff@example.org", "Sam Staff", PASSWORD, ("staff",))
    day = (dt.date.today() - dt.timedelta(days=45)).isoformat()
    rows = "id,date,title,minutes,category\n" + "".join(
        f"r{n},{day},Course {n},120,{c}\n"
        for n, c in enumerate(
            ("writing", "communication", "self_management", "information_technology", "organizational_development")
        )
    )
    assert import_records(load_upload("mine.csv", rows.encode()), member, member, "mine.csv").ok
    attest = {"code_of_ethics": True, "employment": "current", "employer": "Okafor & Partners LLP", "years": 6,
              "track": "principal_administrator", "country": "US"}  # fmt: skip
    creds.decide(staff, creds.apply(member, member, "exam", attest), approve=True)
    credential = creds.current_credential(member)
    creds.record_exam_pass(staff, credential, dt.date.today() - dt.timedelta(days=3))
    _register()
    runner = CliRunner()
    assert runner.invoke(app, ["keys", "create"]).exit_code == 0

    # the holder downloads the badge (the VC-JWT) and its JSON from the credential page
    me = signed_in_tab(browser, url, "maria@example.org")
    me.goto(f"{url}/credentials/{credential.pk}/")
    expect(me.locator("#badge")).to_contain_text("Open Badge (VC-JWT)")
    shoot(me, "1-credential-badge-desktop")
    with me.expect_download() as got:
        me.click("#badge-jwt")
    badge_file = tmp_path / got.value.suggested_filename
    got.value.save_as(str(badge_file))
    assert badge_file.suffix == ".jwt" and badge_file.read_text().count(".") == 2
    with me.expect_download() as got_json:
        me.click("#badge-json")
    decoded = json.loads(Path(got_json.value.path()).read_text())
    assert decoded["issuer"]["id"] == f"{url}/badges/issuer"
    assert decoded["credentialStatus"][0]["statusListCredential"] == f"{url}/badges/status/revocation"

    small = signed_in_tab(browser, url, "maria@example.org", width=390)
    small.goto(f"{url}/credentials/{credential.pk}/")
    expect(small.locator("#badge-jwt")).to_be_visible()
    shoot(small, "1-credential-badge-390")

    # a stranger, no account: the public check page on a desktop (file) and a phone (pasted), and the API
    for width, label in ((1280, "desktop"), (390, "390")):
        stranger = open_tab(browser, viewport={"width": width, "height": 844})
        stranger.goto(f"{url}/verify/")
        if label == "desktop":
            stranger.set_input_files("#id_badge", str(badge_file))
        else:
            stranger.fill("#id_token", badge_file.read_text())
        stranger.click("button[type=submit] >> text=Check")
        expect(stranger.locator("#badge-result h2")).to_have_text("Valid")
        expect(stranger.locator("#badge-result")).to_contain_text("Maria Okafor")
        expect(stranger.locator("#badge-result")).not_to_contain_text("maria@example.org")
        shoot(stranger, f"2-check-valid-{label}")
    assert post_json(f"{url}/api/verify", {"vc_jwt": badge_file.read_text()})["verified"] is True
    with urllib.request.urlopen(f"{url}/badges/jwks.json", timeout=30) as answer:
        assert len(json.loads(answer.read())["keys"]) == 1

    # staff revoke on the credential page; the badge is then revoked everywhere
    desk = signed_in_tab(browser, url, "staff@example.org")
    desk.goto(f"{url}/credentials/{credential.pk}/")
    expect(desk.locator("#badge table.badges")).to_be_visible()
    shoot(desk, "3-credential-badge-staff-desktop")
    desk.fill("#id_reason", "Breach of the Code of Ethics")
    desk.click("button[type=submit] >> text=Revoke")
    expect(desk.locator("h1")).to_contain_text(": revoked")
    answer = post_json(f"{url}/api/verify", {"vc_jwt": badge_file.read_text()})
    assert (answer["verified"], answer["reason"]) == (False, "revoked")
    said = runner.invoke(app, ["verify", str(badge_file)])
    assert said.exit_code == 1 and "rejected: revoked" in said.output
    for width, label in ((1280, "desktop"), (390, "390")):
        stranger = open_tab(browser, viewport={"width": width, "height": 844})
        stranger.goto(f"{url}/verify/")
        stranger.fill("#id_token", badge_file.read_text())
        stranger.click("button[type=submit] >> text=Check")
        expect(stranger.locator("#badge-result h2")).to_have_text("Rejected: revoked")
        shoot(stranger, f"4-check-revoked-{label}")
    phone = signed_in_tab(browser, url, "maria@example.org", width=390)
    phone.goto(f"{url}/credentials/{credential.pk}/")
    expect(phone.locator("#badge")).to_contain_text("only while the credential is valid")
    shoot(phone, "5-credential-revoked-390")
    assert badges.verify(badge_file.read_text()).reason == "revoked"
