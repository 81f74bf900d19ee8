"""One key for a record, kept by the database; import attempts.

* ``base_key`` (the record's key without its activity) is filled from ``natural_key``. A person's record that
  names no activity beside one with the same ``base_key`` that names one is the same record twice (concurrent
  imports could store both): the one without the activity is removed, its evidence file and catalogue session
  moved to the kept record when that has none, and the removal is written to the history with the record as it
  was. Then 0004's trigger refuses such a pair from now on.
* A person with records can no longer be deleted (``PROTECT``): deactivate the account instead. The index on
  the person alone goes: the (person, ...) indexes serve every look-up by person.
* Import runs get a ``status`` (started, finished, failed); runs stored before were all finished.
"""

import datetime as dt
import decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, F, OuterRef

WHO = "migration records 0003"


def _plain(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):
        return value.name or ""
    return value


def _snapshot(obj):
    return {field.attname: _plain(getattr(obj, field.attname)) for field in obj._meta.concrete_fields}


def fill_base_keys(apps, _schema_editor):
    Record = apps.get_model("records", "Record")
    batch = []
    for pk, key, activity in Record.objects.values_list("pk", "natural_key", "activity").iterator(chunk_size=2000):
        suffix = f"|{activity}"
        batch.append(Record(pk=pk, base_key=key[: -len(suffix)] if activity and key.endswith(suffix) else key))
        if len(batch) == 1000:
            Record.objects.bulk_update(batch, ["base_key"])
            batch = []
    Record.objects.bulk_update(batch, ["base_key"])


def resolve_duplicates(apps, _schema_editor):
    Record = apps.get_model("records", "Record")
    HistoryEntry = apps.get_model("history", "HistoryEntry")
    with_activity = Record.objects.filter(person_id=OuterRef("person_id"), base_key=OuterRef("base_key")).exclude(
        activity=""
    )
    for twin in Record.objects.filter(activity="").filter(Exists(with_activity)).order_by("pk"):
        kept = (
            Record.objects.filter(person_id=twin.person_id, base_key=twin.base_key).exclude(activity="").order_by("pk")
        ).first()
        moved = []
        if twin.evidence and not kept.evidence:
            moved.append("evidence")
        if twin.session_id and not kept.session_id:
            moved.append("session_id")
        if moved:
            before = _snapshot(kept)
            for name in moved:
                setattr(kept, name, getattr(twin, name))
            kept.save(update_fields=[name.removesuffix("_id") for name in moved])
            HistoryEntry.objects.create(
                actor_label=WHO, action="update", object_type="records.record", object_id=str(kept.pk),
                before=before, after=_snapshot(kept), note=f"took {', '.join(moved)} of its duplicate {twin.pk}",
            )  # fmt: skip
        HistoryEntry.objects.create(
            actor_label=WHO, action="delete", object_type="records.record", object_id=str(twin.pk),
            before=_snapshot(twin), after=None,
            note=f"the same record as {kept.pk} (which names activity {kept.activity}); one key per record",
        )  # fmt: skip
        twin.delete()


def runs_before_were_finished(apps, _schema_editor):
    ImportRun = apps.get_model("records", "ImportRun")
    ImportRun.objects.update(status="finished", finished_at=F("started_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_initial"),
        ("history", "0001_initial"),
        ("records", "0002_record_activity"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="error",
            field=models.TextField(blank=True, help_text="Why a failed import stopped (nothing of it was kept)."),
        ),
        migrations.AddField(
            model_name="importrun",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="importrun",
            name="status",
            field=models.CharField(
                choices=[("started", "Started"), ("finished", "Finished"), ("failed", "Failed")],
                default="started",
                max_length=10,
            ),
        ),
        migrations.RunPython(runs_before_were_finished, migrations.RunPython.noop),
        migrations.AddField(
            model_name="record",
            name="base_key",
            field=models.CharField(default="", editable=False, max_length=700),
        ),
        migrations.AlterField(
            model_name="record",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(fields=["person", "base_key"], name="records_person_base_key"),
        ),
        migrations.RunPython(fill_base_keys, migrations.RunPython.noop),
        migrations.RunPython(resolve_duplicates, migrations.RunPython.noop),
    ]
