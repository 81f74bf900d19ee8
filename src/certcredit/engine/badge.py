"""Open Badges 3.0: a credential as a verifiable credential, signed as a VC-JWT, and checked again.

Pure functions of plain values (no store, no clock, no network): the service layer (``services.badges``) gives
the facts, the keys and the status lists it holds.

- ``build_credential`` makes the ``OpenBadgeCredential`` (the OB 3.0 JSON-LD context and types, the issuer's
  profile, ``credentialSubject`` with the ``achievement``, ``validFrom``, ``validUntil`` at the end of the
  cycle's last day, and two ``BitstringStatusListEntry`` items, revocation and suspension, at one index).
- ``sign`` wraps it as a VC-JWT (OB 3.0 §8.2: the ``vc`` claim with ``iss``, ``jti``, ``sub``, ``nbf``, ``exp``)
  signed with Ed25519 under ``alg`` ``EdDSA`` and the key's ``kid``.
- ``check`` takes a VC-JWT apart and says whether it holds, or the first reason it does not: malformed, an
  unknown key, a signature that does not match, another issuer, not an Open Badge, not yet valid, expired,
  revoked, suspended, or a status that cannot be read.
- ``encode_status_list`` and ``status_bit``: the W3C Bitstring Status List (GZIP, base64url, multibase ``u``;
  bit 0 is the first byte's most significant bit; 131,072 entries, the smallest list the spec allows, so one
  credential's index says little about the others).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

CONTEXTS = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
)
STATUS_LIST_CONTEXT = "https://www.w3.org/ns/credentials/v2"
TYPES = ("VerifiableCredential", "OpenBadgeCredential")
#: the signature: Ed25519 under the JOSE name OB 3.0 verifiers accept (RFC 9864 later named it ``Ed25519``)
ALGORITHM = "EdDSA"
#: entries in a status list: the spec's minimum (16 KiB), so an index alone tells little
STATUS_LIST_SIZE = 131_072
PURPOSES = ("revocation", "suspension")

# the reasons ``check`` gives, in the order it checks
MALFORMED = "malformed"
UNSUPPORTED_ALGORITHM = "unsupported algorithm"
UNKNOWN_KEY = "unknown key"
BAD_SIGNATURE = "bad signature"
WRONG_ISSUER = "wrong issuer"
NOT_AN_OPEN_BADGE = "not an Open Badge"
NOT_YET_VALID = "not yet valid"
EXPIRED = "expired"
REVOKED = "revoked"
SUSPENDED = "suspended"
STATUS_UNKNOWN = "status unknown"


class BadgeRejected(ValueError):
    """A VC-JWT that does not hold: ``reason`` is one of the constants above, the message says what was found."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Issuer:
    """The issuer's profile: ``id`` is the address it is published at (``/badges/issuer``)."""

    id: str
    name: str
    url: str
    email: str = ""

    def profile(self, jwks_url: str | None = None) -> dict[str, Any]:
        """The OB 3.0 ``Profile`` (published at ``id``; embedded in each credential without the key address)."""
        shown: dict[str, Any] = {"id": self.id, "type": ["Profile"], "name": self.name, "url": self.url}
        if self.email:
            shown["email"] = self.email
        if jwks_url:
            shown["@context"] = list(CONTEXTS)
            shown["publicKeys"] = jwks_url  # where verifiers find the keys (a JWKS), not an OB term
        return shown


@dataclass(frozen=True, slots=True)
class BadgeFacts:
    """What one Open Badge says: who holds which achievement, from when until when, and where its status is."""

    id: str  # the credential's own address (urn:uuid:…)
    issuer: Issuer
    achievement_id: str
    achievement_name: str
    achievement_description: str
    criteria: str
    holder_name: str
    holder_email: str
    salt: str  # for the hashed e-mail (OB 3.0 IdentityObject)
    valid_from: dt.datetime
    valid_until: dt.date | None
    status_list: Mapping[str, str]  # purpose -> the status list credential's address
    status_index: int
    evidence_url: str = ""  # the public verification page
    extra: Mapping[str, Any] = field(default_factory=dict)


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of ``day`` in UTC: a cycle ending on June 30 holds through June 30."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), dt.UTC)


def email_hash(email: str, salt: str) -> str:
    """OB 3.0's hashed identity: ``sha256$`` and the hex digest of the e-mail (lower case) with the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def build_credential(facts: BadgeFacts) -> dict[str, Any]:
    """The ``OpenBadgeCredential`` of ``facts`` (without its proof: ``sign`` adds that as a JWT)."""
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": facts.holder_name,
            },
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": email_hash(facts.holder_email, facts.salt),
                "salt": facts.salt,
            },
        ],
        "achievement": {
            "id": facts.achievement_id,
            "type": ["Achievement"],
            "achievementType": "Certification",
            "name": facts.achievement_name,
            "description": facts.achievement_description,
            "criteria": {"narrative": facts.criteria},
            "creator": facts.issuer.profile(),
        },
    }
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": facts.id,
        "type": list(TYPES),
        "name": facts.achievement_name,
        "issuer": facts.issuer.profile(),
        "validFrom": _instant(facts.valid_from),
    }
    if facts.valid_until is not None:
        credential["validUntil"] = _instant(end_of_day(facts.valid_until))
    credential["credentialSubject"] = subject
    credential["credentialStatus"] = [
        {
            "id": f"{facts.status_list[purpose]}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(facts.status_index),
            "statusListCredential": facts.status_list[purpose],
        }
        for purpose in PURPOSES
    ]
    if facts.evidence_url:
        credential["evidence"] = [
            {"id": facts.evidence_url, "type": ["Evidence"], "name": "The issuer's verification page"}
        ]
    credential.update(facts.extra)
    return credential


# --- keys and signatures ----------------------------------------------------------------------------------------


def new_key() -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A fresh Ed25519 key: its ``kid`` (the RFC 7638 thumbprint), the public JWK and the private JWK."""
    key = OKPKey.generate_key("Ed25519")
    kid = key.thumbprint()
    public = {**key.as_dict(private=False), "kid": kid, "alg": ALGORITHM, "use": "sig"}
    private = {**key.as_dict(private=True), "kid": kid}
    return kid, public, private


def jwks(public_keys: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A JSON Web Key Set of the public keys (each with its ``kid``)."""
    return {"keys": [dict(k) for k in public_keys]}


#: joserfc warns that RFC 9864 prefers the name ``Ed25519`` for this signature; it is the same signature
_RENAMED = "EdDSA is deprecated"


def _sign(header: dict[str, Any], claims: dict[str, Any], private_jwk: Mapping[str, Any]) -> str:
    key = OKPKey.import_key(dict(private_jwk))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_RENAMED)
        return jwt.encode(header, claims, key, algorithms=[ALGORITHM])


def sign(credential: Mapping[str, Any], private_jwk: Mapping[str, Any]) -> str:
    """The credential as a VC-JWT (compact JWS) signed with the key; ``kid`` in the header names the key."""
    claims: dict[str, Any] = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(dt.datetime.fromisoformat(credential["validFrom"]).timestamp()),
        "vc": dict(credential),
    }
    if "validUntil" in credential:
        claims["exp"] = int(dt.datetime.fromisoformat(credential["validUntil"]).timestamp())
    if "id" in credential["credentialSubject"]:
        claims["sub"] = credential["credentialSubject"]["id"]
    return _sign({"alg": ALGORITHM, "typ": "JWT", "kid": private_jwk["kid"]}, claims, private_jwk)


def sign_status_list(credential: Mapping[str, Any], private_jwk: Mapping[str, Any]) -> str:
    """A status list credential as a VC-JWT, as ``sign`` does for a badge."""
    return sign(credential, private_jwk)


# --- status lists -----------------------------------------------------------------------------------------------


def encode_status_list(set_bits: Iterable[int], size: int = STATUS_LIST_SIZE) -> str:
    """The ``encodedList`` with the bits at ``set_bits`` set: GZIP, then base64url without padding, prefix ``u``."""
    if size % 8:
        raise ValueError(f"a status list's size is a whole number of bytes, not {size} bits")
    bits = bytearray(size // 8)
    for index in set_bits:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside the list (0 to {size - 1})")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def status_bit(encoded: str, index: int) -> bool:
    """Whether the bit at ``index`` of an ``encodedList`` is set; ``ValueError`` for a list that cannot be read."""
    if not encoded.startswith("u"):
        raise ValueError("an encodedList starts with the multibase prefix 'u' (base64url)")
    body = encoded[1:]
    try:
        bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"the encodedList cannot be read: {error}") from None
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status index {index} is outside the list of {len(bits) * 8} entries")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    list_id: str, issuer: Issuer, purpose: str, encoded: str, valid_from: dt.datetime
) -> dict[str, Any]:
    """The ``BitstringStatusListCredential`` published at ``list_id``."""
    return {
        "@context": [STATUS_LIST_CONTEXT],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.profile(),
        "validFrom": _instant(valid_from),
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded,
        },
    }


# --- checking ---------------------------------------------------------------------------------------------------

#: ``status(list_url, purpose, index)``: True (the bit is set), False, or None (not a list this verifier can read)
StatusLookup = Callable[[str, str, int], bool | None]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``check`` found: the credential (the ``vc`` claim), the key that signed it, and the checks passed."""

    credential: dict[str, Any]
    kid: str
    checks: tuple[str, ...]


def read_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the claims of a compact JWS, without checking anything (to show what a file says)."""
    text = token.strip()
    try:
        found = jws.extract_compact(text.encode())
        claims = json.loads(found.payload)
    except (JoseError, ValueError, UnicodeDecodeError) as error:
        raise BadgeRejected(MALFORMED, f"not a compact VC-JWT (three base64url parts): {error}") from None
    if not isinstance(claims, dict):
        raise BadgeRejected(MALFORMED, "the JWT's payload is not a JSON object")
    return dict(found.headers()), claims


def _instant_of(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, str):
        raise BadgeRejected(MALFORMED, f"{name} is not a date and time: {value!r}")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadgeRejected(MALFORMED, f"{name} is not a date and time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _seconds(claims: Mapping[str, Any], name: str) -> float | None:
    """A JWT NumericDate claim (``nbf``, ``exp``), or None when absent; anything but a number is malformed."""
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadgeRejected(MALFORMED, f"the JWT's {name} is not a number of seconds: {value!r}")
    return float(value)


def _strings(value: Any) -> list[str]:
    """A JSON-LD value that may be one string or a list: its strings."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def check(
    token: str,
    keys: Mapping[str, Mapping[str, Any]],
    issuer_id: str,
    now: dt.datetime,
    status: StatusLookup,
) -> Verdict:
    """Check a VC-JWT: the signature by one of ``keys`` (by ``kid``), the issuer, that it is an Open Badge, the
    dates at ``now``, and each status entry through ``status``. ``BadgeRejected`` with the first reason found."""
    header, _ = read_unverified(token)
    if header.get("alg") != ALGORITHM:
        raise BadgeRejected(UNSUPPORTED_ALGORITHM, f"signed with {header.get('alg')!r}; this issuer signs {ALGORITHM}")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in keys:
        raise BadgeRejected(UNKNOWN_KEY, f"signed with a key this issuer never published (kid {kid!r})")
    checks = ["format"]
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_RENAMED)
            decoded = jwt.decode(token.strip(), OKPKey.import_key(dict(keys[kid])), algorithms=[ALGORITHM])
    except (JoseError, ValueError) as error:
        raise BadgeRejected(BAD_SIGNATURE, f"the signature does not match the content and key {kid}: {error}") from None
    checks.append("signature")
    claims = decoded.claims
    vc = claims.get("vc")
    if not isinstance(vc, dict):
        raise BadgeRejected(NOT_AN_OPEN_BADGE, "the JWT has no 'vc' claim")
    vc_issuer = vc.get("issuer", {}).get("id") if isinstance(vc.get("issuer"), dict) else vc.get("issuer")
    if claims.get("iss") != issuer_id or vc_issuer != issuer_id:
        raise BadgeRejected(WRONG_ISSUER, f"issued by {claims.get('iss')!r}, not by {issuer_id!r}")
    checks.append("issuer")
    if not set(TYPES) <= set(_strings(vc.get("type"))) or CONTEXTS[1] not in _strings(vc.get("@context")):
        raise BadgeRejected(NOT_AN_OPEN_BADGE, "the credential lacks the OpenBadgeCredential type or OB 3.0 context")
    if claims.get("jti") != vc.get("id"):
        raise BadgeRejected(MALFORMED, "the JWT's jti and the credential's id differ")
    checks.append("open badge")
    valid_from = _instant_of(vc.get("validFrom"), "validFrom")
    not_before, expires = _seconds(claims, "nbf"), _seconds(claims, "exp")
    if now < valid_from or (not_before is not None and now.timestamp() < not_before):
        raise BadgeRejected(NOT_YET_VALID, f"valid only from {_instant(valid_from)}")
    if "validUntil" in vc or expires is not None:
        valid_until = _instant_of(vc["validUntil"], "validUntil") if "validUntil" in vc else None
        if (valid_until is not None and now > valid_until) or (expires is not None and now.timestamp() > expires):
            shown = _instant(valid_until) if valid_until else f"{expires:.0f} (exp)"
            raise BadgeRejected(EXPIRED, f"valid until {shown}: expired (not recertified since)")
    checks.append("dates")
    entries = vc.get("credentialStatus") or []
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            raise BadgeRejected(STATUS_UNKNOWN, f"a status entry this verifier cannot read: {entry!r}")
        purpose, url = str(entry.get("statusPurpose")), str(entry.get("statusListCredential"))
        try:
            index = int(entry.get("statusListIndex"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise BadgeRejected(STATUS_UNKNOWN, f"statusListIndex is not a number: {entry!r}") from None
        found = status(url, purpose, index)
        if found is None:
            raise BadgeRejected(STATUS_UNKNOWN, f"the {purpose} status list {url} cannot be read")
        if found and purpose == "revocation":
            raise BadgeRejected(REVOKED, "revoked by the issuer")
        if found and purpose == "suspension":
            raise BadgeRejected(SUSPENDED, "suspended by the issuer")
    checks.append("status")
    return Verdict(credential=vc, kid=kid, checks=tuple(checks))
