"""The members-only library of accepted CLRM papers: adding a paper on acceptance, searching, reading, the read log.

Who may do what (one place, so the pages, the API and the file address agree):

- **adding** a paper: staff or a reviewer (the person accepting it), or the command line; kept in the history
  with who and when. ``add_accepted_paper`` is what the CLRM workflow calls when a paper is accepted.
- **listing, searching, reading and downloading**: only people whose membership is current today
  (``services.membership``). Anyone else (a former member, a non-member, staff who are not members) gets
  ``NotMember`` before anything about a paper is looked up, so the answer is the same whether a paper exists or
  not: no title, no count, no file. Every read (a paper's page, the API, a download) is written to the read log.

Search: by arbitrator (part of a name), paper type, year accepted and full text (every word, stemmed): SQLite's
FTS5 index or PostgreSQL's full-text search on the same four fields (migration ``library.0002``), whichever store
runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import QuerySet

from certcredit.rules.clrm import load_clrm_program
from certcredit.services import history
from certcredit.services.access import Forbidden, is_staff, may_review
from certcredit.services.membership import is_current_member
from certcredit.store.accounts.models import Person, Role
from certcredit.store.library.models import LibraryPaper, Read

log = logging.getLogger("certcredit.library")

#: the largest paper file taken (the web's upload limit)
MAX_BYTES = settings.FILE_UPLOAD_MAX_BYTES
MAX_TITLE = 300
MAX_AUTHOR = 200
MAX_ARBITRATORS = 500
#: the text kept from a file for searching (a long paper is some 100,000 characters)
MAX_TEXT = 2_000_000
#: at most this many words of a search are used
MAX_WORDS = 20
PDF, DOCX = "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
VIA = ("page", "api", "download")
MEMBERS_ONLY = "the library is open to current members of the association only"


class NotMember(PermissionError):
    """The viewer is not a current member (or not signed in): nothing of the library is shown."""


class NotFound(LookupError):
    """No such paper (asked by a current member)."""


class PaperInvalid(ValueError):
    """A paper that cannot go into the library; ``field`` names the value at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# ------------------------------------------------------------------------------------------------ files


def file_type(content: bytes) -> str:
    """The paper's media type told by its content (not its name): PDF or DOCX; ``PaperInvalid`` otherwise."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            pass
    raise PaperInvalid("file", "not a PDF or a Word (DOCX) document, judged by its content")


def extract_text(content: bytes, media_type: str) -> str:
    """The document's text for searching (pypdf for PDF, python-docx for DOCX); ``PaperInvalid`` if unreadable."""
    try:
        if media_type == PDF:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(content))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        else:
            from docx import Document

            document = Document(io.BytesIO(content))
            parts = [paragraph.text for paragraph in document.paragraphs]
            for table in document.tables:
                parts += [cell.text for row in table.rows for cell in row.cells]
            text = "\n".join(parts)
    except Exception as error:  # a damaged file: both libraries raise many kinds
        kind = "PDF" if media_type == PDF else "Word document"
        raise PaperInvalid("file", f"the {kind} cannot be read ({type(error).__name__}: {error})"[:300]) from None
    return text.replace("\x00", "")[:MAX_TEXT]


def docx_document(title: str, *paragraphs: str) -> bytes:
    """A Word document with a title and paragraphs (python-docx), the same bytes each time (the demo's papers)."""
    from docx import Document

    document = Document()
    fixed = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    document.core_properties.created = document.core_properties.modified = fixed
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ adding


def _text(value: str, field: str, limit: int, required: bool = True) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise PaperInvalid(field, f"{field}: required")
    if len(value) > limit or "\x00" in value:
        raise PaperInvalid(field, f"{field}: at most {limit} characters, no NUL")
    return value


def add_accepted_paper(
    actor: Person | None,
    *,
    author: Person,
    title: str,
    arbitrators: str | Sequence[str],
    paper_type: str,
    accepted_on: dt.date,
    content: bytes,
    file_name: str,
    author_name: str = "",
) -> LibraryPaper:
    """Put an accepted CLRM paper in the members' library, with the text of its file for the search.

    ``actor``: who accepted it (staff or a reviewer; None: the command line). ``author``: the candidate;
    ``author_name`` defaults to their name. ``arbitrators``: the names analysed (a list, or one text with names
    separated by ";"). ``paper_type``: ``grievance`` or ``interest``. ``content`` and ``file_name``: the accepted
    file (PDF or DOCX, told by its content, at most ``MAX_BYTES``). The history records who added it and when.

    The same file for the same author again returns the paper already there (an acceptance replayed adds
    nothing); the same file under another author is refused. ``PaperInvalid`` names the field at fault.
    """
    # the CLRM paper reviewer who accepts the paper (services.clrm_flow) adds it as part of the acceptance
    if actor is not None and not (is_staff(actor) or may_review(actor) or actor.has_role(Role.CLRM_REVIEWER)):
        raise Forbidden("only staff and reviewers may add papers to the library")
    title = _text(title, "title", MAX_TITLE)
    names = [arbitrators] if isinstance(arbitrators, str) else list(arbitrators)
    joined = "; ".join(n for part in names for n in (" ".join(x.split()) for x in part.split(";")) if n)
    arbitrator = _text(joined, "arbitrators", MAX_ARBITRATORS)
    author_name = _text(author_name or author.name or author.email, "author_name", MAX_AUTHOR)
    types = load_clrm_program().paper_types
    if paper_type not in types:
        raise PaperInvalid("paper_type", f"paper_type: {paper_type!r} is not one of {', '.join(types)}")
    if not isinstance(accepted_on, dt.date):
        raise PaperInvalid("accepted_on", "accepted_on: a day is required")
    if not content:
        raise PaperInvalid("file", "the file is empty")
    if len(content) > MAX_BYTES:
        raise PaperInvalid("file", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    media_type = file_type(content)
    digest = hashlib.sha256(content).hexdigest()
    found = LibraryPaper.objects.filter(sha256=digest).first()
    if found is not None:
        if found.author_id == author.pk:
            return found
        raise PaperInvalid("file", f"this file is already in the library as paper {found.pk}, by another author")
    text = extract_text(content, media_type)
    name = _text(PurePath(file_name or "paper").name, "file_name", 255)
    paper = LibraryPaper(
        title=title,
        author=author,
        author_name=author_name,
        arbitrator=arbitrator,
        paper_type=paper_type,
        accepted_on=accepted_on,
        year_accepted=accepted_on.year,
        file_name=name,
        content_type=media_type,
        size=len(content),
        sha256=digest,
        text=text,
        added_by=actor,
    )
    paper.file.save(name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            paper.save()
            after = {k: v for k, v in history.snapshot(paper).items() if k != "text"}  # the text is the file's
            history.entry(actor, "create", paper, None, after, note=f"library paper by {author.email}").save()
    except Exception:
        paper.file.delete(save=False)
        raise
    return paper


# ------------------------------------------------------------------------------------------------ reading


def check_member(viewer: Any) -> None:
    """``NotMember`` unless the viewer is a current member today."""
    if not is_current_member(viewer):
        raise NotMember(MEMBERS_ONLY)


def may_read(viewer: Any) -> bool:
    return is_current_member(viewer)


@dataclass(frozen=True, slots=True)
class Search:
    """What was searched for (all optional)."""

    text: str = ""
    arbitrator: str = ""
    paper_type: str = ""
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Found:
    count: int
    papers: list[LibraryPaper]


#: PostgreSQL's ``english`` configuration leaves these out of a search; they are left out on SQLite too, so that
#: "the ability to pay" finds the same papers on both stores (PostgreSQL's english.stop, the Snowball list)
_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its
itself they them their theirs themselves what which who whom this that these those am is are was were be been being
have has had having do does did doing a an the and but if or because as until while of at by for with about against
between into through during before after above below to from up down in out on off over under again further then
once here there when where why how all any both each few more most other some such no nor not only own same so than
too very s t can will just don should now
"""
STOP_WORDS = frozenset(_STOP.split())


def words(text: str) -> list[str]:
    """The words of a search, as both indexes split them (letters and digits), without the stop words; at most
    ``MAX_WORDS``. No words: no text condition."""
    return [w for w in re.findall(r"\w+", text.casefold()) if w not in STOP_WORDS][:MAX_WORDS]


def _ranked_ids(text: str) -> list[int]:
    """Ids of the papers holding every word of ``text``, best match first, by the store's own full-text search."""
    terms = words(text)
    if not terms:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            document = (
                "to_tsvector('english'::regconfig, title || ' ' || author_name || ' ' || arbitrator || ' ' || text)"
            )
            cursor.execute(
                f"SELECT id FROM library_librarypaper, plainto_tsquery('english'::regconfig, %s) AS query "
                f"WHERE {document} @@ query ORDER BY ts_rank({document}, query) DESC, id DESC",
                [" ".join(terms)],
            )
        else:  # SQLite: FTS5, each word quoted (no query syntax from the visitor)
            match = " ".join(f'"{term}"' for term in terms)
            cursor.execute(
                "SELECT rowid FROM library_paper_fts WHERE library_paper_fts MATCH %s ORDER BY rank, rowid DESC",
                [match],
            )
        return [int(row[0]) for row in cursor.fetchall()]


def search(viewer: Any, query: Search | None = None, limit: int = 50, offset: int = 0) -> Found:
    """The papers matching every part of the search (members only): by rank for a text search, else newest first."""
    check_member(viewer)
    query = query or Search()
    found: QuerySet[LibraryPaper] = LibraryPaper.objects.defer("text")
    if query.arbitrator.strip():
        found = found.filter(arbitrator__icontains=" ".join(query.arbitrator.split()))
    if query.paper_type:
        found = found.filter(paper_type=query.paper_type)
    if query.year is not None:
        found = found.filter(year_accepted=query.year)
    if words(query.text):
        ranked = _ranked_ids(query.text)
        order = {pk: place for place, pk in enumerate(ranked)}
        papers = sorted(found.filter(pk__in=ranked), key=lambda p: order[p.pk])
        return Found(len(papers), papers[offset : offset + limit])
    return Found(found.count(), list(found.order_by("-accepted_on", "-id")[offset : offset + limit]))


def choices(viewer: Any) -> dict[str, list[Any]]:
    """What the search form offers (members only): the years and the arbitrators in the library."""
    check_member(viewer)
    years = sorted(set(LibraryPaper.objects.values_list("year_accepted", flat=True)), reverse=True)
    names: set[str] = set()
    for joined in LibraryPaper.objects.values_list("arbitrator", flat=True):
        names.update(n.strip() for n in joined.split(";") if n.strip())
    return {"years": years, "arbitrators": sorted(names, key=str.casefold)}


def read(viewer: Any, paper_id: int, via: str) -> LibraryPaper:
    """A paper for a current member, written to the read log (``via``: page, api or download)."""
    if via not in VIA:
        raise ValueError(f"via must be one of {', '.join(VIA)}")
    check_member(viewer)
    paper = LibraryPaper.objects.filter(pk=paper_id).first()
    if paper is None:
        raise NotFound(f"no library paper {paper_id}")
    Read.objects.create(paper=paper, person=viewer, via=via)
    return paper


def open_file(viewer: Any, paper_id: int) -> tuple[LibraryPaper, IO[bytes]]:
    """The paper's file, opened for a current member; the download is written to the read log."""
    paper = read(viewer, paper_id, "download")
    try:
        handle = paper.file.open("rb")
    except OSError as error:
        log.error("library paper %s: its file %s cannot be opened: %s", paper.pk, paper.file.name, error)
        raise NotFound(f"the file of library paper {paper_id} is missing") from None
    return paper, handle


def read_log(viewer: Person, limit: int = 200) -> QuerySet[Read]:
    """The latest reads (staff only): who read which paper (by number), when and how."""
    if not is_staff(viewer):
        raise Forbidden("only staff may see the library's read log")
    return Read.objects.select_related("person").order_by("-read_at", "-id")[:limit]


__all__ = [
    "DOCX",
    "MEMBERS_ONLY",
    "PDF",
    "Found",
    "NotFound",
    "NotMember",
    "PaperInvalid",
    "Search",
    "add_accepted_paper",
    "check_member",
    "choices",
    "extract_text",
    "file_type",
    "may_read",
    "open_file",
    "read",
    "read_log",
    "search",
]
