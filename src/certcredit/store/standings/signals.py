"""A record saved or deleted one at a time (a form, the admin, the API) marks its person's standing as out of
date (``Outdated``); imports, which write records in bulk, mark it themselves (``mark_outdated``). The next look
at the dashboard, or the next re-audit, audits the marked people again (services.standings)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save


def mark_outdated(person_id: int) -> None:
    """Note that this person's records changed (once: a second mark before the refresh is a no-op)."""
    from certcredit.store.standings.models import Outdated

    Outdated.objects.bulk_create([Outdated(person_id=person_id)], ignore_conflicts=True)


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:  # noqa: ARG001 (Django's signal signature)
    if kwargs.get("raw"):
        return  # loaddata
    mark_outdated(instance.person_id)


def connect() -> None:
    from certcredit.store.records.models import Record

    post_save.connect(_changed, sender=Record, dispatch_uid="standings-record-saved")
    post_delete.connect(_changed, sender=Record, dispatch_uid="standings-record-deleted")
