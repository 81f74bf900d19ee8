"""Open Badges on the web and the API: the published profile, keys and status lists; the holder's download and
no one else's; staff suspension; the public check page and `POST /api/verify`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from certcredit.engine import badge as ob
from certcredit.services import badges
from certcredit.services import credentials as creds
from tests.integration.test_credential_web import bearer, people, signed_in  # noqa: F401 (the fixture)
from tests.integration.test_credentials import EXAM_ATTESTATIONS

pytestmark = [pytest.mark.store, pytest.mark.django_db]


@pytest.fixture
def certified(people):  # noqa: F811 (the fixture imported above)
    member, staff, eve = people
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS)
    creds.decide(staff, application, approve=True)
    credential = creds.current_credential(member)
    creds.record_exam_pass(staff, credential, dt.date.today() - dt.timedelta(days=10))
    credential.refresh_from_db()
    badges.create_key(staff)
    return member, staff, eve, credential


def test_the_issuer_profile_key_set_and_status_lists_are_public_and_name_each_other(certified) -> None:
    anyone = Client()
    profile = anyone.get("/badges/issuer")
    assert profile.status_code == 200 and profile["Access-Control-Allow-Origin"] == "*"
    shown = profile.json()
    assert shown["id"] == badges.issuer().id and shown["type"] == ["Profile"]
    assert shown["publicKeys"].endswith("/badges/jwks.json")
    (key,) = anyone.get("/badges/jwks.json").json()["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key
    for purpose in ("revocation", "suspension"):
        listed = anyone.get(f"/badges/status/{purpose}").json()
        assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        assert listed["credentialSubject"]["statusPurpose"] == purpose
        signed = anyone.get(f"/badges/status/{purpose}.jwt")
        assert signed["Content-Type"] == "application/vc+jwt"
        header, claims = ob.read_unverified(signed.content.decode())
        assert header["kid"] == key["kid"] and claims["vc"]["id"] == listed["id"]
    assert anyone.get("/badges/status/other").status_code == 404
    assert anyone.get("/badges/achievements/clm").json()["name"] == "Certified Legal Manager"


def test_the_holder_downloads_the_badge_and_a_stranger_gets_not_found(certified) -> None:
    member, _staff, eve, credential = certified
    me = signed_in(member)
    page = me.get(f"/credentials/{credential.pk}/").content.decode()
    assert "Open Badge (VC-JWT)" in page and "Suspend the badge" not in page
    jwt = me.get(f"/credentials/{credential.pk}/badge.jwt")
    assert jwt.status_code == 200 and jwt["Content-Type"] == "application/vc+jwt"
    assert "attachment" in jwt["Content-Disposition"]
    assert badges.verify(jwt.content.decode()).verified
    decoded = json.loads(me.get(f"/credentials/{credential.pk}/badge.json").content)
    assert decoded["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert signed_in(eve).get(f"/credentials/{credential.pk}/badge.jwt").status_code == 404
    assert Client().get(f"/credentials/{credential.pk}/badge.jwt").status_code == 302  # to sign in
    assert me.get(f"/credentials/{credential.pk}/badge.xml").status_code == 404


def test_the_api_gives_the_badge_to_the_holder_and_staff_only(certified) -> None:
    member, staff, eve, credential = certified
    client = Client()
    mine = client.get(f"/api/credentials/{credential.pk}/badge", **bearer(member))
    assert mine.status_code == 200
    body = mine.json()
    assert body["decoded"]["name"] == "Certified Legal Manager" and body["suspended"] is False
    assert client.get(f"/api/credentials/{credential.pk}/badge", **bearer(staff)).json()["vc_jwt"] == body["vc_jwt"]
    assert client.get(f"/api/credentials/{credential.pk}/badge", **bearer(eve)).status_code == 404
    assert client.get(f"/api/credentials/{credential.pk}/badge").status_code == 401


def test_anyone_verifies_through_the_api_and_staff_suspension_and_revocation_show_at_once(certified) -> None:
    member, staff, _eve, credential = certified
    token = badges.badge_for(member, credential).token
    anyone = Client()

    def verify() -> dict:
        answer = anyone.post("/api/verify", {"vc_jwt": token}, content_type="application/json")
        assert answer.status_code == 200
        return answer.json()

    assert verify()["verified"] is True
    refused = anyone.post(f"/api/credentials/{credential.pk}/badge/suspension", {"suspended": True, "reason": "x"},
                          content_type="application/json", **bearer(member))  # fmt: skip
    assert refused.status_code == 403
    no_reason = anyone.post(f"/api/credentials/{credential.pk}/badge/suspension", {"suspended": True},
                            content_type="application/json", **bearer(staff))  # fmt: skip
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    done = anyone.post(f"/api/credentials/{credential.pk}/badge/suspension",
                       {"suspended": True, "reason": "Under review"},
                       content_type="application/json", **bearer(staff))  # fmt: skip
    assert done.json() == {"credential": credential.pk, "suspended": True, "changed": 1}
    assert (verify()["verified"], verify()["reason"]) == (False, "suspended")
    signed_in(staff).post(f"/credentials/{credential.pk}/badge/suspension", {"suspend": "0"})
    assert verify()["verified"] is True
    signed_in(staff).post(f"/credentials/{credential.pk}/revoke/", {"reason": "Breach"})
    answer = verify()
    assert (answer["verified"], answer["reason"]) == (False, "revoked")
    assert answer["credential"]["name"] == "Certified Legal Manager"


def test_the_verify_api_answers_json_for_rubbish_and_an_oversized_body(certified) -> None:
    anyone = Client()
    junk = anyone.post("/api/verify", {"vc_jwt": "not.a.badge"}, content_type="application/json").json()
    assert junk["verified"] is False and junk["reason"] == "malformed"
    huge = anyone.post("/api/verify", {"vc_jwt": "a" * 70_000}, content_type="application/json")
    assert huge.status_code == 422 and "longer than" in huge.json()["message"]
    missing = anyone.post("/api/verify", {}, content_type="application/json")
    assert missing.status_code == 422


def test_the_public_check_page_says_valid_or_the_reason(certified) -> None:
    member, _staff, _eve, credential = certified
    token = badges.badge_for(member, credential).token
    anyone = Client()
    assert anyone.get("/verify/").status_code == 200
    valid = anyone.post("/verify/", {"token": token}).content.decode()
    assert "Valid" in valid and "Maria Okafor" in valid and "mo@example.org" not in valid
    tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    assert "Rejected: bad signature" in anyone.post("/verify/", {"token": tampered}).content.decode()
    unsigned = anyone.post("/verify/", {"token": '{"type": "OpenBadgeCredential"}'})
    assert unsigned.status_code == 422 and "without its signature" in unsigned.content.decode()


def test_staff_see_the_issued_badges_and_suspend_from_the_credential_page(certified) -> None:
    member, staff, _eve, credential = certified
    badges.badge_for(member, credential)
    desk = signed_in(staff)
    assert "Suspend the badge" in desk.get(f"/credentials/{credential.pk}/").content.decode()
    desk.post(f"/credentials/{credential.pk}/badge/suspension", {"suspend": "1", "reason": "Under review"})
    page = desk.get(f"/credentials/{credential.pk}/").content.decode()
    assert "Lift the suspension" in page and "Under review" in page
    assert signed_in(member).post(f"/credentials/{credential.pk}/badge/suspension", {"suspend": "0"}).status_code == 403


def test_the_verification_page_of_a_code_leads_to_the_badge_check(certified) -> None:
    *_, credential = certified
    page = Client().get(f"/verify/{credential.code}").content.decode()
    assert 'href="/verify/"' in page


def test_an_outside_verifier_needs_only_what_the_site_publishes(certified) -> None:
    """The steps docs/credentials.md gives an outside verifier, with nothing read from the store."""
    member, staff, _eve, credential = certified
    token = badges.badge_for(member, credential).token
    web = Client()

    def fetch(url: str) -> dict:
        assert url.startswith(badges.public_url())
        return web.get(url.removeprefix(badges.public_url())).json()

    def outside_check() -> str | None:
        _header, claims = ob.read_unverified(token)
        profile = fetch(claims["iss"])
        keys = {k["kid"]: k for k in fetch(profile["publicKeys"])["keys"]}

        def status(url: str, purpose: str, index: int) -> bool | None:
            listed = fetch(url)["credentialSubject"]
            return ob.status_bit(listed["encodedList"], index) if listed["statusPurpose"] == purpose else None

        try:
            ob.check(token, keys, profile["id"], dt.datetime.now(dt.UTC), status)
        except ob.BadgeRejected as error:
            return error.reason
        return None

    assert outside_check() is None
    badges.create_key(staff, rotate=True)
    assert outside_check() is None  # the retired key is still published
    creds.revoke(staff, credential, "Breach")
    assert outside_check() == "revoked"
