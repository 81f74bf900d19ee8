"""Personal API tokens: shown once when made, stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets

from django.db.models import QuerySet
from django.utils import timezone

from certcredit.services import history
from certcredit.store.accounts.models import ApiToken, Person

PREFIX = "cc_"


def digest(token: str) -> str:
    """Tokens are long and random, so one round of SHA-256 is enough (no password stretching needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(person: Person, name: str = "token", actor: Person | None = None) -> tuple[ApiToken, str]:
    """A new token for ``person``; the plain token is returned here and never again."""
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(person=person, name=name[:100] or "token", prefix=plain[:10], digest=digest(plain))
    history.record_change(actor or person, "create", token, None, note=f"API token for {person.email}")
    return token, plain


def person_for_token(plain: str) -> Person | None:
    """The active person a presented token belongs to, or None."""
    if not plain.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("person").filter(digest=digest(plain), revoked_at=None).first()
    if token is None or not token.person.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.person


def revoke_token(person: Person, token_id: int) -> bool:
    """Revoke one of the person's own tokens; False when there is no such active token."""
    token = ApiToken.objects.filter(pk=token_id, person=person, revoked_at=None).first()
    if token is None:
        return False
    before = history.snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    history.record_change(person, "revoke", token, before)
    return True


def live_tokens(person: Person) -> QuerySet[ApiToken]:
    """The person's tokens that still work (the tokens page lists them; the plain token is never kept)."""
    return ApiToken.objects.filter(person=person, revoked_at=None)
