"""The append-only history: every change to records, decisions and workflow steps, with who and when.

Rows are written by the service layer and can never be changed or removed through the ORM: ``save`` refuses
an existing row, ``delete`` refuses always, and the queryset's ``update``/``delete`` refuse too.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class HistoryIsAppendOnly(Exception):
    """Raised on any attempt to change or remove a history entry."""


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise HistoryIsAppendOnly("history entries are never changed or deleted")


class HistoryQuerySet(models.QuerySet["HistoryEntry"]):
    def update(self, **kwargs: Any) -> int:
        _refuse()

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse()

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        _refuse()

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()

    def _raw_delete(self, *args: Any, **kwargs: Any) -> int:
        _refuse()


class HistoryEntry(models.Model):
    """One change: ``before``/``after`` are the object's fields as JSON (``before`` empty on creation)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Who, as text (kept if the account goes).")
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ("-at", "-id")
        verbose_name_plural = "history entries"
        indexes = (models.Index(fields=("object_type", "object_id")),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _refuse()
