"""The history is append-only: the ORM refuses to change or delete an entry, however it is asked."""

from __future__ import annotations

import pytest

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
