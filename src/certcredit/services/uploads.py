"""Large record files uploaded through the web are imported by the background worker, not in the request.

The task (django-tasks, kept in the database by django-tasks-db) runs in ``certcredit worker``.

The upload is kept in ``settings.UPLOAD_DIR`` until the task has run; its progress (rows read so far) is a small
JSON file beside it, which the member's import page reads while the import's one transaction is still open.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django_tasks import task

#: a finished task keeps at most this many rejected rows in its result (the count is always exact)
REJECTIONS_SHOWN = 500


def upload_path(name: str) -> Path:
    """Where an upload waits for the worker: a fresh name, the original suffix (it tells the format)."""
    folder = Path(settings.UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"


def progress_path(upload: Path | str) -> Path:
    return Path(f"{upload}.progress.json")


def read_progress(upload: Path | str) -> dict[str, Any]:
    try:
        return dict(json.loads(progress_path(upload).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


@task()
def import_uploaded_records(upload: str, file_name: str, person_id: int, actor_id: int) -> dict[str, Any]:
    """Import ``upload`` as ``file_name`` for the person; returns the import's summary (``ImportReport``)."""
    from certcredit.services.imports import import_records, stream_rows
    from certcredit.store.accounts.models import Person

    person, actor = Person.objects.get(pk=person_id), Person.objects.get(pk=actor_id)
    marker = progress_path(upload)

    def progress(stage: str, done: int, total: int) -> None:
        scratch = marker.with_suffix(".tmp")
        scratch.write_text(json.dumps({"stage": stage, "done": done, "total": total}), encoding="utf-8")
        os.replace(scratch, marker)

    try:
        report = import_records(stream_rows(upload), person, actor, file_name, progress)
    finally:
        Path(upload).unlink(missing_ok=True)
        marker.unlink(missing_ok=True)
    summary = report.as_dict()
    summary["rejected_count"] = len(report.rejected)
    summary["rejected"] = summary["rejected"][:REJECTIONS_SHOWN]  # type: ignore[index]
    return summary
