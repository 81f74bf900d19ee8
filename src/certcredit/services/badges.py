"""Open Badges 3.0 for credentials: the signing keys, issuing a badge, the published issuer profile, key set and
status lists, suspension, and verification against this issuer's own keys and lists.

The badge itself (its JSON, the VC-JWT, the checks) is built by the pure core (``engine.badge``); this module
supplies what only the store knows: the keys, the credential's facts, the status bits. Keys: the newest key not
retired signs; ``create_key(rotate=True)`` retires it and makes a new one, and retired keys stay in the key set,
so every badge issued still verifies. The private keys stay in the store (``SigningKey.private_jwk``): never in
the admin, the API, the history, a log or the repository (docs/credentials.md, "Keys").
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from certcredit.engine import badge as ob
from certcredit.engine import credential as dates
from certcredit.services import credentials as creds
from certcredit.services import history
from certcredit.services.access import Forbidden, is_staff
from certcredit.store.accounts.models import Person
from certcredit.store.badges.models import Badge, SigningKey
from certcredit.store.credentials.models import Credential

#: what each family's achievement is, in this project's words (the badge's ``description`` and ``criteria``)
ACHIEVEMENTS = {
    "clm": (
        "A certification for managers of legal organizations: it shows that the holder met the experience and "
        "education requirements, passed the certification exam and keeps up with continuing education.",
        "Meet the eligibility requirements (management experience in a legal organization and the required "
        "education), pass the exam, then complete the continuing education of each three-year cycle and "
        "recertify by the cycle's end.",
    ),
    "clrm": (
        "A masters certification in public-sector labor relations: the holder completed the three core labor "
        "relations academies and wrote an analysis of an arbitrator's awards that was accepted after review.",
        "Complete the Foundation, Negotiations and Arbitration academies; have the arbitrator(s) to analyse "
        "approved; attend the orientation; submit the paper within the deadline after the academies and revise "
        "it until a reviewer accepts it.",
    ),
}
#: states in which a badge may be issued
ISSUABLE = (dates.VALID, dates.RETIRED)


class BadgeUnavailable(ValueError):
    """No badge can be issued now: the credential's state, or no signing key yet."""


class NoSigningKey(BadgeUnavailable):
    """No active signing key: ``certcredit keys create`` makes one."""


# --- addresses --------------------------------------------------------------------------------------------------


def public_url() -> str:
    """The site's public address (``CERTCREDIT_PUBLIC_URL``): the issuer's id and every published address."""
    return str(settings.CERTCREDIT_PUBLIC_URL).rstrip("/")


def issuer() -> ob.Issuer:
    base = public_url()
    return ob.Issuer(id=f"{base}/badges/issuer", name=str(settings.CERTCREDIT_ISSUER_NAME), url=base)


def jwks_url() -> str:
    return f"{public_url()}/badges/jwks.json"


def status_list_url(purpose: str) -> str:
    return f"{public_url()}/badges/status/{purpose}"


def achievement_url(family: str) -> str:
    return f"{public_url()}/badges/achievements/{family}"


# --- keys -------------------------------------------------------------------------------------------------------


def _badge_snapshot(item: Badge) -> dict[str, Any]:
    """A badge's history entry: its fields (the uid as text) without the token, which the badge row keeps."""
    return {k: str(v) if k == "uid" else v for k, v in history.snapshot(item).items() if k != "token"}


def _key_snapshot(key: SigningKey) -> dict[str, Any]:
    """A key's history entry: everything but the private part."""
    return {k: v for k, v in history.snapshot(key).items() if k != "private_jwk"}


@transaction.atomic
def create_key(actor: Person | None = None, rotate: bool = False) -> SigningKey:
    """A new active Ed25519 key. With an active key already there, ``rotate`` retires it (it stays published);
    without ``rotate`` that is refused, so a second key is never made by accident."""
    if actor is not None and not is_staff(actor):
        raise Forbidden("only staff may create signing keys")
    active = list(SigningKey.objects.select_for_update().filter(retired_at=None))
    if active and not rotate:
        raise ValueError(f"an active key exists ({active[0].kid}); rotate to replace it")
    for old in active:
        before = _key_snapshot(old)
        old.retired_at = timezone.now()
        old.save(update_fields=["retired_at"])
        history.entry(actor, "signing-key.retire", old, before, _key_snapshot(old), "rotated").save()
    kid, public, private = ob.new_key()
    key = SigningKey.objects.create(kid=kid, public_jwk=public, private_jwk=private)
    history.entry(actor, "signing-key.create", key, None, _key_snapshot(key), "rotation" if active else "").save()
    return key


def signing_keys() -> QuerySet[SigningKey]:
    """Every key, newest first (the first without ``retired_at`` signs)."""
    return SigningKey.objects.order_by("-created_at", "-id")


def active_key() -> SigningKey | None:
    return SigningKey.objects.filter(retired_at=None).order_by("-created_at", "-id").first()


def published_keys() -> dict[str, dict[str, Any]]:
    """The public keys by ``kid``: active and retired (a retired key still vouches for what it signed)."""
    return {k.kid: dict(k.public_jwk) for k in signing_keys()}


def key_set() -> dict[str, Any]:
    """The JWKS published at ``/badges/jwks.json``."""
    return ob.jwks(published_keys().values())


def issuer_profile() -> dict[str, Any]:
    """The issuer's profile published at its own id (``/badges/issuer``)."""
    return issuer().profile(jwks_url())


def achievement(family: str) -> dict[str, Any]:
    """The achievement published at its id; ``LookupError`` for a family without one."""
    if family not in ACHIEVEMENTS:
        raise LookupError(f"no achievement {family!r}")
    book = creds.rules(family)
    description, criteria = ACHIEVEMENTS[family]
    return {
        "@context": list(ob.CONTEXTS),
        "id": achievement_url(family),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": book.name,
        "description": description,
        "criteria": {"narrative": criteria},
        "creator": issuer().profile(),
    }


# --- issuing ----------------------------------------------------------------------------------------------------


def _draw_index() -> int:
    """A status-list index no badge has, drawn at random (the order of issue stays private)."""
    taken = set(Badge.objects.values_list("status_index", flat=True))
    if len(taken) >= ob.STATUS_LIST_SIZE:
        raise BadgeUnavailable("the status list is full")
    while True:
        index = secrets.randbelow(ob.STATUS_LIST_SIZE)
        if index not in taken:
            return index


def _facts(credential: Credential, uid: uuid.UUID, index: int, valid_from: dt.datetime) -> ob.BadgeFacts:
    values = creds.credential_values(credential)
    description, criteria = ACHIEVEMENTS[credential.family]
    return ob.BadgeFacts(
        id=f"urn:uuid:{uid}",
        issuer=issuer(),
        achievement_id=achievement_url(credential.family),
        achievement_name=values["achievement_name"],
        achievement_description=description,
        criteria=criteria,
        # the name is shown in the clear; a person without one is named by the e-mail's local part, never the
        # whole address (the e-mail goes in only hashed)
        holder_name=credential.person.name or credential.person.email.split("@")[0],
        holder_email=values["holder_email"],
        salt=secrets.token_hex(8),
        valid_from=valid_from,
        valid_until=values["valid_until"] if credential.status == creds.Status.CERTIFIED else None,
        status_list={p: status_list_url(p) for p in ob.PURPOSES},
        status_index=index,
        evidence_url=f"{public_url()}/verify/{credential.code}",
    )


def current_badge(credential: Credential) -> Badge | None:
    """The badge already issued for the credential as it is now (same cycle end and achievement), if any."""
    name = creds.credential_values(credential)["achievement_name"]
    valid_until = credential.valid_until if credential.status == creds.Status.CERTIFIED else None
    return credential.badges.filter(valid_until=valid_until, achievement_name=name).first()


def badge_for(actor: Person, credential: Credential) -> Badge:
    """The credential's badge for its current cycle, issued now (and written to the history) if it has none.

    The caller found ``credential`` with ``credentials.credential_of(actor, …)``: only the holder and staff get
    here. A recertification moves ``valid_until``, so the next request issues a badge for the new cycle; the old
    badge stays valid until its own end. ``BadgeUnavailable`` unless the credential is valid or retired now.
    """
    if actor.pk != credential.person_id and not is_staff(actor):
        raise Forbidden("only the holder and staff may have a credential's badge")
    state = creds.standing(credential).state
    if state not in ISSUABLE:
        raise BadgeUnavailable(f"a badge is issued only for a valid or retired credential; this one is {state}")
    found = current_badge(credential)
    if found is not None:
        return found
    return _issue(actor, credential)


@transaction.atomic
def _issue(actor: Person, credential: Credential) -> Badge:
    key = SigningKey.objects.select_for_update().filter(retired_at=None).order_by("-created_at", "-id").first()
    if key is None:
        raise NoSigningKey("no signing key yet: staff create one with `certcredit keys create`")
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    found = current_badge(locked)  # issued by a request that held the lock first
    if found is not None:
        return found
    for _ in range(5):
        uid, index, valid_from = uuid.uuid4(), _draw_index(), timezone.now().replace(microsecond=0)
        facts = _facts(locked, uid, index, valid_from)
        token = ob.sign(ob.build_credential(facts), key.private_jwk)
        try:
            with transaction.atomic():
                made = Badge.objects.create(
                    credential=locked, uid=uid, status_index=index, key=key, achievement_name=facts.achievement_name,
                    valid_from=valid_from, valid_until=facts.valid_until, token=token,
                )  # fmt: skip
        except IntegrityError:  # the index was drawn by another badge at the same moment: draw again
            continue
        note = f"credential {locked.pk}, key {key.kid}"
        history.entry(actor, "badge.issue", made, None, _badge_snapshot(made), note).save()
        return made
    raise BadgeUnavailable("could not draw a free status-list index; try again")


def decoded(badge: Badge) -> dict[str, Any]:
    """The badge's credential as JSON (the ``vc`` claim of its VC-JWT)."""
    vc: dict[str, Any] = ob.read_unverified(badge.token)[1]["vc"]
    return vc


def badges_of(credential: Credential) -> QuerySet[Badge]:
    return credential.badges.select_related("key").order_by("-issued_at", "-id")


# --- status: revocation follows the credential, suspension is set by staff -----------------------------------------


def _set_bits(purpose: str) -> list[int]:
    if purpose == "revocation":
        found = Badge.objects.filter(credential__status=creds.Status.REVOKED)
    elif purpose == "suspension":
        found = Badge.objects.filter(suspended_at__isnull=False)
    else:
        raise LookupError(f"no status list {purpose!r}")
    return list(found.values_list("status_index", flat=True))


def status_list(purpose: str) -> dict[str, Any]:
    """The ``BitstringStatusListCredential`` of ``purpose`` as the store has it now (``LookupError``: no such
    list). Read at each request, so a revocation or suspension shows at once."""
    encoded = ob.encode_status_list(_set_bits(purpose))
    return ob.status_list_credential(status_list_url(purpose), issuer(), purpose, encoded, timezone.now())


def signed_status_list(purpose: str) -> str:
    """The status list as a VC-JWT signed with the active key (``NoSigningKey`` without one)."""
    key = active_key()
    if key is None:
        raise NoSigningKey("no signing key yet: staff create one with `certcredit keys create`")
    return ob.sign_status_list(status_list(purpose), key.private_jwk)


@transaction.atomic
def set_suspension(actor: Person, credential: Credential, suspended: bool, reason: str = "") -> int:
    """Staff suspend every badge of the credential (with a reason) or lift the suspension; the count changed.
    Each change is in the history; the suspension status list says so from the next request."""
    if not is_staff(actor):
        raise Forbidden("only staff may suspend badges")
    reason = creds._text(reason, "reason", 300)
    if suspended and not reason:
        raise creds.CredentialInvalid("say why the badge is suspended", "reason")
    changed = 0
    for item in Badge.objects.select_for_update().filter(credential=credential, suspended_at__isnull=suspended):
        before = _badge_snapshot(item)
        item.suspended_at = timezone.now() if suspended else None
        item.suspension_reason = reason if suspended else ""
        item.save(update_fields=["suspended_at", "suspension_reason"])
        action = "badge.suspend" if suspended else "badge.reinstate"
        history.entry(actor, action, item, before, _badge_snapshot(item), reason).save()
        changed += 1
    if not changed:
        raise creds.CredentialInvalid("no badge to suspend" if suspended else "no suspended badge: nothing to lift")
    return changed


def suspended(credential: Credential) -> bool:
    return credential.badges.filter(suspended_at__isnull=False).exists()


# --- verification -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer to "does this badge hold?": ``verified``, else ``reason`` (an ``engine.badge`` constant) and
    ``message``; ``credential`` is what the badge says (when it could be read), ``checks`` the checks passed."""

    verified: bool
    reason: str | None
    message: str
    kid: str | None
    credential: dict[str, Any] | None
    checks: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified, "reason": self.reason, "message": self.message, "kid": self.kid,
            "checks": list(self.checks), "credential": self.credential,
        }  # fmt: skip


def _own_status() -> Callable[[str, str, int], bool | None]:
    """Status bits read from this issuer's own store; another list's address is unknown (None)."""
    cache: dict[str, set[int]] = {}

    def lookup(url: str, purpose: str, index: int) -> bool | None:
        if purpose not in ob.PURPOSES or url != status_list_url(purpose):
            return None
        if purpose not in cache:
            cache[purpose] = set(_set_bits(purpose))
        return index in cache[purpose]

    return lookup


MAX_TOKEN = 64_000


def verify(token: str, now: dt.datetime | None = None) -> Verification:
    """Check a VC-JWT against this issuer: its published keys, its id, the dates and its own status lists."""
    text = token.strip()
    if len(text) > MAX_TOKEN:
        return Verification(False, ob.MALFORMED, f"longer than {MAX_TOKEN} characters: not a badge", None, None, ())
    moment = now or timezone.now()
    try:
        verdict = ob.check(text, published_keys(), issuer().id, moment, _own_status())
    except ob.BadgeRejected as error:
        shown = None
        kid = None
        try:
            header, claims = ob.read_unverified(text)
            kid = header.get("kid") if isinstance(header.get("kid"), str) else None
            shown = claims.get("vc") if isinstance(claims.get("vc"), dict) else None
        except ob.BadgeRejected:
            pass
        return Verification(False, error.reason, str(error), kid, shown, ())
    name = verdict.credential.get("name", "credential")
    message = f"valid: {name}, signed by this issuer with key {verdict.kid}"
    return Verification(True, None, message, verdict.kid, verdict.credential, verdict.checks)
