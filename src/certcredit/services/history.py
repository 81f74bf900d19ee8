"""Writing the append-only history: who changed what, when, with the object before and after."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models

from certcredit.store.accounts.models import Person
from certcredit.store.history.models import HistoryEntry

COMMAND_LINE = "command line"


def actor_label(actor: Person | None) -> str:
    """The name kept with the entry, so history still reads well if an account is removed."""
    return actor.email if actor is not None else COMMAND_LINE


#: never copied into the history (a person's password hash)
SECRET_FIELDS = frozenset({"password"})


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's stored fields as plain JSON values (a password hash is left out)."""
    return {
        field.attname: plain(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if field.attname not in SECRET_FIELDS
    }


def entry(
    actor: Person | None,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str = "",
) -> HistoryEntry:
    """An unsaved entry (imports write many at once with ``bulk_create``)."""
    return HistoryEntry(
        actor=actor,
        actor_label=actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=before,
        after=after,
        note=note[:300],
    )


def record_change(
    actor: Person | None, action: str, obj: models.Model, before: dict[str, Any] | None, note: str = ""
) -> HistoryEntry:
    """Write one entry now: ``before`` as taken before the change, ``after`` from the object as it is."""
    after = None if action == "delete" else snapshot(obj)
    item = entry(actor, action, obj, before, after, note)
    item.save()
    return item


def plain(value: Any) -> Any:
    """A field's value as JSON keeps it (dates and times as ISO text, decimals as text, files by name)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value
