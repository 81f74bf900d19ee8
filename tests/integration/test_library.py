"""The CLRM members' library and membership in the store: the member list's import (bad rows listed, good rows
kept, a second import adds nothing, a failure keeps nothing), "current" membership by day, papers added through
``add_accepted_paper`` (who and when in the history), the search by arbitrator, type, year and full text on the
store that runs (SQLite FTS5 or PostgreSQL), and the read log."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest
from django.utils import timezone

from certcredit.io.readers import read_text
from certcredit.services import library, membership
from certcredit.services.access import Forbidden
from certcredit.services.backups import backup
from certcredit.store.history.models import HistoryEntry
from certcredit.store.library.models import LibraryPaper, Membership, Read
from tests.integration.test_backup import BIN, empty_store  # noqa: F401 (the fixture: a new, empty store)
from tests.library_files import docx_bytes, pdf_bytes

pytestmark = [pytest.mark.store, pytest.mark.django_db]


TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def rows(text: str, name: str = "members.csv"):
    return list(read_text(text, "csv", name=name))


@pytest.fixture
def people(make_person):
    return {
        "staff": make_person("office@example.org", "staff"),
        "reviewer": make_person("rita@example.org", "reviewer"),
        "member": make_person("mia@example.org"),
        "former": make_person("fred@example.org"),
        "outsider": make_person("nora@example.org"),
        "author": make_person("ana@example.org"),
    }


def member_list(people) -> str:
    return (
        "email,from,until\n"
        f"mia@example.org,{TODAY - 400 * DAY},\n"
        f"fred@example.org,{TODAY - 800 * DAY},{TODAY - DAY}\n"
        f"ana@example.org,{TODAY - 30 * DAY},{TODAY + 300 * DAY}\n"
    )


@pytest.fixture
def members(people):
    report = membership.import_members(rows(member_list(people)), people["staff"], "members.csv")
    assert report.ok, report.rejected
    return people


def add(actor, author, **overrides):
    values = {
        "title": "Arbitrator Jane Roe and just cause",
        "arbitrators": ["Jane Roe"],
        "paper_type": "grievance",
        "accepted_on": dt.date(2025, 6, 1),
        "content": pdf_bytes("Jane Roe weighs progressive discipline", "in just cause grievances."),
        "file_name": "roe.pdf",
    }
    values.update(overrides)
    return library.add_accepted_paper(actor, author=author, **values)


# ------------------------------------------------------------------------------------------------ membership


def test_the_member_list_is_imported_with_bad_rows_listed_by_file_line_and_reason(people) -> None:
    text = (
        "email,from,until\n"
        f"mia@example.org,{TODAY - 10 * DAY},\n"
        ",2024-01-01,\n"
        "ghost@example.org,2024-01-01,\n"
        "nora@example.org,01/02/2024,\n"
        "nora@example.org,2024-05-01,2024-04-01\n"
        "fred@example.org,,2024-04-01\n"
    )
    report = membership.import_members(rows(text), people["staff"], "members.csv")
    assert (report.rows, report.added, report.already_present) == (6, 1, 0)
    assert [(r.where, r.reason) for r in report.rejected] == [
        ("line 3", "missing email"),
        ("line 4", "no account with the e-mail 'ghost@example.org'"),
        ("line 5", "from: '01/02/2024' is not a day (YYYY-MM-DD)"),
        ("line 6", "until 2024-04-01 is before from 2024-05-01"),
        ("line 7", "missing from (the first day of membership)"),
    ]
    stored = Membership.objects.get()
    assert (stored.person, stored.ends_on, stored.source_file, stored.source_line) == (
        people["member"],
        None,
        "members.csv",
        "line 2",
    )
    entry = HistoryEntry.objects.get(object_type="library.membership")
    assert (entry.actor, entry.action) == (people["staff"], "create")
    assert "members.csv" in entry.note


def test_importing_the_same_member_list_again_adds_nothing_and_a_new_last_day_is_an_update(people) -> None:
    first = membership.import_members(rows(member_list(people)), people["staff"], "members.csv")
    again = membership.import_members(rows(member_list(people)), people["staff"], "members.csv")
    assert (first.added, again.added, again.already_present, again.updated) == (3, 0, 3, 0)
    ended = member_list(people).replace(f"{TODAY - 400 * DAY},\n", f"{TODAY - 400 * DAY},{TODAY - 2 * DAY}\n")
    changed = membership.import_members(rows(ended), people["staff"], "members-june.csv")
    assert (changed.added, changed.already_present, changed.updated) == (0, 2, 1)
    assert Membership.objects.count() == 3
    assert Membership.objects.get(person=people["member"]).ends_on == TODAY - 2 * DAY
    update = HistoryEntry.objects.get(object_type="library.membership", action="update")
    assert update.before["ends_on"] is None and update.after["ends_on"] == str(TODAY - 2 * DAY)


def test_a_period_overlapping_another_of_the_same_person_is_rejected(people) -> None:
    membership.import_members(rows("email,from,until\nmia@example.org,2024-01-01,2024-12-31\n"), None, "a.csv")
    report = membership.import_members(
        rows("email,from,until\nmia@example.org,2024-06-01,2025-05-31\nmia@example.org,2025-01-01,\n"), None, "b.csv"
    )
    assert report.added == 1
    assert [r.where for r in report.rejected] == ["line 2"]
    assert "overlaps the stored membership from 2024-01-01 to 2024-12-31" in report.rejected[0].reason


def test_a_failure_half_way_through_the_import_keeps_nothing(people, monkeypatch) -> None:
    calls = {"n": 0}
    real = membership.history.record_change

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(membership.history, "record_change", failing)
    with pytest.raises(RuntimeError):
        membership.import_members(rows(member_list(people)), people["staff"], "members.csv")
    assert Membership.objects.count() == 0


def test_only_staff_or_the_command_line_import_the_member_list(people) -> None:
    with pytest.raises(Forbidden):
        membership.import_members(rows(member_list(people)), people["member"], "members.csv")
    assert Membership.objects.count() == 0


def test_current_means_today_within_a_period_both_ends_included(members) -> None:
    member, former, outsider, author = members["member"], members["former"], members["outsider"], members["author"]
    assert membership.is_current_member(member) and membership.is_current_member(author)
    assert not membership.is_current_member(former)  # ended yesterday
    assert membership.is_current_member(former, TODAY - DAY)  # the last day is still a member's day
    assert not membership.is_current_member(outsider)
    assert not membership.is_current_member(author, TODAY - 31 * DAY)  # the day before it starts
    assert membership.standing(former).former and not membership.standing(outsider).former
    assert membership.standing(author).until == TODAY + 300 * DAY


# ------------------------------------------------------------------------------------------------ adding papers


def test_an_accepted_paper_goes_into_the_library_with_its_text_and_the_history_says_who_and_when(members) -> None:
    paper = add(members["reviewer"], members["author"])
    assert (paper.title, paper.author, paper.author_name, paper.arbitrator, paper.year_accepted) == (
        "Arbitrator Jane Roe and just cause",
        members["author"],
        "Ana",
        "Jane Roe",
        2025,
    )
    assert paper.content_type == library.PDF and "progressive discipline" in paper.text
    assert paper.file.name.startswith("library/") and "roe" not in paper.file.name  # a random stored name
    entry = HistoryEntry.objects.get(object_type="library.librarypaper", object_id=str(paper.pk))
    assert (entry.actor, entry.action, entry.after["title"]) == (members["reviewer"], "create", paper.title)
    assert "text" not in entry.after and entry.at is not None


def test_a_docx_paper_is_read_too_and_the_same_file_again_adds_nothing(members) -> None:
    content = docx_bytes("Factfinding before Sam Lee", "Comparability of salaries across agencies")
    paper = add(None, members["author"], content=content, file_name="lee.docx", paper_type="interest",
                arbitrators="Sam Lee; Kim Park")  # fmt: skip
    assert paper.content_type == library.DOCX and "Comparability of salaries" in paper.text
    assert paper.arbitrator == "Sam Lee; Kim Park"
    again = add(None, members["author"], content=content, file_name="lee.docx", paper_type="interest",
                arbitrators="Sam Lee")  # fmt: skip
    assert again.pk == paper.pk and LibraryPaper.objects.count() == 1
    with pytest.raises(library.PaperInvalid, match="another author"):
        add(None, members["member"], content=content, file_name="lee.docx")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"content": b"just some text, not a paper"}, "file"),
        ({"content": b"%PDF-1.4 broken beyond repair"}, "file"),
        ({"content": b"PK\x03\x04 not really a zip"}, "file"),
        ({"content": b""}, "file"),
        ({"paper_type": "tort"}, "paper_type"),
        ({"title": "  "}, "title"),
        ({"arbitrators": []}, "arbitrators"),
    ],
)
def test_a_paper_the_library_cannot_take_is_refused_naming_the_field(members, overrides, field) -> None:
    with pytest.raises(library.PaperInvalid) as caught:
        add(members["staff"], members["author"], **overrides)
    assert caught.value.field == field
    assert LibraryPaper.objects.count() == 0


def test_a_member_who_is_not_staff_or_reviewer_cannot_add_a_paper(members) -> None:
    with pytest.raises(Forbidden):
        add(members["member"], members["author"])


# ------------------------------------------------------------------------------------------------ searching


@pytest.fixture
def shelf(members):
    staff, author = members["staff"], members["author"]
    roe = add(staff, author)
    lee = add(staff, author, title="Sam Lee in factfinding", arbitrators="Sam Lee", paper_type="interest",
              accepted_on=dt.date(2024, 3, 1), file_name="lee.docx",
              content=docx_bytes("Sam Lee reads comparability and the ability to pay."))  # fmt: skip
    both = add(staff, author, title="Two arbitrators on overtime", arbitrators=["Jane Roe", "Sam Lee"],
               accepted_on=dt.date(2024, 9, 9), file_name="both.pdf",
               content=pdf_bytes("Overtime grievances: disciplines compared and discharged"))  # fmt: skip
    return members, {"roe": roe, "lee": lee, "both": both}


def titles(found: library.Found) -> list[str]:
    return [paper.title for paper in found.papers]


def test_members_search_by_arbitrator_type_year_and_full_text_with_stemming(shelf) -> None:
    people, papers = shelf
    member = people["member"]
    everything = library.search(member)
    assert everything.count == 3 and titles(everything)[0] == papers["roe"].title  # newest first
    assert {p.pk for p in library.search(member, library.Search(arbitrator="sam lee")).papers} == {
        papers["lee"].pk,
        papers["both"].pk,
    }
    assert titles(library.search(member, library.Search(paper_type="interest"))) == [papers["lee"].title]
    assert titles(library.search(member, library.Search(year=2025))) == [papers["roe"].title]
    # "discipline" finds "disciplines" (stemmed), in the file's text, not the title
    assert {p.pk for p in library.search(member, library.Search(text="discipline")).papers} == {
        papers["roe"].pk,
        papers["both"].pk,
    }
    # every word must be there; filters combine with the text
    assert titles(library.search(member, library.Search(text="overtime discipline"))) == [papers["both"].title]
    assert titles(library.search(member, library.Search(text="discipline", year=2025))) == [papers["roe"].title]
    assert titles(library.search(member, library.Search(text="comparability pay"))) == [papers["lee"].title]
    assert library.search(member, library.Search(text="nonexistentword")).count == 0


def test_search_text_with_query_syntax_or_stop_words_is_taken_as_plain_words(shelf) -> None:
    people, papers = shelf
    roe, lee, both = papers["roe"].pk, papers["lee"].pk, papers["both"].pk
    cases = {
        '"Jane': {roe, both},  # an unbalanced quote
        "roe OR": {roe, both},  # "or" is a stop word, not an operator
        "NEAR(roe": set(),  # "near" is a plain word too, in no paper
        "roe*": {roe, both},
        "title:roe": set(),  # "title" is a plain word, in no paper
        "roe -lee": {both},  # both words must be there: "-" excludes nothing
        "'); DROP TABLE x; --": set(),
        "the ability to pay": {lee},  # "the" and "to" are left out on both stores
    }
    for text, expected in cases.items():
        found = library.search(people["member"], library.Search(text=text))
        assert {p.pk for p in found.papers} == expected, text
    for text in ("!!! ???", "the and of"):  # no words left: no text condition
        assert library.search(people["member"], library.Search(text=text)).count == 3


def test_a_paper_updated_in_the_store_is_found_by_its_new_words(shelf) -> None:
    people, papers = shelf
    LibraryPaper.objects.filter(pk=papers["lee"].pk).update(text="seniority bidding")
    found = library.search(people["member"], library.Search(text="seniority"))
    assert titles(found) == [papers["lee"].title]
    assert library.search(people["member"], library.Search(text="ability")).count == 0


# ------------------------------------------------------------------------------------------------ who may read


@pytest.mark.parametrize("who", ["former", "outsider", "staff"])
def test_a_former_member_a_non_member_and_staff_who_are_not_members_see_nothing(shelf, who) -> None:
    people, papers = shelf
    viewer = people[who]
    with pytest.raises(library.NotMember):
        library.search(viewer)
    with pytest.raises(library.NotMember):
        library.choices(viewer)
    with pytest.raises(library.NotMember):
        library.read(viewer, papers["roe"].pk, "page")
    with pytest.raises(library.NotMember):
        library.open_file(viewer, papers["roe"].pk)
    with pytest.raises(library.NotMember):  # a missing paper gets the same answer: nothing is told
        library.read(viewer, 999_999, "api")
    assert Read.objects.count() == 0


def test_every_read_by_a_current_member_is_logged_with_how(shelf) -> None:
    people, papers = shelf
    member = people["member"]
    library.read(member, papers["roe"].pk, "page")
    library.read(member, papers["roe"].pk, "api")
    paper, handle = library.open_file(member, papers["roe"].pk)
    with handle:
        assert handle.read().startswith(b"%PDF-")
    log = list(Read.objects.order_by("id").values_list("person__email", "paper_id", "via"))
    assert log == [("mia@example.org", paper.pk, via) for via in ("page", "api", "download")]
    assert [r.via for r in library.read_log(people["staff"])] == ["download", "api", "page"]
    with pytest.raises(Forbidden):
        library.read_log(member)
    with pytest.raises(library.NotFound):
        library.read(member, 999_999, "page")


def test_membership_ending_closes_the_library_the_next_day(shelf) -> None:
    people, papers = shelf
    author = people["author"]
    assert library.read(author, papers["lee"].pk, "page").pk == papers["lee"].pk
    Membership.objects.filter(person=author).update(ends_on=TODAY - DAY)
    with pytest.raises(library.NotMember):
        library.search(author)


# ------------------------------------------------------------------------------------------------ backups

SEARCH_AFTER_RESTORE = """
import django, json
django.setup()
from certcredit.services import library
from certcredit.store.accounts.models import Person
member = Person.objects.get(email="mia@example.org")
found = library.search(member, library.Search(text="discipline"))
paper = library.read(member, found.papers[0].pk, "api")
print(json.dumps({"titles": [p.title for p in found.papers], "file": paper.file.read()[:5].decode()}))
"""


def test_a_restored_backup_keeps_the_papers_their_files_and_their_full_text_search(
    shelf,
    empty_store,  # noqa: F811 (the fixture imported above)
    tmp_path,
) -> None:
    """The index is rebuilt as the rows go back in (SQLite's triggers; PostgreSQL's index), the files come back."""
    archive = tmp_path / "library.tar.gz"
    report = backup(archive)
    assert report.rows["library.LibraryPaper"] == 3 and report.rows["library.Membership"] == 3
    run = {"env": empty_store, "cwd": tmp_path, "capture_output": True, "text": True, "timeout": 300}
    restored = subprocess.run([BIN / "certcredit", "restore", str(archive)], **run)  # type: ignore[call-overload]
    assert restored.returncode == 0, restored.stderr
    run["env"] = {**empty_store, "DJANGO_SETTINGS_MODULE": "certcredit.web.settings"}
    found = subprocess.run([BIN / "python", "-c", SEARCH_AFTER_RESTORE], **run)  # type: ignore[call-overload]
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout.strip().splitlines()[-1])
    _people, papers = shelf
    assert sorted(answer["titles"]) == sorted([papers["roe"].title, papers["both"].title])
    assert answer["file"] == "%PDF-"
