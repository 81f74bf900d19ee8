"""What an uploaded CLRM paper is, read from its content (``io.papers``); the engine's judgement of each submission;
the Annual Conference an acceptance goes to; the CLRM credential's rules (held for good)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from certcredit.engine import credential as dates
from certcredit.engine.clrm import audit_clrm, clrm_progress, conference_year, parse_events
from certcredit.io import papers
from certcredit.io.papers import PaperRefused, paper_kind
from certcredit.rules.clrm import load_clrm_program
from certcredit.rules.credentials import credential_rules, parse_credential_rules
from tests.integration.clrm_flow_support import EXE_BYTES, bare_docx_bytes, docx_bytes, pdf_bytes


def test_a_real_pdf_and_a_real_docx_are_recognised_whatever_their_names() -> None:
    assert paper_kind(pdf_bytes(), "paper.docx") == "pdf"
    assert paper_kind(docx_bytes(), "paper.pdf") == "docx"


def test_a_windows_program_renamed_pdf_is_refused_and_named_for_what_it_is() -> None:
    with pytest.raises(PaperRefused) as refused:
        paper_kind(EXE_BYTES, "paper.pdf")
    assert str(refused.value) == (
        "paper.pdf is not a PDF or a Word (.docx) document: its content is a Windows program (.exe), whatever its"
        " name says"
    )


def test_a_password_protected_pdf_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(PaperRefused, match="password-protected PDF"):
        paper_kind(out.getvalue(), "locked.pdf")


def test_an_office_file_that_is_not_a_word_document_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main", b"spreadsheetml.sheet.main")
            target.writestr(name, data)
    with pytest.raises(PaperRefused, match="not a Word document"):
        paper_kind(out.getvalue(), "book.docx")


def test_a_zip_with_word_parts_but_no_relationships_is_refused_as_damaged() -> None:
    with pytest.raises(PaperRefused, match="is a damaged Word document"):
        paper_kind(bare_docx_bytes(), "bare.docx")


def test_a_docx_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(papers, "MAX_UNPACKED_BYTES", 100)
    with pytest.raises(PaperRefused, match="unpacks to more than"):
        paper_kind(docx_bytes("x" * 500), "big.docx")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(papers, "MAX_PAPER_BYTES", 100)
    with pytest.raises(PaperRefused, match="a paper may be at most"):
        paper_kind(pdf_bytes(), "long.pdf")


ROWS = [
    {"id": "a1", "date": "2025-01-10", "type": "academy_completed", "academy": "foundation"},
    {"id": "a2", "date": "2025-02-10", "type": "academy_completed", "academy": "negotiations"},
    {"id": "a3", "date": "2025-03-10", "type": "academy_completed", "academy": "arbitration"},
    {"id": "s0", "date": "2025-03-20", "type": "paper_submitted"},  # before the approval
    {"id": "ap", "date": "2025-04-01", "type": "arbitrator_approved"},
    {"id": "or", "date": "2025-04-02", "type": "orientation_attended"},
    {"id": "s1", "date": "2025-05-01", "type": "paper_submitted"},
    {"id": "rv", "date": "2025-05-10", "type": "revision_requested"},
    {"id": "s2", "date": "2026-06-01", "type": "paper_submitted"},  # after the deadline, yet a revision
    {"id": "ok", "date": "2026-06-10", "type": "paper_accepted"},
    {"id": "s3", "date": "2026-07-01", "type": "paper_submitted"},  # after the acceptance
]


def test_each_submission_is_judged_as_the_replay_judges_it() -> None:
    program = load_clrm_program()
    events, rejected = parse_events(ROWS, program)
    assert rejected == []
    progress = clrm_progress(events, dt.date(2026, 8, 1), program)
    assert progress.submissions == {
        "s0": "does not count: it came before the arbitrator approval",
        "s1": None,
        "s2": None,
        "s3": "came after the acceptance of 2026-06-10",
    }
    audit = audit_clrm(ROWS, dt.date(2026, 8, 1), program)
    assert audit["status"] == "certified" and audit["timely_submission_date"] == "2025-05-01"


@pytest.mark.parametrize(
    ("accepted", "year"),
    [
        (dt.date(2026, 1, 5), 2026),
        (dt.date(2026, 11, 29), 2026),
        (dt.date(2026, 11, 30), 2027),  # on the day the list closes: the next conference
        (dt.date(2026, 12, 31), 2027),
    ],
)
def test_an_acceptance_goes_to_the_next_annual_conference(accepted: dt.date, year: int) -> None:
    assert conference_year(accepted, load_clrm_program().conference_month_day) == year


def test_a_conference_day_the_month_lacks_takes_the_months_last_day() -> None:
    assert conference_year(dt.date(2025, 2, 28), (2, 29)) == 2026  # 2025 has no Feb 29: the 28th closes it
    assert conference_year(dt.date(2024, 2, 28), (2, 29)) == 2024


def test_the_clrm_credential_is_held_for_good_and_has_no_cycles() -> None:
    rules = credential_rules("clrm")
    assert (rules.abbreviation, rules.cycle_months, rules.exam_programs) == ("CLRM", None, ())
    assert dates.state_on("certified", None, dt.date(2090, 1, 1), rules) == dates.Standing(dates.VALID, None)
    assert dates.state_on("revoked", None, dt.date(2030, 1, 1), rules).state == dates.REVOKED
    with pytest.raises(ValueError, match="held for good"):
        dates.cycle_end(dt.date(2026, 6, 30), 1, rules)
    clm = credential_rules("clm")
    assert dates.state_on("certified", None, dt.date(2030, 1, 1), clm).state == dates.NOT_CERTIFIED


def test_a_credential_with_cycles_but_no_anniversaries_is_refused_naming_the_file() -> None:
    from certcredit.rules.load import RulebookError

    with pytest.raises(RulebookError, match=r"x\.yaml: \(top level\): Value error, a credential with cycles"):
        parse_credential_rules("family: x\nname: X\nabbreviation: X\ncycle_months: 12\n", "x.yaml")
