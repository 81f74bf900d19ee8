"""What sign-in throttling (django-axes, settings.py) counts: the account, and the client's address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The e-mail signed in with, as accounts keep it (lower case, trimmed): ``Mo@X.org`` counts for ``mo@x.org``."""
    given = (credentials or {}).get("username") or request.POST.get("username")
    return given.strip().lower() if isinstance(given, str) else None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the peer's, or with ``CERTCREDIT_PROXIES=N`` proxies in front, the address the
    outermost of them saw (the N-th entry of ``X-Forwarded-For`` from the right; entries further left are the
    client's own claims and are not trusted)."""
    proxies = settings.CERTCREDIT_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
