"""Open Badges 3.0: the issuer's signing keys and the badges issued with them.

Rows change only through ``certcredit.services.badges``, which writes each change to the history (a key's
history never holds its private part). A private key stays in this table and nowhere else: not in the admin,
the API, the history or the repository (docs/credentials.md, "Keys").
"""

from __future__ import annotations

from django.db import models

from certcredit.store.credentials.models import Credential


class SigningKey(models.Model):
    """An Ed25519 key. The newest key without ``retired_at`` signs; retired keys stay published in the JWKS so
    the badges they signed still verify."""

    kid = models.CharField(max_length=64, unique=True, help_text="The RFC 7638 thumbprint of the public key.")
    public_jwk = models.JSONField()
    private_jwk = models.JSONField(help_text="Never shown: not in the admin, the API or the history.")
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.kid} ({'retired' if self.retired_at else 'active'})"


class Badge(models.Model):
    """One Open Badge issued for a credential: for one cycle (``valid_until``), signed once with ``key``.

    ``status_index`` is its place in both status lists (revocation and suspension), drawn at random so the
    order of issue cannot be read from it. Revocation follows the credential's status; ``suspended_at`` is set
    by staff and cleared when the suspension is lifted.
    """

    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="badges")
    uid = models.UUIDField(unique=True)
    status_index = models.PositiveIntegerField(unique=True)
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="badges")
    achievement_name = models.CharField(max_length=200)
    valid_from = models.DateTimeField()
    valid_until = models.DateField(null=True, blank=True)
    token = models.TextField(help_text="The VC-JWT as issued.")
    issued_at = models.DateTimeField(auto_now_add=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("-issued_at", "-id")

    def __str__(self) -> str:
        return f"badge {self.uid} of {self.credential}"
