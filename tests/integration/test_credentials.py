"""Credentials and applications through the service layer: who may do what, what is frozen, what the history
says, and the R25 deadline (no grace)."""

from __future__ import annotations

import datetime as dt

import pytest

from certcredit.services import credentials as creds
from certcredit.services.access import Forbidden
from certcredit.services.imports import import_records, load_upload
from certcredit.store.credentials.models import Application, Credential
from certcredit.store.records.models import Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]

D = dt.date.fromisoformat
# Complete for clm-application on 2022-05-01 (24 months back to 2020-05-01): 2 hours in each category.
EXAM_RECORDS = """id,date,title,minutes,category
w1,2021-09-10,Plain writing,120,writing
c1,2021-10-01,Listening well,120,communication
s1,2021-07-01,Planning my week,120,self_management
i1,2022-01-15,Spreadsheets,120,information_technology
o1,2022-02-01,Team design,120,organizational_development
"""
# Complete for clm-recertification of the cycle ending 2025-06-30 (after 2022-06-30): 6 hours in each of the
# five areas and 3 each of business ethics (an LI course) and substance abuse (an HR course): 36 hours.
RECERT_RECORDS = """id,date,title,minutes,subject_area,topic
r1,2023-01-10,People law today,360,HR,
r2,2023-02-10,Budgets,360,FM,
r3,2023-03-10,Facilities,360,OM,
r4,2023-04-10,Firm economics,360,LI,
r5,2023-05-10,Leading change,360,CM,
r6,2024-01-10,Ethics for managers,180,LI,business_ethics
r7,2024-02-10,Substance abuse at work,180,HR,substance_abuse
"""
EXAM_ATTESTATIONS = {
    "code_of_ethics": True,
    "employment": "current",
    "employer": "Smith & Jones LLP",
    "years": 5,
    "track": "principal_administrator",
    "country": "US",
}


def load(person, text: str) -> None:
    report = import_records(load_upload("mine.csv", text.encode()), person, person, "mine.csv")
    assert report.ok, report


@pytest.fixture
def member(make_person):
    person = make_person("mo@example.org")
    load(person, EXAM_RECORDS)
    return person


@pytest.fixture
def staff(make_person):
    return make_person("st@example.org", "staff")


def certified(member, staff, passed: str = "2022-06-15") -> Credential:
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    creds.decide(staff, application, approve=True)
    credential = creds.current_credential(member)
    creds.record_exam_pass(staff, credential, D(passed), today=D("2022-07-01"))
    credential.refresh_from_db()
    return credential


def test_an_incomplete_audit_cannot_apply_and_says_how_much_is_missing(make_person) -> None:
    person = make_person("new@example.org")
    load(person, EXAM_RECORDS.splitlines()[0] + "\n" + "\n".join(EXAM_RECORDS.splitlines()[1:4]) + "\n")
    with pytest.raises(
        creds.ApplicationRefused, match=r"clm-application audit as of 2022-05-01 is not complete: 4 more"
    ):
        creds.apply(person, person, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    assert not Credential.objects.exists()


def test_the_application_freezes_the_audit_and_the_records_it_used(member) -> None:
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    assert application.audit["complete"] is True
    assert application.audit["as_of"] == "2022-05-01"
    assert "outlook" not in application.audit
    assert {r["title"] for r in application.records} >= {"Plain writing", "Team design"}
    Record.objects.filter(person=member, title="Plain writing").update(title="Renamed later", minutes=30)
    application.refresh_from_db()
    frozen = next(r for r in application.records if r["title"] == "Plain writing")
    assert frozen["minutes"] == 120
    assert application.attestations["track"] == "principal_administrator"
    credential = application.credential
    assert credential.status == "applicant" and len(credential.code) == 29
    actions = [e.action for e in creds.history_of(application)]
    assert actions == ["application.submit"]
    assert creds.history_of(application).first().actor_label == member.email


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code_of_ethics": False}, "code_of_ethics"),
        ({"employment": "retired"}, "employment"),
        ({"employer": " "}, "employer"),
        ({"years": 2}, "years"),
        ({"years": "many"}, "years"),
        ({"track": "functional_specialist"}, "track"),
    ],
)
def test_each_missing_attestation_is_refused_naming_its_field(member, change, field) -> None:
    with pytest.raises(creds.CredentialInvalid) as error:
        creds.apply(member, member, "exam", {**EXAM_ATTESTATIONS, **change}, today=D("2022-05-01"))
    assert error.value.field == field


def test_a_member_cannot_decide_and_staff_approve_with_the_history_saying_who(member, staff, make_person) -> None:
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    with pytest.raises(Forbidden):
        creds.decide(member, application, approve=True)
    with pytest.raises(creds.CredentialInvalid, match="say why"):
        creds.decide(staff, application, approve=False, reason=" ")
    creds.decide(staff, application, approve=True)
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_by == staff
    credential = application.credential
    credential.refresh_from_db()
    assert credential.status == "eligible"
    entry = creds.history_of(credential).last()
    assert (entry.action, entry.actor_label, entry.before["status"], entry.after["status"]) == (
        "credential.eligible", staff.email, "applicant", "eligible",
    )  # fmt: skip
    with pytest.raises(creds.CredentialInvalid, match="already approved"):
        creds.decide(staff, application, approve=False, reason="changed my mind")
    other = make_person("other@example.org")
    with pytest.raises(LookupError):
        creds.application_of(other, application.pk)
    with pytest.raises(LookupError):
        creds.credential_of(other, credential.pk)
    assert creds.application_of(staff, application.pk) == application


def test_a_denial_keeps_the_reason_and_the_member_may_apply_again(member, staff) -> None:
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    with pytest.raises(creds.ApplicationRefused, match="already waiting"):
        creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    creds.decide(staff, application, approve=False, reason="Employment letter missing")
    application.refresh_from_db()
    assert (application.status, application.reason) == ("denied", "Employment letter missing")
    again = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-02"))
    assert again.credential == application.credential


def test_the_exam_pass_certifies_with_the_anniversary_and_the_first_cycles_end(member, staff) -> None:
    credential = certified(member, staff, passed="2022-04-20")
    assert credential.status == "certified"
    assert credential.anniversary == D("2022-06-30")  # April 20 is 71 days before June 30, 141 after November 30
    assert credential.valid_until == D("2025-06-30")
    assert credential.cycle == 1
    with pytest.raises(creds.CredentialInvalid, match="only an eligible applicant"):
        creds.record_exam_pass(staff, credential, D("2022-06-15"))


def test_an_exam_pass_in_the_future_is_refused(member, staff) -> None:
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    creds.decide(staff, application, approve=True)
    with pytest.raises(creds.CredentialInvalid, match="in the future") as error:
        creds.record_exam_pass(staff, application.credential, D("2022-06-02"), today=D("2022-06-01"))
    assert error.value.field == "passed_on"


def test_a_late_recertification_is_refused_and_one_on_the_deadline_moves_the_cycle(member, staff) -> None:
    credential = certified(member, staff)
    load(member, RECERT_RECORDS)
    ethics = {"code_of_ethics": True}
    with pytest.raises(creds.ApplicationRefused, match=r"deadline was 2025-06-30.*not accepted \(R25"):
        creds.apply(member, member, "recertification", ethics, today=D("2025-07-01"))
    application = creds.apply(member, member, "recertification", ethics, today=D("2025-06-30"))
    assert application.as_of == D("2025-06-30") and application.cycle == 1
    assert application.audit["complete"] is True
    creds.decide(staff, application, approve=True)
    credential.refresh_from_db()
    assert (credential.cycle, credential.valid_until, credential.status) == (2, D("2028-06-30"), "certified")


def test_a_recertification_whose_audit_is_short_is_refused(member, staff) -> None:
    certified(member, staff)
    with pytest.raises(creds.ApplicationRefused, match="clm-recertification audit as of 2025-06-30 is not complete"):
        creds.apply(member, member, "recertification", {"code_of_ethics": True}, today=D("2025-06-01"))


def test_verification_tells_the_state_now_and_nothing_else_about_the_person(member, staff) -> None:
    member.name = "Mo Member"
    member.save()
    credential = certified(member, staff)
    assert creds.verification("NOPE-NOPE") is None
    shown = creds.verification(credential.code.lower(), today=D("2024-01-01"))
    assert (shown.holder, shown.credential, shown.since, shown.valid_until, shown.state) == (
        "Mo Member", "Certified Legal Manager", D("2022-06-15"), D("2025-06-30"), "valid",
    )  # fmt: skip
    assert [event for _day, event in shown.events] == ["certified"]
    assert member.email not in repr(shown)
    assert creds.verification(credential.code, today=D("2025-07-01")).state == "lapsed"
    with pytest.raises(Forbidden):
        creds.revoke(member, credential, "no")
    with pytest.raises(creds.CredentialInvalid, match="say why"):
        creds.revoke(staff, credential, "")
    creds.revoke(staff, credential, "Code of Ethics breach")
    shown = creds.verification(credential.code, today=D("2024-01-01"))
    assert shown.state == "revoked"
    assert [event for _day, event in shown.events] == ["certified", "revoked"]
    assert "Code of Ethics" not in repr(shown)
    entry = creds.history_of(credential).last()
    assert (entry.action, entry.note, entry.actor_label) == ("credential.revoke", "Code of Ethics breach", staff.email)


def test_an_applicants_code_verifies_nothing(member) -> None:
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    assert creds.verification(application.credential.code) is None


def test_lapse_overdue_records_each_lapse_once(member, staff) -> None:
    credential = certified(member, staff)
    assert creds.lapse_overdue(today=D("2025-06-30")) == 0
    assert creds.lapse_overdue(today=D("2025-07-01")) == 1
    assert creds.lapse_overdue(today=D("2025-07-02")) == 0
    credential.refresh_from_db()
    assert credential.status == "lapsed"
    assert creds.history_of(credential).last().note == "not recertified by 2025-06-30 (R25)"


def test_a_lapsed_holder_applies_again_and_the_old_credential_is_superseded(member, staff) -> None:
    old = certified(member, staff)
    creds.lapse_overdue(today=D("2025-07-01"))
    load(member, EXAM_RECORDS.replace("2021-", "2024-").replace("2022-", "2025-").replace("w1,", "w9,"))
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2025-08-01"))
    assert application.credential != old
    assert creds.verification(old.code, today=D("2025-08-02")).state == "superseded"
    assert Credential.objects.filter(person=member).count() == 2


def test_retirement_needs_one_recertification_first(member, staff) -> None:
    credential = certified(member, staff)
    with pytest.raises(creds.CredentialInvalid, match="at least one recertification"):
        creds.retire(staff, credential, today=D("2024-01-01"))
    Credential.objects.filter(pk=credential.pk).update(cycle=2, valid_until=D("2028-06-30"))
    credential.refresh_from_db()
    creds.retire(staff, credential, today=D("2026-01-01"))
    credential.refresh_from_db()
    assert credential.status == "retired"
    assert creds.verification(credential.code).credential == "CLM (Ret.)"


def test_credential_values_are_plain(member, staff) -> None:
    member.name = "Mo Member"
    member.save()
    credential = certified(member, staff)
    values = creds.credential_values(credential, today=D("2024-01-01"))
    assert values == {
        "holder_name": "Mo Member",
        "holder_email": "mo@example.org",
        "program": "clm",
        "achievement_name": "Certified Legal Manager",
        "abbreviation": "CLM",
        "issued_on": D("2022-06-15"),
        "valid_until": D("2025-06-30"),
        "anniversary": D("2022-06-30"),
        "cycle": 1,
        "status": "certified",
        "state": "valid",
        "verification_code": credential.code,
    }
    assert Application.objects.count() == 1


def test_the_lapse_command_records_lapses_and_show_prints_the_verification(member, staff, cli) -> None:
    credential = certified(member, staff)
    result = cli("credentials", "lapse", "--today", "2025-06-30")
    assert result.exit_code == 0 and result.output.strip() == "0 credentials lapsed"
    assert cli("credentials", "lapse", "--today", "2025-07-01").output.strip() == "1 credential lapsed"
    assert cli("credentials", "lapse", "--today", "2025-07-02").output.strip() == "0 credentials lapsed"
    assert creds.history_of(credential).last().actor_label == "command line"
    shown = cli("credentials", "show", credential.code)
    assert shown.exit_code == 0 and '"state": "lapsed"' in shown.output
    assert cli("credentials", "show", "NOPE").exit_code == 1
    assert cli("credentials", "lapse", "--today", "July").exit_code == 2


def test_a_specialist_names_their_specialty_and_uses_the_specialists_track(member) -> None:
    specialist = {**EXAM_ATTESTATIONS, "track": "functional_specialist"}
    with pytest.raises(creds.CredentialInvalid) as error:
        creds.apply(member, member, "specialist", specialist, today=D("2022-05-01"))
    assert error.value.field == "specialty"
    with pytest.raises(creds.ApplicationRefused, match="clm-application-specialist audit as of 2022-05-01"):
        creds.apply(member, member, "specialist", specialist, specialty="HR", today=D("2022-05-01"))
    with pytest.raises(creds.CredentialInvalid) as error:
        creds.apply(member, member, "specialist", EXAM_ATTESTATIONS, specialty="HR", today=D("2022-05-01"))
    assert error.value.field == "track"


def test_only_the_member_or_staff_may_apply_for_a_member(member, make_person) -> None:
    with pytest.raises(Forbidden):
        creds.apply(make_person("eve@example.org"), member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))


def test_the_next_step_follows_the_credential(member, staff) -> None:
    assert creds.next_step(member, D("2022-05-01")).programs == ("clm-application", "clm-application-specialist")
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    assert "with staff" in creds.next_step(member, D("2022-05-02")).message
    creds.decide(staff, application, approve=True)
    assert "take the CLM exam" in creds.next_step(member, D("2022-05-02")).message
    creds.record_exam_pass(staff, application.credential, D("2022-06-15"), today=D("2022-07-01"))
    step = creds.next_step(member, D("2025-06-20"))
    assert (step.kind, step.program, step.as_of, step.days_left) == (
        "recertification", "clm-recertification", D("2025-06-30"), 10,
    )  # fmt: skip
    assert step.message == "Recertify by 2025-06-30: 10 days to the anniversary deadline."
    late = creds.next_step(member, D("2025-07-01"))
    assert "has passed (no grace period)" in late.message and late.programs[0] == "clm-application"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"employer": "Firm\x00LLP"}, "employer"), ({"country": "U\x00S"}, "country"), ({"years": "nan"}, "years"),
     ({"years": "1e999"}, "years"), ({"years": {"a": 1}}, "years"), ({"employer": "x" * 201}, "employer")],
)  # fmt: skip
def test_attestations_a_database_would_choke_on_are_refused_by_name(member, change, field) -> None:
    with pytest.raises(creds.CredentialInvalid) as error:
        creds.apply(member, member, "exam", {**EXAM_ATTESTATIONS, **change}, today=D("2022-05-01"))
    assert error.value.field == field


def test_odd_codes_ids_dates_and_reasons_are_answers_not_errors(member, staff) -> None:
    assert creds.verification("A" * 41) is None
    assert creds.verification("ABC\x00DE") is None
    with pytest.raises(LookupError):
        creds.credential_of(staff, 2**63)
    with pytest.raises(LookupError):
        creds.application_of(staff, -1)
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    with pytest.raises(creds.CredentialInvalid) as error:
        creds.decide(staff, application, approve=False, reason="no\x00")
    assert error.value.field == "reason"
    creds.decide(staff, application, approve=True)
    with pytest.raises(creds.CredentialInvalid, match=r"no exam was held before 1997") as error:
        creds.record_exam_pass(staff, application.credential, D("0001-01-01"))
    assert error.value.field == "passed_on"
