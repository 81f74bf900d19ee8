"""Open Badges 3.0 as pure functions: the credential's shape, the VC-JWT, the status list and each rejection."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certcredit.engine import badge

ISSUER = badge.Issuer("https://certs.example.org/badges/issuer", "Example Association", "https://certs.example.org")
LISTS = {p: f"https://certs.example.org/badges/status/{p}" for p in badge.PURPOSES}
NOW = dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC)


def facts(**changes: Any) -> badge.BadgeFacts:
    values: dict[str, Any] = {
        "id": "urn:uuid:2f1c0e5e-6d3a-4d7e-9a55-0c2a7f1b9e11",
        "issuer": ISSUER,
        "achievement_id": "https://certs.example.org/badges/achievements/clm",
        "achievement_name": "Certified Legal Manager",
        "achievement_description": "A test achievement.",
        "criteria": "Pass the exam.",
        "holder_name": "Maria Okafor",
        "holder_email": "Maria@Example.org",
        "salt": "pepper",
        "valid_from": dt.datetime(2026, 4, 20, 9, 30, tzinfo=dt.UTC),
        "valid_until": dt.date(2029, 6, 30),
        "status_list": LISTS,
        "status_index": 4242,
        "evidence_url": "https://certs.example.org/verify/ABCDE",
    }
    values.update(changes)
    return badge.BadgeFacts(**values)


def no_status(url: str, purpose: str, index: int) -> bool | None:
    return False if url == LISTS[purpose] else None


@pytest.fixture(scope="module")
def key() -> tuple[str, dict[str, Any], dict[str, Any]]:
    return badge.new_key()


def signed(key: tuple[str, dict[str, Any], dict[str, Any]], **changes: Any) -> str:
    return badge.sign(badge.build_credential(facts(**changes)), key[2])


def rejected(token: str, keys: dict[str, Any], *, now: dt.datetime = NOW, status: Any = no_status) -> str:
    with pytest.raises(badge.BadgeRejected) as caught:
        badge.check(token, keys, ISSUER.id, now, status)
    return caught.value.reason


def test_the_credential_has_the_open_badges_context_types_issuer_subject_dates_and_two_status_entries() -> None:
    vc = badge.build_credential(facts())
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"] == {"id": ISSUER.id, "type": ["Profile"], "name": "Example Association",
                            "url": "https://certs.example.org"}  # fmt: skip
    assert vc["validFrom"] == "2026-04-20T09:30:00Z"
    assert vc["validUntil"] == "2029-06-30T23:59:59Z"  # the cycle's last day holds to its end
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == "Certified Legal Manager"
    assert achievement["achievementType"] == "Certification"
    assert [e["statusPurpose"] for e in vc["credentialStatus"]] == ["revocation", "suspension"]
    assert {e["type"] for e in vc["credentialStatus"]} == {"BitstringStatusListEntry"}
    assert vc["credentialStatus"][0]["statusListIndex"] == "4242"
    assert vc["credentialStatus"][0]["id"] == LISTS["revocation"] + "#4242"


def test_the_e_mail_is_only_a_salted_hash_and_the_name_is_plain() -> None:
    identities = badge.build_credential(facts())["credentialSubject"]["identifier"]
    assert identities[0] == {"type": "IdentityObject", "identityType": "name", "hashed": False,
                             "identityHash": "Maria Okafor"}  # fmt: skip
    assert identities[1]["identityHash"] == "sha256$" + hashlib.sha256(b"maria@example.orgpepper").hexdigest()
    assert "Maria@Example.org" not in json.dumps(identities)


def test_a_signed_badge_passes_every_check_and_carries_the_jwt_claims(key: Any) -> None:
    token = signed(key)
    verdict = badge.check(token, {key[0]: key[1]}, ISSUER.id, NOW, no_status)
    assert verdict.kid == key[0]
    assert verdict.checks == ("format", "signature", "issuer", "open badge", "dates", "status")
    header, claims = badge.read_unverified(token)
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": key[0]}
    assert claims["iss"] == ISSUER.id and claims["jti"] == facts().id
    assert claims["nbf"] == int(dt.datetime(2026, 4, 20, 9, 30, tzinfo=dt.UTC).timestamp())
    assert claims["exp"] == int(dt.datetime(2029, 6, 30, 23, 59, 59, tzinfo=dt.UTC).timestamp())


def test_a_tampered_badge_is_rejected_for_its_signature(key: Any) -> None:
    head, body, signature = signed(key).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["vc"]["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert rejected(f"{head}.{forged}.{signature}", {key[0]: key[1]}) == badge.BAD_SIGNATURE


def test_a_badge_signed_by_an_unknown_key_is_rejected(key: Any) -> None:
    stranger = badge.new_key()
    assert rejected(signed(stranger), {key[0]: key[1]}) == badge.UNKNOWN_KEY


def test_a_badge_signed_by_another_key_under_a_published_kid_is_rejected_for_its_signature(key: Any) -> None:
    other = badge.new_key()
    forged = badge.sign(badge.build_credential(facts()), {**other[2], "kid": key[0]})
    assert rejected(forged, {key[0]: key[1]}) == badge.BAD_SIGNATURE


def test_a_badge_from_another_issuer_signed_with_a_known_key_is_rejected(key: Any) -> None:
    elsewhere = badge.Issuer("https://elsewhere.example/issuer", "Elsewhere", "https://elsewhere.example")
    assert rejected(signed(key, issuer=elsewhere), {key[0]: key[1]}) == badge.WRONG_ISSUER


def test_a_badge_is_expired_the_second_after_its_cycle_ends_and_not_yet_valid_before_its_start(key: Any) -> None:
    token, keys = signed(key), {key[0]: key[1]}
    last = dt.datetime(2029, 6, 30, 23, 59, 59, tzinfo=dt.UTC)
    assert badge.check(token, keys, ISSUER.id, last, no_status).kid == key[0]
    assert rejected(token, keys, now=last + dt.timedelta(seconds=1)) == badge.EXPIRED
    assert rejected(token, keys, now=dt.datetime(2026, 4, 20, 9, 29, tzinfo=dt.UTC)) == badge.NOT_YET_VALID


@pytest.mark.parametrize(("purpose", "reason"), [("revocation", badge.REVOKED), ("suspension", badge.SUSPENDED)])
def test_a_set_status_bit_rejects_the_badge_with_its_purpose(key: Any, purpose: str, reason: str) -> None:
    lists = {p: badge.encode_status_list([4242] if p == purpose else [7]) for p in badge.PURPOSES}

    def lookup(url: str, kind: str, index: int) -> bool | None:
        return badge.status_bit(lists[kind], index) if url == LISTS[kind] else None

    assert rejected(signed(key), {key[0]: key[1]}, status=lookup) == reason


def test_a_status_list_the_verifier_cannot_read_is_a_rejection_not_a_pass(key: Any) -> None:
    assert rejected(signed(key), {key[0]: key[1]}, status=lambda *_: None) == badge.STATUS_UNKNOWN


def test_after_a_rotation_badges_signed_by_the_old_key_still_verify(key: Any) -> None:
    old_token = signed(key)
    new = badge.new_key()
    published = {key[0]: key[1], new[0]: new[1]}
    assert badge.check(old_token, published, ISSUER.id, NOW, no_status).kid == key[0]
    assert badge.check(signed(new), published, ISSUER.id, NOW, no_status).kid == new[0]


def test_text_that_is_not_a_jwt_is_malformed(key: Any) -> None:
    assert rejected('{"type": "OpenBadgeCredential"}', {key[0]: key[1]}) == badge.MALFORMED
    assert rejected("", {key[0]: key[1]}) == badge.MALFORMED


def test_the_public_key_in_the_key_set_has_no_private_part(key: Any) -> None:
    (published,) = badge.jwks([key[1]])["keys"]
    assert "d" not in published and published["kid"] == key[0] and published["crv"] == "Ed25519"
    assert "d" in key[2]


def test_status_list_bits_are_counted_from_the_first_bytes_high_bit() -> None:
    encoded = badge.encode_status_list([0, 9], size=16)
    assert encoded.startswith("u")
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw == bytes([0x80, 0x40])  # hand-computed: bit 0 is 0b1000_0000, bit 9 is 0b0100_0000 of byte 1
    empty = badge.encode_status_list([])[1:]
    assert len(gzip.decompress(base64.urlsafe_b64decode(empty + "=" * (-len(empty) % 4)))) == 16384


@given(st.sets(st.integers(0, 1023), max_size=40), st.integers(0, 1023))
def test_a_status_bit_reads_back_set_exactly_for_the_indices_encoded(indices: set[int], probe: int) -> None:
    assert badge.status_bit(badge.encode_status_list(indices, size=1024), probe) == (probe in indices)


def test_an_index_outside_the_list_is_an_error_not_a_silent_pass() -> None:
    with pytest.raises(ValueError, match="outside"):
        badge.encode_status_list([1024], size=1024)
    with pytest.raises(ValueError, match="outside"):
        badge.status_bit(badge.encode_status_list([], size=1024), 1024)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@given(st.text(max_size=200))
def test_any_text_is_either_a_badge_or_a_named_rejection_never_a_crash(text: str) -> None:
    key = badge.new_key()
    try:
        badge.check(text, {key[0]: key[1]}, ISSUER.id, NOW, no_status)
    except badge.BadgeRejected as rejected_:
        assert rejected_.reason
    else:  # pragma: no cover - random text is never a signed badge
        raise AssertionError("random text passed")


@given(JSONISH, JSONISH)
def test_any_json_header_and_payload_is_a_named_rejection_never_a_crash(header: Any, payload: Any) -> None:
    key = badge.new_key()
    token = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}.{_b64(b'x' * 64)}"
    with pytest.raises(badge.BadgeRejected):
        badge.check(token, {key[0]: key[1]}, ISSUER.id, NOW, no_status)


@given(JSONISH)
def test_a_signed_token_with_any_claims_is_a_named_rejection_never_a_crash(claims: Any) -> None:
    key = badge.new_key()
    token = badge._sign({"alg": "EdDSA", "kid": key[0]}, claims if isinstance(claims, dict) else {"vc": claims}, key[2])
    with pytest.raises(badge.BadgeRejected):
        badge.check(token, {key[0]: key[1]}, ISSUER.id, NOW, no_status)


FIELDS = ("nbf", "exp", "iss", "jti", "vc.validFrom", "vc.validUntil", "vc.credentialStatus", "vc.type",
          "vc.@context", "vc.issuer", "vc.id")  # fmt: skip


@given(st.sampled_from(FIELDS), JSONISH)
def test_a_badge_signed_with_one_field_replaced_by_any_value_passes_or_is_a_named_rejection(
    field_name: str, value: Any
) -> None:
    key = badge.new_key()
    vc = badge.build_credential(facts())
    claims: dict[str, Any] = {"iss": ISSUER.id, "jti": vc["id"], "nbf": 0, "exp": 2**40, "vc": vc}
    if field_name.startswith("vc."):
        vc[field_name[3:]] = value
    else:
        claims[field_name] = value
    token = badge._sign({"alg": "EdDSA", "kid": key[0]}, claims, key[2])
    try:
        badge.check(token, {key[0]: key[1]}, ISSUER.id, NOW, no_status)
    except badge.BadgeRejected as rejected_:
        assert rejected_.reason
