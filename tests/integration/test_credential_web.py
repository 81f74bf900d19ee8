"""The credential pages and API: a member applies, staff decide and record the exam pass, the certificate
downloads, anyone verifies; another member sees nothing of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from certcredit.services import credentials as creds
from certcredit.services.imports import import_records, load_upload
from certcredit.services.tokens import create_token

pytestmark = [pytest.mark.store, pytest.mark.django_db]


def recent_records() -> str:
    """Two hours in each management category, dated within the last 24 months (the exam application's window)."""
    day = (dt.date.today() - dt.timedelta(days=60)).isoformat()
    rows = ["id,date,title,minutes,category"]
    for n, category in enumerate(
        ("writing", "communication", "self_management", "information_technology", "organizational_development")
    ):
        rows.append(f"r{n},{day},Course {n},120,{category}")
    return "\n".join(rows) + "\n"


ATTEST = {
    "kind": "exam", "employment": "current", "employer": "Firm LLP", "years": "4",
    "track": "principal_administrator", "country": "US", "code_of_ethics": "on",
}  # fmt: skip


@pytest.fixture
def people(make_person):
    member = make_person("mo@example.org")
    member.name = "Maria Okafor"
    member.save()
    report = import_records(load_upload("r.csv", recent_records().encode()), member, member, "r.csv")
    assert report.ok
    return member, make_person("st@example.org", "staff"), make_person("eve@example.org")


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def bearer(person) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(person)[1]}"}


def test_the_web_walk_from_progress_to_a_revoked_verification(people) -> None:
    member, staff, eve = people
    me = signed_in(member)
    page = me.get("/progress/").content.decode()
    assert "No credential yet" in page and "Complete the exam application" in page
    today = dt.date.today().isoformat()
    page = me.get(f"/progress/?program=clm-application&as_of={today}&specialty=").content.decode()
    assert 'id="apply"' in page and "/applications/new/?kind=exam" in page

    refused = me.post("/applications/new/", {**ATTEST, "years": "2"})
    assert refused.status_code == 200 and "R2 asks for at least 3" in refused.content.decode()
    made = me.post("/applications/new/", ATTEST)
    assert made.status_code == 302
    application_path = made["Location"]
    assert "submitted" in me.get(application_path).content.decode()
    assert signed_in(eve).get(application_path).status_code == 404
    assert me.post(application_path, {"decision": "approve"}).status_code == 403

    boss = signed_in(staff)
    assert boss.post(application_path, {"decision": "deny", "reason": ""}).status_code == 200  # reason needed
    assert boss.post(application_path, {"decision": "approve"}).status_code == 302
    credential = creds.current_credential(member)
    assert credential.status == "eligible"
    assert "take the CLM exam" in me.get("/progress/").content.decode()

    passed = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    assert boss.post(f"/credentials/{credential.pk}/exam-pass/", {"passed_on": passed}).status_code == 302
    credential.refresh_from_db()
    assert credential.status == "certified"
    progress = me.get("/progress/").content.decode()
    assert "Recertify by" in progress and "clm-recertification" in progress
    assert '<option value="clm-application-specialist"' not in progress  # only the programs the person pursues
    assert f'value="{credential.valid_until.isoformat()}"' in progress  # as of the cycle's end, not today
    assert '<option value="clm-application-specialist"' in me.get("/progress/?all=1").content.decode()

    pdf = me.get(f"/credentials/{credential.pk}/documents/certificate.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert signed_in(eve).get(f"/credentials/{credential.pk}/documents/certificate.pdf").status_code == 404
    assert signed_in(eve).get(f"/credentials/{credential.pk}/").status_code == 404

    public = Client().get(f"/verify/{credential.code}").content.decode()
    assert "Maria Okafor" in public and "valid" in public and "mo@example.org" not in public
    assert me.post(f"/credentials/{credential.pk}/revoke/", {"reason": "mine"}).status_code == 403
    assert boss.post(f"/credentials/{credential.pk}/revoke/", {"reason": "Ethics breach"}).status_code == 302
    public = Client().get(f"/verify/{credential.code}").content.decode()
    assert '<span class="state">revoked</span>' in public and "Ethics breach" not in public
    assert Client().get("/verify/NOT-A-CODE").status_code == 404


def test_the_api_applies_decides_and_verifies_with_the_same_permissions(people) -> None:
    member, staff, eve = people
    client = Client()
    body = {"kind": "exam", "attestations": {k: v for k, v in ATTEST.items() if k != "kind"} | {"code_of_ethics": True}}
    made = client.post("/api/applications", body, content_type="application/json", **bearer(member))
    assert made.status_code == 201, made.content
    application = made.json()
    assert application["status"] == "submitted" and application["audit"]["complete"] is True
    again = client.post("/api/applications", body, content_type="application/json", **bearer(member))
    assert again.status_code == 422 and "already waiting" in again.json()["message"]
    bad = client.post(
        "/api/applications", {**body, "attestations": {"code_of_ethics": False}}, content_type="application/json",
        **bearer(member),
    )  # fmt: skip
    assert bad.status_code == 422 and bad.json()["field"] == "code_of_ethics"
    assert client.get(f"/api/applications/{application['id']}", **bearer(eve)).status_code == 404
    assert client.get("/api/applications", **bearer(eve)).json() == []
    denied = client.post(
        f"/api/applications/{application['id']}/decision", {"approve": True}, content_type="application/json",
        **bearer(member),
    )  # fmt: skip
    assert denied.status_code == 403
    approved = client.post(
        f"/api/applications/{application['id']}/decision", {"approve": True}, content_type="application/json",
        **bearer(staff),
    )  # fmt: skip
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == "st@example.org"
    credential_id = application["credential"]
    passed = dt.date.today().isoformat()
    certified = client.post(
        f"/api/credentials/{credential_id}/exam-pass", {"passed_on": passed}, content_type="application/json",
        **bearer(staff),
    ).json()  # fmt: skip
    assert certified["status"] == "certified" and certified["state"] == "valid"
    assert "certificate" in certified["documents"]
    pdf = client.get(f"/api/credentials/{credential_id}/documents/certificate", **bearer(member))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    letter = client.get(f"/api/credentials/{credential_id}/documents/recertification", **bearer(member))
    assert letter.status_code == 409
    shown = client.get(f"/api/verification/{certified['verification_code']}").json()
    assert shown["holder"] == "Maria Okafor" and shown["state"] == "valid"
    assert client.get("/api/verification/NOPE").status_code == 404
