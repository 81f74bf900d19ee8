"""Personal API tokens: shown once when made, stored only as a SHA-256 digest.

A token's ``last_used_at`` says roughly when it was last used: it is written at most once every
``TOUCH_EVERY`` (a read would otherwise be a write, and on SQLite wait for, then fail behind, any import holding
the write lock), and only when the database takes the write at once: a busy database skips it, never the request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from certcredit.services import history
from certcredit.store.accounts.models import ApiToken, Person

PREFIX = "cc_"
#: ``last_used_at`` is written when it is older than this
TOUCH_EVERY = dt.timedelta(minutes=5)
#: how long the ``last_used_at`` write may wait for a busy database before it is skipped
TOUCH_WAIT_MS = 100

log = logging.getLogger("certcredit.tokens")


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
    touch(token)
    return token.person


def touch(token: ApiToken) -> bool:
    """Note that the token was used now, when the last note is older than ``TOUCH_EVERY`` and the database takes
    the write without waiting more than ``TOUCH_WAIT_MS``; whether it was written."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return False
    try:
        with _without_waiting():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except DatabaseError as error:
        log.info("token %s: last use not noted (%s)", token.prefix, error)
        return False
    token.last_used_at = now
    return True


@contextmanager
def _without_waiting() -> Iterator[None]:
    """A transaction (a savepoint inside one) whose writes wait at most ``TOUCH_WAIT_MS`` for a lock."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        before = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
        raw.execute(f"PRAGMA busy_timeout = {TOUCH_WAIT_MS}")
        try:
            with transaction.atomic():
                yield
        finally:
            raw.execute(f"PRAGMA busy_timeout = {before}")
        return
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{TOUCH_WAIT_MS}ms'")
        yield
        if postgresql:  # within an outer transaction, the setting would outlive this savepoint
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = DEFAULT")


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
