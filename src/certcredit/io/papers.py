"""What an uploaded CLRM paper really is: a PDF or a Word (DOCX) document, read from its content.

The file's name and the browser's content type prove nothing (a program renamed ``paper.pdf`` is still a program),
so the bytes decide: a PDF starts with ``%PDF-`` and opens as a PDF with at least one page and no password; a
DOCX is a ZIP archive holding ``[Content_Types].xml`` that declares a Word main document and that document
itself (``word/document.xml``), unpacks to a bounded size (no "ZIP bomb") and opens with python-docx (the
library reads accepted papers with it too). Anything else is refused with a
reason a person can act on.
"""

from __future__ import annotations

import io
import logging
import zipfile
from typing import Final

#: the largest paper accepted, in bytes (a long paper with figures is a few megabytes)
MAX_PAPER_BYTES: Final = 10 * 1024 * 1024
#: a DOCX may unpack to at most this much (text and images); a ZIP bomb unpacks to far more
MAX_UNPACKED_BYTES: Final = 100 * 1024 * 1024
_DOCX_MAIN: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: the first bytes of formats people upload by mistake (or on purpose), to name them in the refusal
_KNOWN: Final = (
    (b"MZ", "a Windows program (.exe)"),
    (b"\x7fELF", "a Linux program"),
    (b"\xd0\xcf\x11\xe0", "an old Word or Office file (.doc); save it as .docx or PDF"),
    (b"{\\rtf", "an RTF file; save it as .docx or PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


class PaperRefused(ValueError):
    """The upload is not a paper this app keeps; the message says why."""


def paper_kind(data: bytes, name: str = "the file") -> str:
    """``"pdf"`` or ``"docx"`` for a readable paper, else ``PaperRefused`` naming the file and the problem."""
    if not data:
        raise PaperRefused(f"{name} is empty")
    if len(data) > MAX_PAPER_BYTES:
        raise PaperRefused(
            f"{name} is {len(data) / 1048576:.1f} MB; a paper may be at most {MAX_PAPER_BYTES // 1048576} MB"
        )
    if data[:1024].lstrip().startswith(b"%PDF-"):
        _check_pdf(data, name)
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        _check_docx(data, name)
        return "docx"
    what = next((words for magic, words in _KNOWN if data.startswith(magic)), None)
    found = f": its content is {what}" if what else ""
    raise PaperRefused(f"{name} is not a PDF or a Word (.docx) document{found}, whatever its name says")


def _check_pdf(data: bytes, name: str) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is our refusal, not a log line
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PaperRefused(f"{name} is a password-protected PDF; upload it without the password")
        pages = len(reader.pages)
    except PaperRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as error:
        raise PaperRefused(f"{name} starts like a PDF but cannot be read as one ({error.__class__.__name__})") from None
    if pages < 1:
        raise PaperRefused(f"{name} is a PDF without any page")


def _check_docx(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename: info for info in archive.infolist()}
            if sum(info.file_size for info in members.values()) > MAX_UNPACKED_BYTES:
                raise PaperRefused(f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 1048576} MB; not a paper")
            if "[Content_Types].xml" not in members or "word/document.xml" not in members:
                raise PaperRefused(
                    f"{name} is a ZIP archive but not a Word document (no word/document.xml); upload a .docx or a PDF"
                )
            if any(info.flag_bits & 0x1 for info in members.values()):
                raise PaperRefused(f"{name} is password-protected; upload it without the password")
            types = archive.read("[Content_Types].xml")
    except PaperRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, RuntimeError, EOFError) as error:
        raise PaperRefused(f"{name} starts like a .docx but cannot be unpacked ({error.__class__.__name__})") from None
    if _DOCX_MAIN.encode() not in types:
        raise PaperRefused(f"{name} is an Office file but not a Word document; upload a .docx or a PDF")
    _open_docx(data, name)


def _open_docx(data: bytes, name: str) -> None:
    """The document opens as Word would open it (python-docx: the package's relationships lead to the body)."""
    import docx

    try:
        docx.Document(io.BytesIO(data))
    except Exception as error:  # a damaged package raises many kinds; each is a refusal
        raise PaperRefused(f"{name} is a damaged Word document ({error.__class__.__name__}); save it again") from None
