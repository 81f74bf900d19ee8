"""The credential's PDF documents: what each shows, who may have them, and that rendering stays offline.
Each document is also rendered to PNG with pdftoppm into var/screenshots/credentials/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from certcredit.documents import TEMPLATES, RemoteFetchRefused, local_only_fetch, render_html, render_pdf
from certcredit.services import credentials as creds
from certcredit.services import documents
from tests.integration.test_credentials import EXAM_ATTESTATIONS, EXAM_RECORDS, RECERT_RECORDS, load

pytestmark = [pytest.mark.store, pytest.mark.django_db]

D = dt.date.fromisoformat
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "credentials"
BASE = "https://certs.example.org"


@pytest.fixture
def holder(make_person):
    member = make_person("mo@example.org")
    member.name = "Maria Okafor"
    member.save()
    staff = make_person("st@example.org", "staff")
    load(member, EXAM_RECORDS)
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    creds.decide(staff, application, approve=True)
    return member, staff, creds.current_credential(member)


def text_of(pdf: bytes, name: str) -> str:
    """The PDF's text (pdftotext), the PDF kept and its first page rendered to PNG for looking at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.pdf"
    path.write_bytes(pdf)
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: run scripts/documents.sh (apt-get install poppler-utils)")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(SHOTS / name)], check=True)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return result.stdout


def test_the_eligibility_letter_then_the_certificate_carry_the_verification_address(holder) -> None:
    member, staff, credential = holder
    assert documents.available(credential) == ["eligibility-letter"]
    name, pdf = documents.render(member, credential, "eligibility-letter", BASE, today=D("2022-05-10"))
    text = text_of(pdf, "eligibility-letter")
    assert "Eligible for the CLM exam" in text and "Maria Okafor" in text
    assert "Principal administrator" in text
    assert f"{BASE}/verify/{credential.code}" in "".join(text.split())
    with pytest.raises(documents.DocumentUnavailable, match="no certificate for a credential that is eligible"):
        documents.render(member, credential, "certificate", BASE)

    creds.record_exam_pass(staff, credential, D("2022-06-15"), today=D("2022-07-01"))
    credential.refresh_from_db()
    name, pdf = documents.render(member, credential, "certificate", BASE, today=D("2023-01-01"))
    assert name == f"clm-certificate-{credential.code[:5].lower()}.pdf"
    text = text_of(pdf, "certificate")
    assert "Certified Legal Manager" in text and "Maria Okafor" in text
    assert "June 15, 2022" in text and "June 30, 2025" in text
    assert credential.code in text


def test_the_recertification_confirmation_and_transcripts_show_the_cycles_hours(holder) -> None:
    member, staff, credential = holder
    creds.record_exam_pass(staff, credential, D("2022-06-15"), today=D("2022-07-01"))
    load(member, RECERT_RECORDS)
    live = text_of(documents.render(member, credential, "transcript", BASE, today=D("2025-06-01"))[1], "transcript")
    assert "after 2022-06-30 to 2025-06-30" in live
    assert "Human Resources Management" in live and "Substance abuse at work" in live
    assert "complete" in live
    # the Progress page's drawing (bars and the hours chart, server-side SVG) with the chart's figures as a table
    assert "Hours counted each month, by category" in live
    assert "Jan 2023" in live and "Feb 2024" in live and "met" in live  # a month row each; a requirement met
    application = creds.apply(member, member, "recertification", {"code_of_ethics": True}, today=D("2025-06-20"))
    creds.decide(staff, application, approve=True)
    credential.refresh_from_db()
    text = text_of(documents.render(staff, credential, "recertification", BASE, today=D("2025-07-01"))[1], "recert")
    assert "Recertification confirmed" in text and "June 30, 2028" in text and "36.00" in text
    frozen = documents.render(member, credential, "transcript", BASE, application=application, today=D("2025-07-01"))
    assert "as submitted on 2025-06-20" in text_of(frozen[1], "transcript-frozen")


def test_another_member_gets_not_found_and_a_revoked_credential_no_certificate(holder, make_person) -> None:
    member, staff, credential = holder
    creds.record_exam_pass(staff, credential, D("2022-06-15"), today=D("2022-07-01"))
    with pytest.raises(LookupError):
        documents.render(make_person("eve@example.org"), credential, "certificate", BASE)
    creds.revoke(staff, credential, "fraud")
    credential.refresh_from_db()
    with pytest.raises(documents.DocumentUnavailable, match="revoked"):
        documents.render(member, credential, "certificate", BASE)


def test_rendering_refuses_every_remote_address() -> None:
    for url in ("https://example.org/x.png", "http://127.0.0.1:1/", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(RemoteFetchRefused):
            local_only_fetch(url)
    html = render_html("_verify", {"qr": "", "verify_url": "<b>x</b>", "values": {}})
    assert "&lt;b&gt;x&lt;/b&gt;" in html  # autoescaped


def test_a_document_pointing_at_remote_addresses_renders_without_touching_the_network(monkeypatch) -> None:
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError(f"rendering tried the network: {args}")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    template = TEMPLATES / "_remote_probe.html"
    template.write_text('<img src="http://127.0.0.1:9/never.png"><link rel=stylesheet href="https://x.test/a.css">ok')
    try:
        pdf = render_pdf("_remote_probe", {})
    finally:
        template.unlink()
    assert pdf.startswith(b"%PDF-")
