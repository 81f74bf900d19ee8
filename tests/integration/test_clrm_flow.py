"""The CLRM workflow in the app: arbitrators proposed and approved (with warnings), orientation, drafts checked by
content, review rounds and acceptance; who may do what, in the services, the pages and the API; and the history
keeping who and when."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certcredit.services import clrm
from certcredit.services import clrm_flow as flow
from certcredit.services import credentials as creds
from certcredit.services.access import Forbidden
from certcredit.services.tokens import create_token
from certcredit.store.clrm.models import BulletinFeature, Event, Recognition
from certcredit.store.history.models import HistoryEntry
from certcredit.store.library.models import LibraryPaper
from tests.integration.clrm_flow_support import EXE_BYTES, START, docx_bytes, install_clock, pdf_bytes

pytestmark = [pytest.mark.store, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch)


@pytest.fixture
def cast(make_person):
    """Two candidates, staff, an approver (the Executive Director's designee) and a paper reviewer."""
    return {
        "ana": make_person("ana@example.org"),
        "ben": make_person("ben@example.org"),
        "staff": make_person("office@example.org", "staff"),
        "approver": make_person("director@example.org", "clrm_approver"),
        "reviewer": make_person("reader@example.org", "clrm_reviewer"),
    }


def bearer(person) -> dict[str, str]:
    _token, plain = create_token(person)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def academies(staff, person, *offsets: int) -> Any:
    """Foundation, negotiations and arbitration on the days ``START + offset`` (in that order of ids)."""
    for academy, offset in zip(("foundation", "negotiations", "arbitration"), offsets, strict=True):
        clrm.record_academy(staff, person, academy, START + dt.timedelta(days=offset))
    return clrm.own_candidacy(person)


def approved(cast, clock, person, offset: int, *names: str) -> Any:
    """The person proposes ``names`` (added to the registry when missing) and the approver approves."""
    clock.to(offset)
    ids = []
    for name in names:
        found = flow.arbitrators().filter(name=name).first() or flow.add_arbitrator(cast["staff"], name)
        ids.append(found.pk)
    candidate = clrm.own_candidacy(person)
    proposal = flow.propose(person, candidate, ids, "grievance")
    return flow.decide_proposal(cast["approver"], proposal, True)


def oriented(cast, clock, person, offset: int) -> None:
    clock.to(offset - 10)
    session = flow.schedule_orientation(cast["staff"], START + dt.timedelta(days=offset), "Sacramento")
    enrolment = flow.enrol_orientation(person, clrm.own_candidacy(person), session)
    clock.to(offset)
    flow.record_attendance(cast["staff"], enrolment)


def status(person, day: dt.date) -> str:
    candidate = clrm.own_candidacy(person)
    return clrm.timeline(person, candidate, day).audit["status"]


# ------------------------------------------------------------------------------------------ the whole walk


def test_a_candidate_goes_from_approval_through_a_revision_round_to_the_certificate(cast, clock) -> None:
    ana, ben = cast["ana"], cast["ben"]
    candidate = academies(cast["staff"], ana, 20, 0, 10)  # any order: negotiations, arbitration, foundation
    academies(cast["staff"], ben, 0, 5, 15)
    approved(cast, clock, ben, 30, "Carla Reyes")  # Ben reserves Carla Reyes first
    clock.to(40)
    flow.add_arbitrator(cast["staff"], "Dan Ito", "Fresno", "discipline")
    reyes, ito = flow.arbitrators().get(name="Carla Reyes"), flow.arbitrators().get(name="Dan Ito")
    proposal = flow.propose(ana, candidate, [reyes.pk, ito.pk], "grievance", "two arbitrators from the Valley")
    assert flow.warnings_for(proposal) == ["Carla Reyes is reserved by Ben, whose paper is in progress."]
    decided = flow.decide_proposal(cast["approver"], proposal, True)  # a warning, not a block
    assert decided.status == "approved" and decided.warnings == flow.warnings_for(proposal)
    assert decided.event.date == START + dt.timedelta(days=40) and decided.event.arbitrators == "Carla Reyes; Dan Ito"

    oriented(cast, clock, ana, 60)
    clock.to(100)
    first = flow.submit_paper(ana, candidate, "Reyes and Ito", "How they weigh past practice.", "grievance",
                              "paper.pdf", pdf_bytes("one"))  # fmt: skip
    assert status(ana, clock.day) == "under_review"
    clock.to(110)
    flow.review_paper(cast["reviewer"], first, "revise", "Add the 2019 awards.")
    assert status(ana, clock.day) == "revision_requested"
    clock.to(130)
    word = docx_bytes("two")  # made once: a .docx written again has another timestamp inside
    second = flow.submit_paper(ana, candidate, "Reyes and Ito", "How they weigh past practice.", "grievance",
                               "paper v2.docx", word)  # fmt: skip
    assert (second.number, second.kind) == (2, "docx")
    clock.to(140)
    flow.review_paper(cast["reviewer"], second, "accept")
    assert status(ana, clock.day) == "certified"

    credential = creds.current_credential(ana, "clrm")
    assert credential is not None and credential.status == "certified"
    assert credential.certified_on == START + dt.timedelta(days=140) and credential.valid_until is None
    assert creds.standing(credential).state == "valid"
    assert creds.verification(credential.code).credential == "Labor Relations Academy Masters Certification"
    feature = BulletinFeature.objects.get(candidate=candidate)
    assert (feature.title, feature.arbitrators, feature.version_id) == (
        "Reyes and Ito",
        "Carla Reyes; Dan Ito",
        second.pk,
    )
    honored = Recognition.objects.get(candidate=candidate)
    day = START + dt.timedelta(days=140)
    assert honored.conference_year == (day.year if day < dt.date(day.year, 11, 30) else day.year + 1)
    shelved = LibraryPaper.objects.get(author=ana)  # handed to the members' library, the accepted file with it
    assert (shelved.title, shelved.arbitrator, shelved.paper_type) == (
        "Reyes and Ito",
        "Carla Reyes; Dan Ito",
        "grievance",
    )
    assert shelved.accepted_on == START + dt.timedelta(days=140)
    assert shelved.file.open("rb").read() == word
    judged = flow.judged_papers(ana, candidate)
    assert [(j.version.number, j.counts, [r.outcome for r in j.reviews]) for j in judged] == [
        (2, True, ["accept"]),
        (1, True, ["revise"]),
    ]
    assert judged[1].reviews[0].comments == "Add the 2019 awards."
    actions = set(HistoryEntry.objects.values_list("action", flat=True))
    assert {
        "clrm.proposal.approve", "clrm.orientation.attended", "clrm.paper.submit", "clrm.paper.revise",
        "clrm.paper.accept", "credential.certify", "clrm.bulletin.queue", "clrm.recognition.add",
    } <= actions  # fmt: skip
    accept = HistoryEntry.objects.get(action="clrm.paper.accept")
    assert accept.actor_label == "reader@example.org" and accept.at is not None


def test_an_arbitrator_covered_by_an_accepted_paper_is_flagged_to_the_approver(cast, clock) -> None:
    ana, ben = cast["ana"], cast["ben"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    academies(cast["staff"], ben, 0, 1, 2)
    approved(cast, clock, ana, 10, "Dan Ito")
    oriented(cast, clock, ana, 20)
    clock.to(30)
    paper = flow.submit_paper(ana, candidate, "Ito", "Summary.", "grievance", "p.pdf", pdf_bytes())
    clock.to(40)
    flow.review_paper(cast["reviewer"], paper, "accept")
    proposal = flow.propose(ben, clrm.own_candidacy(ben), [flow.arbitrators().get(name="Dan Ito").pk], "interest")
    assert flow.warnings_for(proposal) == [
        f"Dan Ito is already covered by the paper of Ana, accepted on {START + dt.timedelta(days=40)}."
    ]


# ------------------------------------------------------------------------------------------ who may do what


def test_only_approvers_approve_and_a_decline_needs_a_reason(cast, clock) -> None:
    ana = cast["ana"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    clock.to(5)
    arbitrator = flow.add_arbitrator(cast["staff"], "Eve Park")
    proposal = flow.propose(ana, candidate, [arbitrator.pk], "interest")
    for someone in ("staff", "reviewer", "ana", "ben"):
        with pytest.raises(Forbidden):
            flow.decide_proposal(cast[someone], proposal, True)
    with pytest.raises(flow.FlowInvalid) as refused:
        flow.decide_proposal(cast["approver"], proposal, False, "  ")
    assert refused.value.field == "reason"
    declined = flow.decide_proposal(cast["approver"], proposal, False, "Eve Park retired in 2019.")
    assert declined.status == "declined" and declined.event is None
    assert not Event.objects.filter(type="arbitrator_approved").exists()
    again = flow.propose(ana, candidate, [arbitrator.pk], "grievance")  # after a decline, propose again
    assert again.status == "proposed"


def test_an_acceptance_the_library_refuses_is_undone_whole(cast, clock, make_person) -> None:
    """The same file accepted for another author is refused by the library: nothing of the acceptance stays."""
    ana, ben = cast["ana"], cast["ben"]
    same = pdf_bytes("same")
    for person, name in ((ana, "Dan Ito"), (ben, "Eve Park")):
        candidate = academies(cast["staff"], person, 0, 1, 2)
        approved(cast, clock, person, 3, name)
        oriented(cast, clock, person, 4)
        clock.to(10)
        flow.submit_paper(person, candidate, "T", "S", "grievance", "same.pdf", same)
    clock.to(20)
    flow.review_paper(cast["reviewer"], clrm.own_candidacy(ana).papers.get(), "accept")
    with pytest.raises(flow.FlowInvalid, match="the library refused the accepted paper"):
        flow.review_paper(cast["reviewer"], clrm.own_candidacy(ben).papers.get(), "accept")
    assert status(ben, clock.day) == "under_review"
    assert creds.current_credential(ben, "clrm") is None
    assert not BulletinFeature.objects.filter(candidate__person=ben).exists()


def test_only_paper_reviewers_review_and_not_their_own_paper(cast, clock, make_person) -> None:
    ana = cast["ana"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    approved(cast, clock, ana, 5, "Dan Ito")
    oriented(cast, clock, ana, 8)
    clock.to(10)
    paper = flow.submit_paper(ana, candidate, "T", "S", "grievance", "p.pdf", pdf_bytes())
    for someone in ("staff", "approver", "ana", "ben"):
        with pytest.raises(Forbidden):
            flow.review_paper(cast[someone], paper, "accept")
    with pytest.raises(flow.FlowInvalid) as refused:
        flow.review_paper(cast["reviewer"], paper, "research", "")
    assert refused.value.field == "comments"
    dual = make_person("dual@example.org", "clrm_reviewer")  # a reviewer who is also a candidate
    own = academies(cast["staff"], dual, 0, 1, 2)
    mine = flow.submit_paper(dual, own, "T", "S", "grievance", "p.pdf", pdf_bytes())
    with pytest.raises(Forbidden, match="does not review their own paper"):
        flow.review_paper(dual, mine, "accept")
    assert not Event.objects.filter(type__in=("revision_requested", "paper_accepted")).exists()


def test_a_candidate_never_sees_another_candidates_papers(cast, clock) -> None:
    ana, ben = cast["ana"], cast["ben"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    academies(cast["staff"], ben, 0, 1, 2)
    clock.to(10)
    paper = flow.submit_paper(ana, candidate, "T", "S", "grievance", "p.pdf", pdf_bytes())
    with pytest.raises(clrm.NotFound):
        flow.paper_seen_by(ben, paper.pk)
    with pytest.raises(clrm.NotFound):
        flow.papers_of(ben, candidate)
    with pytest.raises(Forbidden):
        flow.submit_paper(ben, candidate, "T", "S", "grievance", "p.pdf", pdf_bytes())
    assert flow.paper_seen_by(ana, paper.pk) == paper
    assert flow.paper_seen_by(cast["reviewer"], paper.pk) == paper
    assert flow.paper_seen_by(cast["staff"], paper.pk) == paper
    with pytest.raises(clrm.NotFound):
        flow.paper_seen_by(cast["approver"], paper.pk)


def test_only_staff_schedule_orientations_and_record_attendance(cast, clock) -> None:
    ana = cast["ana"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    clock.to(5)
    with pytest.raises(Forbidden):
        flow.schedule_orientation(ana, START + dt.timedelta(days=9), "Online")
    session = flow.schedule_orientation(cast["staff"], START + dt.timedelta(days=9), "Online", capacity=1)
    enrolment = flow.enrol_orientation(ana, candidate, session)
    with pytest.raises(flow.FlowInvalid, match="already enrolled"):
        flow.enrol_orientation(ana, candidate, session)
    with pytest.raises(flow.FlowInvalid, match="has not taken place yet"):
        flow.record_attendance(cast["staff"], enrolment)
    clock.to(9)
    with pytest.raises(Forbidden):
        flow.record_attendance(ana, enrolment)
    flow.record_attendance(cast["staff"], enrolment)
    assert Event.objects.get(type="orientation_attended").date == START + dt.timedelta(days=9)
    full = clrm.enrol(cast["staff"], cast["ben"])
    with pytest.raises(flow.FlowInvalid, match="is full"):
        flow.enrol_orientation(cast["ben"], full, session)


# ------------------------------------------------------------------------------------------ papers by content


def test_a_program_renamed_pdf_is_refused_with_a_clear_error_and_nothing_is_stored(cast, clock) -> None:
    ana = cast["ana"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    clock.to(10)
    with pytest.raises(flow.FlowInvalid) as refused:
        flow.submit_paper(ana, candidate, "T", "S", "grievance", "paper.pdf", EXE_BYTES)
    assert refused.value.field == "file"
    assert str(refused.value) == (
        "paper.pdf is not a PDF or a Word (.docx) document: its content is a Windows program (.exe), whatever its"
        " name says"
    )
    assert not candidate.papers.exists() and not Event.objects.filter(type="paper_submitted").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"%PDF-1.7\nthis is not really a PDF", "starts like a PDF but cannot be read as one"),
        (b"PK\x03\x04broken", "starts like a .docx but cannot be unpacked"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "an old Word or Office file (.doc)"),
        (b"hello, plain text", "is not a PDF or a Word (.docx) document, whatever its name says"),
    ],
)
def test_files_that_are_not_papers_are_refused_by_their_content(cast, clock, data: bytes, message: str) -> None:
    candidate = academies(cast["staff"], cast["ana"], 0, 1, 2)
    clock.to(10)
    with pytest.raises(flow.FlowInvalid, match=re.escape(message)):
        flow.submit_paper(cast["ana"], candidate, "T", "S", "grievance", "paper.docx", data)


def test_a_zip_that_is_not_a_word_document_is_refused(cast, clock) -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a document")
    candidate = academies(cast["staff"], cast["ana"], 0, 1, 2)
    clock.to(10)
    with pytest.raises(flow.FlowInvalid, match="not a Word document"):
        flow.submit_paper(cast["ana"], candidate, "T", "S", "grievance", "paper.docx", out.getvalue())


def test_every_version_is_kept_and_read_back_byte_for_byte(cast, clock) -> None:
    ana = cast["ana"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    approved(cast, clock, ana, 3, "Dan Ito")
    oriented(cast, clock, ana, 4)
    clock.to(10)
    first, word = pdf_bytes("one"), docx_bytes("two")  # made once: written again, a file has other timestamps
    one = flow.submit_paper(ana, candidate, "T", "S", "grievance", "a.pdf", first)
    clock.to(11)
    flow.review_paper(cast["reviewer"], one, "research", "Find the 2018 awards.")
    with pytest.raises(flow.FlowInvalid, match="from tomorrow"):
        flow.submit_paper(ana, candidate, "T", "S", "grievance", "b.pdf", pdf_bytes("two"))
    clock.to(12)
    two = flow.submit_paper(ana, candidate, "T", "S", "grievance", "b.docx", word)
    with pytest.raises(flow.FlowInvalid, match="waiting for its review"):
        clock.to(13)
        flow.submit_paper(ana, candidate, "T", "S", "grievance", "c.pdf", pdf_bytes("three"))
    assert [v.number for v in candidate.papers.all()] == [1, 2]
    assert one.file.open("rb").read() == first
    assert two.file.open("rb").read() == word


# ------------------------------------------------------------------------------ timeliness, as the engine says


def test_a_submission_before_the_approval_does_not_count_and_the_page_says_why(client: Client, cast, clock) -> None:
    ana = cast["ana"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    clock.to(10)
    flow.submit_paper(ana, candidate, "Too soon", "S", "grievance", "p.pdf", pdf_bytes())
    judged = flow.judged_papers(ana, candidate)
    assert judged[0].counts is False
    assert judged[0].why == "does not count: it came before the arbitrator approval"
    assert status(ana, clock.day) == "paper_due"
    client.force_login(ana)
    page = client.get("/clrm/paper/").content.decode()
    assert "does not count" in page and "Does not count: it came before the arbitrator approval" in page
    assert 'id="upload"' in page  # not waiting for a review: the candidate may upload again


# ------------------------------------------------------------------------------------------ the pages


def test_the_pages_walk_a_proposal_an_approval_with_its_warning_and_an_upload(client: Client, cast, clock) -> None:
    ana, ben = cast["ana"], cast["ben"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    academies(cast["staff"], ben, 0, 1, 2)
    approved(cast, clock, ben, 3, "Carla Reyes")
    clock.to(5)
    client.force_login(ana)
    reyes = flow.arbitrators().get(name="Carla Reyes")
    sent = client.post("/clrm/arbitrators/", {"form": "propose", "arbitrators": [reyes.pk], "paper_type": "interest"})
    assert sent.status_code == 302
    assert client.get("/clrm/approvals/").status_code == 403  # a candidate is no approver
    client.force_login(cast["approver"])
    queue = client.get("/clrm/approvals/").content.decode()
    assert "1 warning" in queue
    proposal = flow.proposals_of(candidate).get()
    page = client.get(f"/clrm/approvals/{proposal.pk}/").content.decode()
    assert "Carla Reyes is reserved by Ben, whose paper is in progress." in page
    refused = client.post(f"/clrm/approvals/{proposal.pk}/", {"decision": "decline", "reason": ""})
    assert "say why the proposal is declined" in refused.content.decode()
    assert client.post(f"/clrm/approvals/{proposal.pk}/", {"decision": "approve"}).status_code == 302
    client.force_login(ana)
    exe = SimpleUploadedFile("paper.pdf", EXE_BYTES, content_type="application/pdf")
    shown = client.post("/clrm/paper/", {"title": "T", "summary": "S", "paper_type": "interest", "file": exe})
    assert shown.status_code == 200
    assert "its content is a Windows program (.exe), whatever its name says" in shown.content.decode()
    good = SimpleUploadedFile("paper.pdf", pdf_bytes(), content_type="application/pdf")
    assert (
        client.post("/clrm/paper/", {"title": "T", "summary": "S", "paper_type": "interest", "file": good}).status_code
        == 302
    )
    version = candidate.papers.get()
    assert client.get(f"/clrm/papers/{version.pk}/file/").status_code == 200
    client.force_login(ben)
    assert client.get(f"/clrm/papers/{version.pk}/file/").status_code == 404
    assert client.get("/clrm/reviews/").status_code == 403


def test_staff_export_the_bulletin_queue_and_the_recognition_list_as_csv(client: Client, cast, clock) -> None:
    ana = cast["ana"]
    ana.name = "=Ana Ruiz"  # a name a spreadsheet would run as a formula
    ana.save()
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    approved(cast, clock, ana, 3, "Dan Ito")
    oriented(cast, clock, ana, 4)
    clock.to(10)
    paper = flow.submit_paper(
        ana, candidate, "Ito on layoffs", "Two lines\nof summary.", "grievance", "p.pdf", pdf_bytes()
    )
    clock.to(20)
    flow.review_paper(cast["reviewer"], paper, "accept")
    client.force_login(cast["staff"])
    bulletin = client.get("/clrm/lists/bulletin.csv")
    assert bulletin["Content-Type"].startswith("text/csv")
    lines = bulletin.content.decode().splitlines()
    assert lines[0] == "accepted_on,name,email,title,paper_type,arbitrators,summary"
    assert lines[1].startswith(
        f"{START + dt.timedelta(days=20)},'=Ana Ruiz,ana@example.org,Ito on layoffs,grievance,Dan Ito,"
    )
    year = Recognition.objects.get().conference_year
    honored = client.get("/clrm/lists/recognition.csv", {"year": year}).content.decode().splitlines()
    assert honored == [
        "conference_year,name,email,accepted_on",
        f"{year},'=Ana Ruiz,ana@example.org,{START + dt.timedelta(days=20)}",
    ]
    assert client.get("/clrm/lists/recognition.csv", {"year": year + 1}).content.decode().splitlines() == honored[:1]
    client.force_login(ana)
    assert client.get("/clrm/lists/bulletin.csv").status_code == 403
    assert client.get("/clrm/lists/").status_code == 403


# ------------------------------------------------------------------------------------------ the API, same permissions


def test_the_api_offers_the_same_steps_with_the_same_permissions(client: Client, cast, clock) -> None:
    ana, ben = cast["ana"], cast["ben"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    academies(cast["staff"], ben, 0, 1, 2)
    clock.to(3)
    made = client.post(
        "/api/clrm/arbitrators",
        {"name": "Dan Ito", "location": "Fresno"},
        content_type="application/json",
        **bearer(cast["staff"]),
    )
    assert made.status_code == 201
    refused = client.post("/api/clrm/arbitrators", {"name": "Zed"}, content_type="application/json", **bearer(ana))
    assert refused.status_code == 403 and "message" in refused.json()
    proposal = client.post("/api/clrm/me/proposals", {"arbitrators": [made.json()["id"]], "paper_type": "grievance"},
                           content_type="application/json", **bearer(ana))  # fmt: skip
    assert proposal.status_code == 201, proposal.content
    pid = proposal.json()["id"]
    decision = {"approve": True}
    assert (
        client.post(
            f"/api/clrm/proposals/{pid}/decision", decision, content_type="application/json", **bearer(cast["staff"])
        ).status_code
        == 403
    )
    assert client.get("/api/clrm/proposals", **bearer(ana)).status_code == 403
    assert client.get("/api/clrm/proposals", **bearer(cast["approver"])).json()[0]["id"] == pid
    approved_ = client.post(
        f"/api/clrm/proposals/{pid}/decision", decision, content_type="application/json", **bearer(cast["approver"])
    )
    assert approved_.status_code == 200 and approved_.json()["status"] == "approved"
    session = client.post("/api/clrm/orientations", {"date": str(START + dt.timedelta(days=4)), "place": "Online"},
                          content_type="application/json", **bearer(cast["staff"]))  # fmt: skip
    assert session.status_code == 201
    enrolled = client.post(f"/api/clrm/orientations/{session.json()['id']}/enrolments", **bearer(ana))
    assert enrolled.status_code == 201
    clock.to(4)
    assert client.post(f"/api/clrm/enrolments/{enrolled.json()['id']}/attendance", **bearer(ana)).status_code == 403
    attended = client.post(f"/api/clrm/enrolments/{enrolled.json()['id']}/attendance", **bearer(cast["staff"]))
    assert attended.status_code == 200 and attended.json()["attended"]
    clock.to(10)
    exe = SimpleUploadedFile("paper.pdf", EXE_BYTES, content_type="application/pdf")
    bad = client.post(
        "/api/clrm/me/papers", {"title": "T", "summary": "S", "paper_type": "grievance", "file": exe}, **bearer(ana)
    )
    assert bad.status_code == 422 and bad.json()["field"] == "file"
    assert "Windows program" in bad.json()["message"]
    good = SimpleUploadedFile("paper.pdf", pdf_bytes(), content_type="application/pdf")
    up = client.post(
        "/api/clrm/me/papers", {"title": "T", "summary": "S", "paper_type": "grievance", "file": good}, **bearer(ana)
    )
    assert up.status_code == 201 and up.json()["counts"] is True and up.json()["kind"] == "pdf"
    paper_id = up.json()["id"]
    assert client.get(f"/api/clrm/candidates/{candidate.pk}/papers", **bearer(ben)).status_code == 404
    assert client.get(f"/api/clrm/papers/{paper_id}/file", **bearer(ben)).status_code == 404
    assert client.get(f"/api/clrm/papers/{paper_id}/file", **bearer(ana)).status_code == 200
    assert (
        client.get(f"/api/clrm/candidates/{candidate.pk}/papers", **bearer(cast["reviewer"])).json()[0]["id"]
        == paper_id
    )
    assert client.get("/api/clrm/reviews", **bearer(ben)).status_code == 403
    assert client.get("/api/clrm/reviews", **bearer(cast["reviewer"])).json()[0]["paper"] == paper_id
    verdict = {"outcome": "revise", "comments": "More on 2020."}
    assert (
        client.post(
            f"/api/clrm/papers/{paper_id}/review", verdict, content_type="application/json", **bearer(cast["staff"])
        ).status_code
        == 403
    )
    reviewed = client.post(
        f"/api/clrm/papers/{paper_id}/review", verdict, content_type="application/json", **bearer(cast["reviewer"])
    )
    assert reviewed.status_code == 201 and reviewed.json()["outcome"] == "revise"
    mine = client.get(f"/api/clrm/candidates/{candidate.pk}/papers", **bearer(ana)).json()
    assert mine[0]["reviews"][0]["comments"] == "More on 2020."
    assert client.get("/api/clrm/bulletin", **bearer(ana)).status_code == 403
    assert client.get("/api/clrm/recognition", **bearer(cast["staff"])).json() == []


def test_the_admin_shows_the_workflow_read_only(client: Client, cast, clock) -> None:
    ana = cast["ana"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    clock.to(5)
    flow.submit_paper(ana, candidate, "T", "S", "grievance", "p.pdf", pdf_bytes())
    client.force_login(cast["staff"])
    for model in ("arbitrator", "proposal", "orientationsession", "enrolment", "paperversion", "review",
                  "bulletinfeature", "recognition"):  # fmt: skip
        assert client.get(f"/admin/clrm/{model}/").status_code == 200, model
        assert client.get(f"/admin/clrm/{model}/add/").status_code == 403, model
    version = candidate.papers.get()
    page = client.get(f"/admin/clrm/paperversion/{version.pk}/change/").content.decode()
    assert version.file.name not in page  # the file is read through the pages that check who may


def test_the_command_line_exports_the_two_lists_as_the_pages_do(cli, client: Client, cast, clock, tmp_path) -> None:
    ana = cast["ana"]
    candidate = academies(cast["staff"], ana, 0, 1, 2)
    approved(cast, clock, ana, 3, "Dan Ito")
    oriented(cast, clock, ana, 4)
    clock.to(10)
    paper = flow.submit_paper(ana, candidate, "Ito", "Summary.", "grievance", "p.pdf", pdf_bytes())
    clock.to(20)
    flow.review_paper(cast["reviewer"], paper, "accept")
    client.force_login(cast["staff"])
    for which in ("bulletin", "recognition"):
        target = tmp_path / f"{which}.csv"
        result = cli("export", f"clrm-{which}", str(target))
        assert result.exit_code == 0, result.output
        assert target.read_text(encoding="utf-8") == client.get(f"/clrm/lists/{which}.csv").content.decode()
        assert target.read_text(encoding="utf-8").count("\n") == 2  # the header and Ana


def test_a_candidates_timeline_links_to_the_steps_still_open(client: Client, cast, clock) -> None:
    ana = cast["ana"]
    academies(cast["staff"], ana, 0, 1, 2)
    client.force_login(ana)
    links = client.get("/clrm/").content.decode().split('id="act"')[1].split("</p>")[0]
    assert "Propose your arbitrators" in links and "Enrol in an orientation" in links
    approved(cast, clock, ana, 5, "Dan Ito")
    links = client.get("/clrm/", {"as_of": str(START + dt.timedelta(days=5))}).content.decode()
    assert "Propose your arbitrators" not in links.split('id="act"')[1].split("</p>")[0]
