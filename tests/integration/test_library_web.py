"""The CLRM library on the web and in the API: a current member searches, reads and downloads (each read logged);
a former member, a non-member and an anonymous visitor cannot list, read or download anything by page, API or
file address, and nothing they get names a paper. Staff import the member list on a page and from the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from certcredit.io.readers import read_text
from certcredit.services import library, membership
from certcredit.services.tokens import create_token
from certcredit.store.library.models import Membership, Read
from tests.library_files import docx_bytes, pdf_bytes

pytestmark = [pytest.mark.store, pytest.mark.django_db]


TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
TITLE = "Arbitrator Jane Roe and just cause"
SECRET_WORD = "Zephyrine"  # in the second paper's title only: no answer to an outsider may contain it


@pytest.fixture
def shelf(make_person):
    people = {
        "member": make_person("mia@example.org"),
        "former": make_person("fred@example.org"),
        "outsider": make_person("nora@example.org"),
        "staff": make_person("office@example.org", "staff"),
        "author": make_person("ana@example.org"),
    }
    text = (
        f"email,from,until\nmia@example.org,{TODAY - 400 * DAY},\nfred@example.org,{TODAY - 800 * DAY},{TODAY - DAY}\n"
    )
    membership.import_members(list(read_text(text, "csv", name="m.csv")), None, "m.csv")
    roe = library.add_accepted_paper(
        people["staff"], author=people["author"], title=TITLE, arbitrators="Jane Roe", paper_type="grievance",
        accepted_on=dt.date(2025, 6, 1), content=pdf_bytes("Jane Roe on progressive discipline."), file_name="roe.pdf",
    )  # fmt: skip
    lee = library.add_accepted_paper(
        people["staff"], author=people["author"], title=f"{SECRET_WORD} factfinding", arbitrators="Sam Lee",
        paper_type="interest", accepted_on=dt.date(2024, 3, 1), file_name="lee.docx",
        content=docx_bytes("Sam Lee weighs comparability."),
    )  # fmt: skip
    return people, {"roe": roe, "lee": lee}


def client_for(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def bearer(person) -> dict[str, str]:
    _token, plain = create_token(person)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("latin-1")
    return response.content.decode()


# ------------------------------------------------------------------------------------------------ members


def test_a_current_member_searches_reads_and_downloads_on_the_web_and_each_read_is_logged(shelf) -> None:
    people, papers = shelf
    web = client_for(people["member"])
    page = web.get("/library/", {"q": "discipline"})
    assert page.status_code == 200
    text = page.content.decode()
    assert TITLE in text and SECRET_WORD not in text and "1 paper" in text
    assert SECRET_WORD in web.get("/library/", {"paper_type": "interest"}).content.decode()
    assert TITLE not in web.get("/library/", {"year": "2024"}).content.decode()
    assert SECRET_WORD in web.get("/library/", {"arbitrator": "sam"}).content.decode()
    shown = web.get(f"/library/papers/{papers['roe'].pk}/")
    assert shown.status_code == 200 and "progressive discipline" in shown.content.decode()
    got = web.get(f"/library/papers/{papers['lee'].pk}/download")
    assert got.status_code == 200 and got["Content-Type"] == library.DOCX
    assert 'filename="lee.docx"' in got["Content-Disposition"] and body(got).startswith("PK")
    assert list(Read.objects.order_by("id").values_list("paper_id", "via")) == [
        (papers["roe"].pk, "page"), (papers["lee"].pk, "download")
    ]  # fmt: skip
    assert web.get("/library/papers/999999/").status_code == 404
    assert web.get("/library/", {"year": "nineteen"}).status_code == 400


def test_a_current_member_uses_the_api_the_same_way(shelf) -> None:
    people, papers = shelf
    auth = bearer(people["member"])
    web = Client()
    listed = web.get("/api/library/papers", {"text": "comparability"}, **auth).json()
    assert listed["count"] == 1 and listed["items"][0]["title"] == f"{SECRET_WORD} factfinding"
    assert listed["items"][0]["arbitrators"] == ["Sam Lee"]
    one = web.get(f"/api/library/papers/{papers['roe'].pk}", **auth).json()
    assert one["title"] == TITLE and "progressive discipline" in one["text"]
    got = web.get(f"/api/library/papers/{papers['roe'].pk}/file", **auth)
    assert got.status_code == 200 and body(got).startswith("%PDF-")
    assert web.get("/api/library/papers/999999", **auth).status_code == 404
    assert web.get("/api/library/papers", {"paper_type": "tort"}, **auth).status_code == 422
    mine = web.get("/api/library/membership", **auth).json()
    assert mine["current"] is True and mine["until"] is None and len(mine["periods"]) == 1
    assert list(Read.objects.order_by("id").values_list("via", flat=True)) == ["api", "download"]


def test_the_menu_shows_the_library_to_current_members_only(shelf) -> None:
    people, _papers = shelf
    assert 'href="/library/"' in client_for(people["member"]).get("/").content.decode()
    for who in ("former", "outsider", "staff"):
        assert 'href="/library/"' not in client_for(people[who]).get("/").content.decode(), who


# ------------------------------------------------------------------------------------------------ everyone else


def _answers(person, papers) -> list[tuple[str, object]]:
    """Every way in, by page, API and file address, for one visitor (None: not signed in)."""
    web = client_for(person)
    api = Client()
    auth = bearer(person) if person is not None else {}
    roe, lee = papers["roe"].pk, papers["lee"].pk
    found = [
        (path, web.get(path))
        for path in (
            "/library/",
            f"/library/?q={SECRET_WORD}",
            f"/library/papers/{roe}/",
            f"/library/papers/{lee}/download",
            "/library/papers/999999/",
            "/library/papers/999999/download",
            f"/media/{papers['roe'].file.name}",
        )
    ]
    found += [
        (path, api.get(path, **auth))
        for path in (
            "/api/library/papers",
            f"/api/library/papers?text={SECRET_WORD}",
            f"/api/library/papers/{roe}",
            f"/api/library/papers/{lee}/file",
            "/api/library/papers/999999",
            "/api/library/papers/999999/file",
        )
    ]
    return found


@pytest.mark.parametrize("who", ["former", "outsider", "anonymous", "staff"])
def test_a_former_member_a_non_member_and_an_anonymous_visitor_cannot_list_read_or_download_anything(
    shelf, who
) -> None:
    people, papers = shelf
    person = None if who == "anonymous" else people[who]
    for path, response in _answers(person, papers):
        text = body(response)
        assert TITLE not in text and SECRET_WORD not in text and "%PDF" not in text, path
        if path.startswith("/media/"):
            assert response.status_code == 404, path  # paper files are never served as plain files
        elif person is None:  # the page asks to sign in; the API wants a token
            assert response.status_code == (401 if path.startswith("/api/") else 302), path
            if not path.startswith("/api/"):
                assert response["Location"].startswith("/login/"), path
        else:  # the same answer whether the paper exists or not
            assert response.status_code == 403, path
            if path.startswith("/api/"):
                assert response.json()["message"] == library.MEMBERS_ONLY, path
            else:
                assert "current members" in text, path
    assert Read.objects.count() == 0


def test_a_membership_ending_yesterday_closes_the_library_today(shelf) -> None:
    people, papers = shelf
    web = client_for(people["member"])
    assert web.get(f"/library/papers/{papers['roe'].pk}/").status_code == 200
    Membership.objects.filter(person=people["member"]).update(ends_on=TODAY - DAY)
    assert web.get(f"/library/papers/{papers['roe'].pk}/").status_code == 403
    assert web.get("/library/").status_code == 403


# ------------------------------------------------------------------------------------------------ staff


def test_staff_import_the_member_list_on_the_page_with_bad_rows_listed(shelf) -> None:
    people, _papers = shelf
    web = client_for(people["staff"])
    upload = SimpleUploadedFile(
        "members-2026.csv",
        f"email,from,until\nnora@example.org,{TODAY - 5 * DAY},\nghost@example.org,2025-01-01,\n".encode(),
    )
    page = web.post("/library/members/", {"file": upload})
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 added, 0 updated, 0 already there, 1 not imported" in text
    assert "members-2026.csv, line 3" in text and "no account with the e-mail" in text
    assert membership.is_current_member(people["outsider"])
    listed = web.get("/library/members/", {"search": "nora"}).content.decode()
    assert "nora@example.org" in listed and "members-2026.csv, line 2" in listed
    assert TITLE not in listed and SECRET_WORD not in listed  # the read log names papers by number only
    assert client_for(people["member"]).get("/library/members/").status_code == 403


def test_staff_list_memberships_and_the_read_log_in_the_api_and_members_may_not(shelf) -> None:
    people, papers = shelf
    library.read(people["member"], papers["roe"].pk, "page")
    staff, member = bearer(people["staff"]), bearer(people["member"])
    api = Client()
    listed = api.get("/api/library/memberships", {"search": "fred"}, **staff).json()
    assert listed["count"] == 1 and listed["items"][0]["ends_on"] == str(TODAY - DAY)
    log = api.get("/api/library/reads", **staff).json()
    assert [(r["paper"], r["person"], r["via"]) for r in log] == [(papers["roe"].pk, "mia@example.org", "page")]
    assert api.get("/api/library/memberships", **member).status_code == 403
    assert api.get("/api/library/reads", **member).status_code == 403
    former = api.get("/api/library/membership", **bearer(people["former"])).json()
    assert former["current"] is False and former["periods"][0]["ends_on"] == str(TODAY - DAY)


def test_the_command_line_imports_the_member_list_and_lists_bad_rows(shelf, cli, tmp_path) -> None:
    members = tmp_path / "members.csv"
    members.write_text(f"email,from,until\nnora@example.org,{TODAY},\nnora@example.org,{TODAY},\n,2024-01-01,\n")
    result = cli("import", "members", str(members), "--as", "office@example.org", "--json")
    assert result.exit_code == 2
    assert f"{members}: line 4: missing email" in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["added"], summary["already_present"], summary["updated"]) == (1, 1, 0)
    again = cli("import", "members", str(members), "--as", "office@example.org", "--json")
    assert json.loads(again.stdout.strip().splitlines()[-1])["added"] == 0
    refused = cli("import", "members", str(members), "--as", "mia@example.org")
    assert refused.exit_code == 1 and "only staff" in refused.stderr


def test_the_admin_lists_memberships_and_reads_read_only_and_never_a_papers_title(shelf) -> None:
    from certcredit.store.accounts.models import Person

    people, papers = shelf
    library.read(people["member"], papers["lee"].pk, "page")
    admin = Person.objects.create_superuser("root@example.org", "a-long-test-password")
    web = client_for(admin)
    for path in ("/admin/library/membership/", "/admin/library/read/", "/admin/"):
        page = web.get(path)
        assert page.status_code == 200, path
        assert TITLE not in page.content.decode() and SECRET_WORD not in page.content.decode(), path
    log = web.get("/admin/library/read/").content.decode()
    assert "Mia" in log and "Page" in log and f">{papers['lee'].pk}<" in log  # the paper by number
    assert web.get("/admin/library/librarypaper/").status_code == 404  # papers are not in the admin
    assert web.get("/admin/library/membership/add/").status_code == 403


def test_the_demo_gives_the_member_a_membership_and_a_library_of_two_papers_once(cli) -> None:
    from certcredit.store.accounts.models import Person
    from certcredit.store.library.models import LibraryPaper

    assert cli("demo").exit_code == 0
    assert cli("demo").exit_code == 0  # a second run adds nothing
    assert (LibraryPaper.objects.count(), Membership.objects.count()) == (2, 2)
    member = Person.objects.get(email="member@example.org")
    found = library.search(member, library.Search(text="comparable agencies"))
    assert [p.arbitrator for p in found.papers] == ["Priya Natarajan"]
    assert not library.may_read(Person.objects.get(email="staff@example.org"))
