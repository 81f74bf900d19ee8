"""The history is append-only: the ORM refuses to change or delete an entry, and so does the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, models, transaction

from certcredit.services import history
from certcredit.store.history.models import HistoryEntry, HistoryIsAppendOnly

pytestmark = [pytest.mark.store, pytest.mark.django_db]


@pytest.fixture
def entry(make_person) -> HistoryEntry:
    person = make_person("lee@example.org")
    return history.record_change(person, "create", person, None, note="first entry")


def test_a_history_entry_keeps_who_what_and_the_object_after(entry: HistoryEntry) -> None:
    stored = HistoryEntry.objects.get(pk=entry.pk)
    assert (stored.actor_label, stored.action, stored.object_type) == ("lee@example.org", "create", "accounts.person")
    assert stored.after["email"] == "lee@example.org"
    assert stored.at is not None


def test_saving_an_existing_entry_again_is_refused(entry: HistoryEntry) -> None:
    entry.note = "rewritten"
    with pytest.raises(HistoryIsAppendOnly):
        entry.save()
    assert HistoryEntry.objects.get(pk=entry.pk).note == "first entry"


def test_deleting_an_entry_is_refused(entry: HistoryEntry) -> None:
    with pytest.raises(HistoryIsAppendOnly):
        entry.delete()
    assert HistoryEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(note="rewritten"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["note"]),
        lambda qs: qs.update_or_create(pk=1, defaults={"note": "x"}),
    ],
    ids=["update", "delete", "bulk_update", "update_or_create"],
)
def test_queryset_changes_to_history_are_refused(entry: HistoryEntry, change) -> None:
    with pytest.raises(HistoryIsAppendOnly):
        change(HistoryEntry.objects.all())
    assert HistoryEntry.objects.get(pk=entry.pk).note == "first entry"


# The database refuses too: every way around the ORM's refusals the probe found is stopped by the triggers of
# ``certcredit.store.guards`` (history 0002), on SQLite and on PostgreSQL alike.


def _upsert(entry: HistoryEntry) -> None:
    HistoryEntry.objects.bulk_create(
        [HistoryEntry(pk=entry.pk, actor_label="x", action="rewritten", object_type="x", object_id="1")],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["action", "note"],
    )


def _save_base(entry: HistoryEntry) -> None:
    entry.note = "rewritten"
    entry.save_base(force_update=True)


def _raw_sql(sql: str) -> Callable[[HistoryEntry], None]:
    def run(entry: HistoryEntry) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=HistoryEntry._meta.db_table), [entry.pk])

    return run


@pytest.mark.parametrize(
    "bypass",
    [
        _upsert,
        lambda e: HistoryEntry._base_manager.filter(pk=e.pk).update(note="rewritten"),
        lambda e: HistoryEntry._base_manager.filter(pk=e.pk).delete(),
        lambda e: models.QuerySet(HistoryEntry).filter(pk=e.pk).update(note="rewritten"),
        lambda e: models.QuerySet(HistoryEntry).filter(pk=e.pk).delete(),
        _save_base,
        _raw_sql("UPDATE {table} SET note = 'rewritten' WHERE id = %s"),
        _raw_sql("DELETE FROM {table} WHERE id = %s"),
    ],
    ids=[
        "bulk_create-update_conflicts",
        "base_manager-update",
        "base_manager-delete",
        "queryset-update",
        "queryset-delete",
        "save_base-force_update",
        "raw-update",
        "raw-delete",
    ],
)
def test_the_database_refuses_every_way_around_the_orm(entry: HistoryEntry, bypass) -> None:
    with pytest.raises(IntegrityError, match="history entries are never changed or deleted"), transaction.atomic():
        bypass(entry)
    stored = HistoryEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.note) == ("create", "first entry")


def test_new_entries_can_still_be_written_beside_the_refusals(entry: HistoryEntry, make_person) -> None:
    other = make_person("sam@example.org")
    history.record_change(other, "create", other, None, note="second entry")
    assert list(HistoryEntry.objects.order_by("id").values_list("note", flat=True)) == ["first entry", "second entry"]
