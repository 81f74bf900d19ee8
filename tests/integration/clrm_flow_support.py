"""Shared by the CLRM workflow tests: papers as real files (and impostors), a clock that walks, a whole walk."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

#: a day far enough back that a walk of a few hundred days ends before the real today (pages default to today)
START = dt.date.today() - dt.timedelta(days=400)


def pdf_bytes(text: str = "draft") -> bytes:
    """A real one-page PDF (pypdf writes it), with ``text`` in its metadata so two drafts differ."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(text: str = "draft") -> bytes:
    """A real Word document (python-docx writes it) with one paragraph."""
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def bare_docx_bytes(text: str = "draft") -> bytes:
    """A ZIP with the two parts a .docx names but no relationships: it looks like Word, yet Word cannot open it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
            'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
            'main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
        )
    return out.getvalue()


#: a Windows program's first bytes (the "MZ" header and a PE signature): renamed .pdf, it must be refused
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00" + b"\x00" * 200


@dataclass
class Clock:
    """The workflow's "today" (``clrm_flow.today``), moved by a test; every action is dated by it."""

    day: dt.date = START
    seen: list[dt.date] = field(default_factory=list)

    def __call__(self) -> dt.date:
        return self.day

    def to(self, offset: int) -> dt.date:
        self.day = START + dt.timedelta(days=offset)
        return self.day


def install_clock(monkeypatch: Any) -> Clock:
    """The workflow's today (``services.clrm.today``: actions are dated by it, timelines judged on it) moved by
    the test; the live server of a browser test runs in this process, so it moves there too."""
    from certcredit.services import clrm

    clock = Clock()
    monkeypatch.setattr(clrm, "today", clock)
    return clock
