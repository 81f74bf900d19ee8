"""Open Badges through the service layer: keys and rotation, issuing, the published lists, suspension,
revocation and verification against the store, with who may do what."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from certcredit.engine import badge as ob
from certcredit.services import badges
from certcredit.services import credentials as creds
from certcredit.services.access import Forbidden
from certcredit.store.history.models import HistoryEntry
from tests.integration.test_credentials import EXAM_ATTESTATIONS, EXAM_RECORDS, load

pytestmark = [pytest.mark.store, pytest.mark.django_db]

D = dt.date.fromisoformat
PASSED = dt.date.today() - dt.timedelta(days=20)


@pytest.fixture
def member(make_person):
    person = make_person("mo@example.org")
    load(person, EXAM_RECORDS)
    return person


@pytest.fixture
def staff(make_person):
    return make_person("st@example.org", "staff")


@pytest.fixture
def credential(member, staff):
    application = creds.apply(member, member, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    creds.decide(staff, application, approve=True)
    found = creds.current_credential(member)
    creds.record_exam_pass(staff, found, PASSED)
    found.refresh_from_db()
    return found


@pytest.fixture
def key(staff):
    return badges.create_key(staff)


def test_a_badge_says_who_holds_what_until_the_cycles_end_and_verifies(member, credential, key) -> None:
    issued = badges.badge_for(member, credential)
    vc = badges.decoded(issued)
    assert vc["issuer"]["id"] == "http://127.0.0.1:8000/badges/issuer"
    assert vc["name"] == "Certified Legal Manager"
    assert vc["validUntil"] == f"{credential.valid_until.isoformat()}T23:59:59Z"
    assert vc["credentialSubject"]["identifier"][0]["identityHash"] == "Mo"
    assert vc["evidence"][0]["id"].endswith(f"/verify/{credential.code}")
    assert issued.key == key
    result = badges.verify(issued.token)
    assert result.verified and result.reason is None and result.kid == key.kid
    # asking again gives the same badge, not a second one
    assert badges.badge_for(member, credential).pk == issued.pk
    assert HistoryEntry.objects.filter(action="badge.issue", object_id=str(issued.pk)).count() == 1


def test_only_the_holder_and_staff_get_a_badge(make_person, member, staff, credential, key) -> None:
    stranger = make_person("x@example.org")
    with pytest.raises(Forbidden):
        badges.badge_for(stranger, credential)
    assert badges.badge_for(staff, credential).credential == credential


def test_no_badge_without_a_signing_key_and_none_for_a_credential_not_valid(member, staff, credential) -> None:
    with pytest.raises(badges.NoSigningKey, match="certcredit keys create"):
        badges.badge_for(member, credential)
    badges.create_key(staff)
    creds.revoke(staff, credential, "Breach")
    credential.refresh_from_db()
    with pytest.raises(badges.BadgeUnavailable, match="revoked"):
        badges.badge_for(member, credential)


def test_a_revoked_credentials_badge_is_rejected_as_revoked(member, staff, credential, key) -> None:
    token = badges.badge_for(member, credential).token
    creds.revoke(staff, credential, "Breach of the code")
    result = badges.verify(token)
    assert (result.verified, result.reason) == (False, ob.REVOKED)
    assert result.credential is not None and result.credential["name"] == "Certified Legal Manager"
    index = badges.badges_of(credential).get().status_index
    assert ob.status_bit(badges.status_list("revocation")["credentialSubject"]["encodedList"], index)
    assert not ob.status_bit(badges.status_list("suspension")["credentialSubject"]["encodedList"], index)


def test_a_suspension_rejects_the_badge_until_staff_lift_it_and_each_step_is_in_the_history(
    member, staff, credential, key
) -> None:
    token = badges.badge_for(member, credential).token
    with pytest.raises(Forbidden):
        badges.set_suspension(member, credential, True, "no")
    with pytest.raises(creds.CredentialInvalid, match="say why"):
        badges.set_suspension(staff, credential, True, "")
    assert badges.set_suspension(staff, credential, True, "Under review") == 1
    assert badges.verify(token).reason == ob.SUSPENDED
    assert badges.set_suspension(staff, credential, False) == 1
    assert badges.verify(token).verified
    actions = list(
        HistoryEntry.objects.filter(action__startswith="badge.").order_by("id").values_list("action", "actor_label")
    )
    assert actions == [("badge.issue", "mo@example.org"), ("badge.suspend", "st@example.org"),
                       ("badge.reinstate", "st@example.org")]  # fmt: skip


def test_an_expired_badge_is_rejected_the_day_after_the_cycles_end(member, credential, key) -> None:
    token = badges.badge_for(member, credential).token
    after = dt.datetime.combine(credential.valid_until + dt.timedelta(days=1), dt.time(0, 0, 1), dt.UTC)
    result = badges.verify(token, now=after)
    assert (result.verified, result.reason) == (False, ob.EXPIRED)
    assert "expired" in result.message


def test_a_rotation_keeps_old_badges_verifiable_and_signs_new_ones_with_the_new_key(
    make_person, member, staff, credential, key
) -> None:
    old = badges.badge_for(member, credential)
    with pytest.raises(ValueError, match="rotate"):
        badges.create_key(staff)
    new_key = badges.create_key(staff, rotate=True)
    key.refresh_from_db()
    assert key.retired_at is not None and badges.active_key() == new_key
    assert set(badges.published_keys()) == {key.kid, new_key.kid}
    assert badges.verify(old.token).verified and badges.verify(old.token).kid == key.kid
    other = make_person("other@example.org")
    load(other, EXAM_RECORDS)
    application = creds.apply(other, other, "exam", EXAM_ATTESTATIONS, today=D("2022-05-01"))
    creds.decide(staff, application, approve=True)
    theirs = creds.current_credential(other)
    creds.record_exam_pass(staff, theirs, PASSED)
    theirs.refresh_from_db()
    assert badges.verify(badges.badge_for(other, theirs).token).kid == new_key.kid


def test_a_badge_signed_by_a_key_this_issuer_never_had_is_rejected(member, credential, key) -> None:
    vc = badges.decoded(badges.badge_for(member, credential))
    forged = ob.sign(vc, ob.new_key()[2])
    assert badges.verify(forged).reason == ob.UNKNOWN_KEY


def test_no_private_key_reaches_the_history_or_the_key_set(staff, key) -> None:
    badges.create_key(staff, rotate=True)
    private = key.private_jwk["d"]
    for entry in HistoryEntry.objects.filter(action__startswith="signing-key."):
        assert private not in str(entry.before) + str(entry.after)
    assert private not in str(badges.key_set()) and all("d" not in k for k in badges.key_set()["keys"])


def test_members_may_not_make_keys(member) -> None:
    with pytest.raises(Forbidden):
        badges.create_key(member)


def test_a_recertification_issues_a_badge_for_the_new_cycle_and_the_old_one_stays_valid(
    member, staff, credential, key
) -> None:
    first = badges.badge_for(member, credential)
    credential.valid_until = credential.valid_until.replace(year=credential.valid_until.year + 3)
    credential.cycle = 2
    credential.save()
    second = badges.badge_for(member, credential)
    assert second.pk != first.pk and second.status_index != first.status_index
    assert badges.decoded(second)["validUntil"].startswith(credential.valid_until.isoformat())
    assert badges.verify(first.token).verified


def test_keys_create_refuses_a_second_key_rotate_retires_and_list_shows_both(cli) -> None:
    made = cli("keys", "create")
    assert made.exit_code == 0 and "created key" in made.output
    again = cli("keys", "create")
    assert again.exit_code == 1 and "rotate" in again.output
    kept = cli("keys", "create", "--if-missing")
    assert kept.exit_code == 0 and "kept" in kept.output
    assert cli("keys", "rotate").exit_code == 0
    listed = cli("keys", "list").output.splitlines()
    assert [line.split()[3] for line in listed] == ["active", "retired"]
    assert all(len(line.split()[0]) == 43 for line in listed)  # an RFC 7638 thumbprint


def test_certcredit_verify_exits_0_for_a_valid_badge_1_with_the_reason_when_revoked_2_for_unreadable(
    cli, tmp_path, member, staff, credential, key
) -> None:
    path = tmp_path / "badge.jwt"
    path.write_text(badges.badge_for(member, credential).token + "\n")
    ok = cli("verify", str(path))
    assert ok.exit_code == 0 and "valid: Certified Legal Manager" in ok.output
    creds.revoke(staff, credential, "Breach")
    revoked = cli("verify", str(path))
    assert revoked.exit_code == 1 and "rejected: revoked" in revoked.output
    answer = cli("verify", str(path), "--json")
    assert answer.exit_code == 1 and '"reason": "revoked"' in answer.output
    assert cli("verify", str(tmp_path / "missing.jwt")).exit_code == 2
    (tmp_path / "badge.json").write_text('{"type": ["OpenBadgeCredential"]}')
    unsigned = cli("verify", str(tmp_path / "badge.json"))
    assert unsigned.exit_code == 2 and "without its signature" in unsigned.output


def test_certcredit_verify_at_a_moment_after_the_cycle_says_expired(cli, tmp_path, member, credential, key) -> None:
    path = tmp_path / "badge.jwt"
    path.write_text(badges.badge_for(member, credential).token)
    later = (credential.valid_until + dt.timedelta(days=1)).isoformat() + "T00:00:00+00:00"
    expired = cli("verify", str(path), "--at", later)
    assert expired.exit_code == 1 and "rejected: expired" in expired.output
    # the holder moves the end of the cycle three years on: the signature no longer matches
    head, body, signature = path.read_text().split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["vc"]["validUntil"] = claims["vc"]["validUntil"].replace(str(credential.valid_until.year),
                                                                    str(credential.valid_until.year + 3))  # fmt: skip
    claims["exp"] += 3 * 365 * 86400
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    tampered = tmp_path / "tampered.jwt"
    tampered.write_text(f"{head}.{forged}.{signature}")
    result = cli("verify", str(tampered), "--at", later)
    assert result.exit_code == 1 and "rejected: bad signature" in result.output


def test_a_holder_without_a_name_is_named_by_the_local_part_and_the_e_mail_is_never_in_the_clear(
    member, credential, key
) -> None:
    member.name = ""
    member.save()
    credential.refresh_from_db()
    issued = badges.badge_for(member, credential)
    assert badges.decoded(issued)["credentialSubject"]["identifier"][0]["identityHash"] == "mo"
    assert "mo@example.org" not in issued.token and "mo@example.org" not in json.dumps(badges.decoded(issued))


def test_a_retired_holder_gets_a_clm_ret_badge_without_an_end_and_the_certified_badge_stays_until_its_own(
    member, staff, credential, key
) -> None:
    certified_badge = badges.badge_for(member, credential)
    credential.cycle = 2  # one recertification behind it (R25c)
    credential.save()
    creds.retire(staff, credential)
    credential.refresh_from_db()
    retired = badges.badge_for(member, credential)
    vc = badges.decoded(retired)
    assert retired.pk != certified_badge.pk
    assert vc["name"] == "CLM (Ret.)" and "validUntil" not in vc
    assert "exp" not in ob.read_unverified(retired.token)[1]
    far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    assert badges.verify(retired.token, now=far).verified
    assert badges.verify(certified_badge.token, now=far).reason == ob.EXPIRED
