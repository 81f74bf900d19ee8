"""The progress page and ``GET /api/progress``: a person's stored records audited as ``certcredit audit`` audits
the exported file, shown to that person and staff only (anyone else gets the answer a missing person gets)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.test import Client

from certcredit.io.writers import render
from certcredit.services.audits import record_programs
from certcredit.services.exports import record_rows
from certcredit.services.imports import import_records, load_upload
from certcredit.services.tokens import create_token
from certcredit.web.api import ProgressOut

pytestmark = [pytest.mark.store, pytest.mark.django_db]

AS_OF = "2026-06-01"
# By hand, against clm-application on 2026-06-01 (24 months, from 2024-06-01 inclusive; 60-minute minimum):
# writing 2, communication 1.5 (0.5 short), self-management 2, IT 2, organizational development 2: not complete,
# 0.5 hours needed. "short" is 30 minutes, "old" is before the window. s1 (2024-07-01) last counts on 2026-07-01,
# inside the 90-day look-ahead.
RECORDS = """id,date,title,minutes,category
w1,2025-09-10,Plain writing,120,writing
c1,2025-10-01,Listening well,90,communication
s1,2024-07-01,Planning my week,120,self_management
i1,2026-01-15,Spreadsheets,120,information_technology
o1,2026-02-01,Team design,120,organizational_development
short,2026-03-01,Short talk,30,writing
old,2023-01-01,Old course,120,writing
"""
MORE = """id,date,title,minutes,category
c2,2026-03-10,Hard conversations,60,communication
"""


def load(person, text: str = RECORDS, name: str = "mine.csv") -> None:
    report = import_records(load_upload(name, text.encode()), person, person, name)
    assert report.ok


def bearer(person) -> dict[str, str]:
    _token, plain = create_token(person)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


@pytest.fixture
def member(make_person):
    person = make_person("mo@example.org")
    load(person)
    return person


def without_csrf(html: bytes) -> bytes:
    """The page without its CSRF token (masked afresh on every response)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", html)


def page(client: Client, **params: str) -> tuple[int, str]:
    response = client.get("/progress/", params)
    return response.status_code, response.content.decode()


# --- the page --------------------------------------------------------------------------------------------------


def test_the_progress_page_needs_a_signed_in_person(client: Client) -> None:
    response = client.get("/progress/", {"program": "clm-application", "as_of": AS_OF})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_navigation_links_to_the_progress_page(client: Client, member) -> None:
    client.force_login(member)
    assert 'href="/progress/"' in client.get("/").content.decode()


def test_the_form_offers_the_programs_one_pursues_and_every_record_program_on_asking_but_never_clrm(
    client: Client, member
) -> None:
    client.force_login(member)
    status, html = page(client)
    assert status == 200
    # a member with no credential pursues the exam application (either track) until they choose otherwise
    for program in ("clm-application", "clm-application-specialist"):
        assert f'<option value="{program}"' in html
    assert '<option value="clm-recertification"' not in html and '<option value="pmi-pmp-renewal"' not in html
    assert f'value="{dt.date.today().isoformat()}"' in html
    assert 'id="requirements"' in html  # the first program pursued is shown at once, as of today
    _status, every = page(client, all="1")
    for program in ("clm-application", "clm-application-specialist", "clm-recertification", "pmi-pmp-renewal"):
        assert f'<option value="{program}"' in every
    assert 'value="clrm"' not in every


def test_record_programs_are_the_credit_programs_of_the_rules_list(cli) -> None:
    listed = cli("rules", "list").stdout.splitlines()
    credits = sorted(line.split()[0] for line in listed if line.split()[1] == "credits")
    assert sorted(p.id for p in record_programs()) == credits
    assert "clrm" not in credits
    assert {p.id: p.specialties for p in record_programs()}["clm-application-specialist"] == ("HR", "FM", "OM", "LI")


def test_a_member_sees_each_requirement_the_records_used_the_unused_with_reasons_and_what_ages_out(
    client: Client, member
) -> None:
    client.force_login(member)
    status, html = page(client, program="clm-application", as_of=AS_OF)
    assert status == 200
    assert "Not complete: 0.50 more hours needed" in html
    assert "Communication Skills" in html and "1.50" in html
    assert "Listening well" in html and "Plain writing" in html
    assert "shorter than 60 minutes" in html and "outside the window" in html
    assert 'id="ageing-out"' in html and "2026-07-01" in html  # s1's last day in the window
    assert "Apply by" not in html


def test_a_member_without_records_sees_everything_still_needed(client: Client, make_person) -> None:
    client.force_login(make_person("new@example.org"))
    _status, html = page(client, program="clm-application", as_of=AS_OF)
    assert "Not complete: 10.00 more hours needed" in html  # 2 hours in each of the five categories
    assert "No record counts yet." in html and "No record is left out." in html


def test_a_complete_member_sees_the_apply_by_date(client: Client, member) -> None:
    load(member, MORE, "more.csv")
    client.force_login(member)
    _status, html = page(client, program="clm-application", as_of=AS_OF)
    assert "Complete" in html and "Not complete" not in html
    assert "Apply by" in html


def test_a_recertification_shows_the_cycle_end(client: Client, member) -> None:
    client.force_login(member)
    _status, html = page(client, program="clm-recertification", as_of="2026-12-31")
    assert "Cycle ends" in html and "2026-12-31" in html and 'id="ageing-out"' not in html


def test_a_bad_date_re_shows_the_form_with_the_error_beside_the_field_and_what_was_typed(
    client: Client, member
) -> None:
    client.force_login(member)
    status, html = page(client, program="clm-application", as_of="2026-13-01")
    assert status == 200
    assert 'class="field has-error"' in html and "unreadable as-of date &#x27;2026-13-01&#x27;" in html
    assert 'value="2026-13-01"' in html
    assert "Requirements" not in html


def test_a_date_before_the_program_existed_is_named_beside_the_date(client: Client, member) -> None:
    client.force_login(member)
    _status, html = page(client, program="clm-application", as_of="1990-01-01")
    assert "no version of program clm-application is in force on 1990-01-01" in html
    assert 'value="1990-01-01"' in html


def test_an_unknown_program_re_shows_the_form_with_the_error_and_what_was_typed(client: Client, member) -> None:
    client.force_login(member)
    for typed in ("no-such-program", "clrm"):
        status, html = page(client, program=typed, as_of=AS_OF)
        assert status == 200
        assert f"Unknown program {typed}" in html and 'class="field has-error"' in html
        assert f'value="{AS_OF}"' in html


def test_the_specialist_program_asks_for_the_specialty_beside_its_field(client: Client, member) -> None:
    client.force_login(member)
    _status, html = page(client, program="clm-application-specialist", as_of=AS_OF)
    assert "needs a specialty: one of HR, FM, OM, LI" in html and "Requirements" not in html
    _status, html = page(client, program="clm-application-specialist", as_of=AS_OF, specialty="FM")
    assert "Requirements" in html and "specialist_additional" in html


def test_another_program_ignores_a_specialty(client: Client, member) -> None:
    client.force_login(member)
    _status, html = page(client, program="clm-application", as_of=AS_OF, specialty="FM")
    assert "Not complete: 0.50 more hours needed" in html


def test_a_member_asking_for_another_members_progress_gets_what_a_missing_person_gets(
    client: Client, member, make_person
) -> None:
    client.force_login(make_person("snoop@example.org"))
    other = client.get("/progress/", {"person": "mo@example.org", "program": "clm-application", "as_of": AS_OF})
    nobody = client.get("/progress/", {"person": "no@example.org", "program": "clm-application", "as_of": AS_OF})
    assert other.status_code == nobody.status_code == 404
    assert without_csrf(other.content) == without_csrf(nobody.content)
    assert b"Listening well" not in other.content


def test_a_reviewer_may_not_see_a_members_progress(client: Client, member, make_person) -> None:
    client.force_login(make_person("rita@example.org", "member", "reviewer"))
    response = client.get("/progress/", {"person": "mo@example.org", "program": "clm-application", "as_of": AS_OF})
    assert response.status_code == 404


def test_staff_see_any_members_progress_and_the_form_keeps_the_person(client: Client, member, make_person) -> None:
    client.force_login(make_person("boss@example.org", "staff"))
    status, html = page(client, person="MO@example.org", program="clm-application", as_of=AS_OF)
    assert status == 200
    assert "Progress of mo@example.org" in html and "Listening well" in html
    assert 'name="person" value="mo@example.org"' in html


def test_a_records_page_links_to_the_same_persons_progress(client: Client, member, make_person) -> None:
    client.force_login(member)
    assert 'href="/progress/"' in client.get("/records/").content.decode()
    client.force_login(make_person("boss@example.org", "staff"))
    html = client.get("/records/", {"person": "mo@example.org"}).content.decode()
    assert 'href="/progress/?person=mo%40example.org"' in html


def test_a_member_naming_themselves_sees_their_own_progress(client: Client, member) -> None:
    client.force_login(member)
    _status, html = page(client, person="mo@example.org", program="clm-application", as_of=AS_OF)
    assert "My progress" in html and "Listening well" in html


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_progress_needs_a_token_or_session(client: Client, member) -> None:
    response = client.get("/api/progress", {"program": "clm-application", "as_of": AS_OF})
    assert response.status_code == 401 and "sign in" in response.json()["message"]


def test_the_api_progress_equals_the_cli_audit_of_the_exported_records(
    client: Client, member, cli, tmp_path: Path
) -> None:
    path = tmp_path / "export.json"
    path.write_text(render(record_rows(member, as_audited=True), "json"), encoding="utf-8")
    today = dt.date.today().isoformat()

    from_api = client.get("/api/progress", {"program": "clm-application", "as_of": AS_OF}, **bearer(member))
    from_cli = cli("audit", str(path), "--program", "clm-application", "--as-of", AS_OF, "--format", "json",
                   "--today", today)  # fmt: skip

    assert from_api.status_code == 200 and from_cli.exit_code == 0, from_cli.stderr
    assert from_api.json() == json.loads(from_cli.stdout)
    body = from_api.json()
    ProgressOut.model_validate(body)  # the documented schema fits
    assert (body["complete"], body["hours_needed"], body["rejected"]) == (False, 0.5, [])
    assert {u["record"]: u["reason"] for u in body["unused"]} == {
        "short": "shorter than 60 minutes",
        "old": "outside the window",
    }
    assert [r["record"] for r in body["outlook"]["ageing_out"]["leaving"]] == ["s1"]


def test_the_api_progress_of_a_specialist_equals_the_cli_with_the_specialty(
    client: Client, member, cli, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(render(record_rows(member, as_audited=True), "csv"), encoding="utf-8")
    params = {"program": "clm-application-specialist", "as_of": AS_OF, "specialty": "finance"}
    from_api = client.get("/api/progress", params, **bearer(member))
    from_cli = cli("audit", str(path), "--program", "clm-application-specialist", "--as-of", AS_OF,
                   "--specialty", "finance", "--format", "json", "--today", dt.date.today().isoformat())  # fmt: skip
    assert from_api.status_code == 200 and from_api.json()["specialty"] == "FM"
    assert from_api.json() == json.loads(from_cli.stdout)


TX_RECORDS = """id,date,title,minutes,format,activity
t1,2025-03-10,Evidence update,600,in_person,
t2,2025-05-10,Ethics in practice,180,in_person,ethics
t3,2025-06-10,Recorded ethics,120,recorded,ethics
t4,2025-07-10,Recorded trial skills,300,recorded,
p1,2024-06-10,Last year's conference,1500,in_person,
"""


def test_a_nested_programs_extra_keys_reach_the_api_as_the_cli_prints_them(
    client: Client, make_person, cli, tmp_path: Path
) -> None:
    # Texas, year ending 2025-12-31: the 2 recorded ethics hours are capped at 1 (self-study within ethics) and the
    # 5 recorded trial hours at the 2 left of the 3-hour self-study cap; the year before (no ethics) carries nothing.
    lawyer = make_person("tex@example.org")
    load(lawyer, TX_RECORDS, "tx.csv")
    path = tmp_path / "tx.json"
    path.write_text(render(record_rows(lawyer, as_audited=True), "json"), encoding="utf-8")
    params = {"program": "tx-mcle", "as_of": "2025-12-31"}

    from_api = client.get("/api/progress", params, **bearer(lawyer))
    from_cli = cli("audit", str(path), "--program", "tx-mcle", "--as-of", "2025-12-31", "--format", "json",
                   "--today", dt.date.today().isoformat())  # fmt: skip

    assert from_api.status_code == 200 and from_cli.exit_code == 0, from_cli.stderr
    body = from_api.json()
    assert body == json.loads(from_cli.stdout)
    assert "carry_over" in body and any("record_hours" in line for line in body["allocations"])
    ProgressOut.model_validate(body)  # the documented schema fits
    assert body["outlook"]["deadline"]["cycle_end"] == "2025-12-31"


def test_the_page_shows_capped_records_and_the_carry_over_of_a_nested_program(client: Client, make_person) -> None:
    lawyer = make_person("tex@example.org")
    load(lawyer, TX_RECORDS, "tx.csv")
    client.force_login(lawyer)
    _status, html = page(client, program="tx-mcle", as_of="2025-12-31")
    assert "of 2.00, capped by self_study, ethics_self_study" in html and "of 5.00, capped by self_study<" in html
    # p1's 25 hours of 2024 include no ethics: that year was not complete, so nothing carries over
    assert "Carried over" in html and "nothing carried over: the cycle ending 2024-12-31 was not complete" in html
    # Texas counts hours; no requirement of it is a limit only
    assert "Counted in</dt><dd>hours" in html and "a limit, not a requirement" not in html


def test_the_page_shows_limits_as_limits_and_the_programs_unit(client: Client, make_person) -> None:
    # PMI with Education only: Giving Back and practitioner work have no minimum; they are limits, never "met" at
    # 0.00 of 0.00 (issue 10), and the page counts PDUs.
    member = make_person("pm@example.org")
    load(
        member,
        "id,date,title,minutes,format,activity\nw1,2025-03-10,Scheduling,600,in_person,ways_of_working\n",
        "pm.csv",
    )
    client.force_login(member)
    _status, html = page(client, program="pmi-pmp-renewal", as_of="2026-06-30")
    assert html.count("a limit, not a requirement") == 2 and "at most 25.00" in html
    assert "more PDUs needed" in html and "Counted in</dt><dd>PDUs" in html
    assert '<th class="num">PDUs</th>' in html


def test_the_api_refuses_bad_input_with_a_message_and_the_field(client: Client, member) -> None:
    auth = bearer(member)
    cases = {
        ("clm-application", "2026-13-01", None): ("as_of", "unreadable as-of date '2026-13-01'"),
        ("clm-application", "1990-01-01", None): ("as_of", "no version of program clm-application"),
        ("clrm", AS_OF, None): ("program", "unknown program 'clrm'"),
        ("../clm-application", AS_OF, None): ("program", "unknown program '../clm-application'"),
        ("clm-application-specialist", AS_OF, None): ("specialty", "needs a specialty"),
        ("clm-application-specialist", AS_OF, "XX"): ("specialty", "unknown specialty 'XX'"),
        ("clm-application", AS_OF, "FM"): ("specialty", "takes no specialty"),
    }
    for (program, as_of, specialty), (field, message) in cases.items():
        params = {"program": program, "as_of": as_of} | ({"specialty": specialty} if specialty else {})
        response = client.get("/api/progress", params, **auth)
        assert response.status_code == 422, params
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["field"] == field and message in response.json()["message"], response.json()


def test_the_api_needs_the_program_and_the_date(client: Client, member) -> None:
    response = client.get("/api/progress", {"program": "clm-application"}, **bearer(member))
    assert response.status_code == 422
    assert (response.json()["message"], response.json()["field"]) == ("as_of is required", "as_of")


def test_the_api_answers_another_members_progress_as_a_missing_persons(client: Client, member, make_person) -> None:
    auth = bearer(make_person("snoop@example.org"))
    params = {"program": "clm-application", "as_of": AS_OF}
    other = client.get("/api/progress", params | {"person": "mo@example.org"}, **auth)
    nobody = client.get("/api/progress", params | {"person": "no@example.org"}, **auth)
    assert other.status_code == nobody.status_code == 404
    assert other.json()["message"].replace("mo@", "no@") == nobody.json()["message"]
    assert "allocations" not in other.json()


def test_staff_get_a_members_progress_through_the_api(client: Client, member, make_person) -> None:
    params = {"program": "clm-application", "as_of": AS_OF, "person": "mo@example.org"}
    response = client.get("/api/progress", params, **bearer(make_person("boss@example.org", "staff")))
    assert response.status_code == 200 and response.json()["hours_needed"] == 0.5


def test_the_openapi_document_lists_the_progress_endpoint(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/progress"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"program", "as_of", "specialty", "person", "cycle_start"}
    assert {"200", "401", "404", "422"} <= set(operation["responses"])
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProgressOut")
    assert "from" in document["components"]["schemas"]["Window"]["properties"]


def test_a_first_cycle_start_reaches_the_audit_from_the_page_and_the_api(client: Client, make_person) -> None:
    # Texas, first compliance year begun 2025-03-01 and ending 2025-12-31, with the 12-month look-back: p1 (2024-06-10,
    # 25 hours) now counts, so the year is complete; nothing carries into a first year.
    lawyer = make_person("new@example.org")
    load(lawyer, TX_RECORDS, "tx.csv")
    body = client.get(
        "/api/progress", {"program": "tx-mcle", "as_of": "2025-12-31", "cycle_start": "2025-03-01"}, **bearer(lawyer)
    ).json()
    assert body["complete"] and body["first_cycle"] == {"start": "2025-03-01"}
    assert body["carry_over"]["status"] == "first_cycle" and any(a["record"] == "p1" for a in body["allocations"])
    refused = client.get(
        "/api/progress", {"program": "clm-application", "as_of": AS_OF, "cycle_start": "2025-03-01"}, **bearer(lawyer)
    )
    assert refused.status_code == 422 and refused.json()["field"] == "cycle_start"
    client.force_login(lawyer)
    _status, html = page(client, program="tx-mcle", as_of="2025-12-31", cycle_start="2025-03-01")
    assert "nothing carried over: this is the person&#x27;s first cycle" in html
    _status, html = page(client, program="tx-mcle", as_of="2025-12-31", cycle_start="first of March")
    assert "unreadable date &#x27;first of March&#x27;" in html


def test_the_page_on_a_cycles_last_day_says_it_ends_today(make_person, rf) -> None:
    # The Texas year ending 2025-12-31, seen on its last day: 10 general hours, so 3 ethics and 2 more hours (5) are
    # still needed, and that day's activities still count: the cycle has not ended.
    from django.template.loader import render_to_string

    from certcredit.services.audits import progress
    from certcredit.web.forms import ProgressForm
    from certcredit.web.member_views import _progress_view

    lawyer = make_person("last@example.org")
    load(lawyer, "id,date,title,minutes,format,activity\nt1,2025-03-10,Evidence,600,in_person,\n", "tx.csv")
    shown = progress(lawyer, lawyer, "tx-mcle", dt.date(2025, 12, 31), today=dt.date(2025, 12, 31))
    context = {"form": ProgressForm(), "person": lawyer, "own": True, "progress": shown, "view": _progress_view(shown)}
    html = render_to_string("progress.html", context, request=rf.get("/progress/"))
    assert "the cycle ends today: 5.00 hours still needed (today's activities count)" in html
    assert "has ended" not in html
