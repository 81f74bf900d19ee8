"""The admin at /admin/: every change is in the history with who, staff cannot grant more than staff may, a
person with records is never deleted, and import runs are kept as they are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from certcredit.store.accounts.models import Person, RoleGrant
from certcredit.store.history.models import HistoryEntry
from certcredit.store.records.models import ImportRun, Record

pytestmark = [pytest.mark.store, pytest.mark.django_db]


@pytest.fixture
def staff(make_person, client: Client) -> Person:
    person = make_person("desk@example.org", "staff")
    assert not person.is_superuser
    client.force_login(person)
    return person


@pytest.fixture
def member(make_person) -> Person:
    return make_person("mo@example.org")


def person_form(person: Person, *new_roles: str, **changes: object) -> dict[str, object]:
    """The admin's change form for ``person`` as it stands, with ``changes`` and new role grants."""
    grants = list(person.role_grants.order_by("pk"))
    data: dict[str, object] = {
        "email": person.email,
        "name": person.name,
        "is_active": "on" if person.is_active else "",
        "is_staff": "on" if person.is_staff else "",
        "role_grants-TOTAL_FORMS": str(len(grants) + len(new_roles)),
        "role_grants-INITIAL_FORMS": str(len(grants)),
        "role_grants-MIN_NUM_FORMS": "0",
        "role_grants-MAX_NUM_FORMS": "1000",
    }
    for index, grant in enumerate(grants):
        data.update({f"role_grants-{index}-id": grant.pk, f"role_grants-{index}-person": person.pk,
                     f"role_grants-{index}-role": grant.role, f"role_grants-{index}-organization": ""})  # fmt: skip
    for index, role in enumerate(new_roles, start=len(grants)):
        data.update({f"role_grants-{index}-person": person.pk, f"role_grants-{index}-role": role,
                     f"role_grants-{index}-organization": ""})  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def add_record(person: Person) -> Record:
    return Record.objects.create(person=person, date=dt.date(2026, 1, 5), minutes=60, title="Kept")


def test_a_staff_member_cannot_make_themselves_a_superuser(client: Client, staff: Person) -> None:
    response = client.post(f"/admin/accounts/person/{staff.pk}/change/", person_form(staff, is_superuser="on"))

    assert response.status_code == 302, response.content.decode()[:3000]
    staff.refresh_from_db()
    assert staff.is_superuser is False


def test_a_staff_member_cannot_make_someone_else_a_superuser(client: Client, staff: Person, member) -> None:
    client.post(f"/admin/accounts/person/{member.pk}/change/", person_form(member, is_superuser="on"))

    member.refresh_from_db()
    assert member.is_superuser is False


def test_a_staff_member_cannot_change_a_superusers_account_or_password(client: Client, staff, make_person) -> None:
    boss = Person.objects.create_superuser("boss@example.org", "a-long-test-password")

    change = client.post(f"/admin/accounts/person/{boss.pk}/change/", person_form(boss, name="Taken over"))
    password = client.post(
        f"/admin/accounts/person/{boss.pk}/password/",
        {"password1": "another-long-password", "password2": "another-long-password"},
    )

    assert (change.status_code, password.status_code) == (403, 403)
    boss.refresh_from_db()
    assert boss.name == "" and boss.check_password("a-long-test-password")


def test_role_grants_and_changes_made_in_the_admin_are_in_the_history_with_who(client, staff, member) -> None:
    response = client.post(
        f"/admin/accounts/person/{member.pk}/change/", person_form(member, "reviewer", name="Mo Reviewer")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(RoleGrant.objects.filter(person=member).values_list("role", flat=True)) == ["member", "reviewer"]
    grant = HistoryEntry.objects.get(object_type="accounts.rolegrant", action="create")
    assert (grant.actor_label, grant.after["role"], grant.after["person_id"]) == (staff.email, "reviewer", member.pk)
    change = HistoryEntry.objects.get(object_type="accounts.person", action="update")
    assert (change.actor_label, change.before["name"], change.after["name"]) == (staff.email, "Mo", "Mo Reviewer")
    assert "password" not in change.after  # a password hash is never copied into the history


def test_removing_a_role_in_the_admin_is_in_the_history(client: Client, staff, make_person) -> None:
    reviewer = make_person("rey@example.org", "member", "reviewer")
    form = person_form(reviewer)
    index = next(i for i, g in enumerate(reviewer.role_grants.order_by("pk")) if g.role == "reviewer")
    form[f"role_grants-{index}-DELETE"] = "on"

    client.post(f"/admin/accounts/person/{reviewer.pk}/change/", form)

    assert list(RoleGrant.objects.filter(person=reviewer).values_list("role", flat=True)) == ["member"]
    gone = HistoryEntry.objects.get(object_type="accounts.rolegrant", action="delete")
    assert (gone.actor_label, gone.before["role"]) == (staff.email, "reviewer")


def test_granting_staff_in_the_admin_also_opens_the_admin_site_to_them(client: Client, staff, member) -> None:
    client.post(f"/admin/accounts/person/{member.pk}/change/", person_form(member, "staff"))

    member.refresh_from_db()
    assert member.is_staff and member.groups.filter(name="staff").exists()


def test_deleting_a_person_with_records_is_refused_with_a_message_to_deactivate(client, staff, member) -> None:
    add_record(member)

    page = client.post(f"/admin/accounts/person/{member.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/accounts/person/", {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"}
    )

    assert "deactivate the account instead" in page.content.decode()
    assert "deactivate the account instead" in bulk.content.decode()
    assert Person.objects.filter(pk=member.pk).exists() and Record.objects.filter(person=member).count() == 1
    assert not HistoryEntry.objects.filter(action="delete").exists()


def test_deleting_a_person_without_records_writes_them_and_their_roles_to_the_history(client, staff, member) -> None:
    response = client.post(f"/admin/accounts/person/{member.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Person.objects.filter(pk=member.pk).exists()
    gone = {(e.object_type, e.actor_label) for e in HistoryEntry.objects.filter(action="delete")}
    assert gone == {("accounts.person", staff.email), ("accounts.rolegrant", staff.email)}
    person_entry = HistoryEntry.objects.get(object_type="accounts.person", action="delete")
    assert person_entry.before["email"] == "mo@example.org" and "password" not in person_entry.before


def test_a_bulk_delete_of_records_writes_each_to_the_history(client: Client, staff, member) -> None:
    records = [add_record(member), Record.objects.create(person=member, date="2026-02-01", minutes=30, title="B")]

    client.post(
        "/admin/records/record/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in records], "post": "yes"},
    )

    assert not Record.objects.filter(person=member).exists()
    deleted = HistoryEntry.objects.filter(object_type="records.record", action="delete", actor_label=staff.email)
    assert sorted(int(e.object_id) for e in deleted) == sorted(r.pk for r in records)


def test_an_import_run_is_never_deleted_or_changed_in_the_admin(client: Client, staff, member) -> None:
    run = ImportRun.objects.create(kind="records", file_name="a.csv", person=member, status="finished")

    delete = client.post(f"/admin/records/importrun/{run.pk}/delete/", {"post": "yes"})
    change = client.post(f"/admin/records/importrun/{run.pk}/change/", {"file_name": "b.csv"})

    assert (delete.status_code, change.status_code) == (403, 403)
    assert ImportRun.objects.get(pk=run.pk).file_name == "a.csv"


def test_deleting_a_person_with_records_through_the_orm_is_refused_too(member) -> None:
    from django.db.models import ProtectedError

    add_record(member)
    with pytest.raises(ProtectedError):
        member.delete()


def test_a_record_changed_in_the_admin_to_match_another_is_refused_on_the_form(client, staff, member) -> None:
    add_record(member)
    other = Record.objects.create(person=member, date=dt.date(2026, 1, 5), minutes=60, title="Other")

    response = client.post(
        f"/admin/records/record/{other.pk}/change/",
        {"person": member.pk, "date": "2026-01-05", "title": "KEPT", "minutes": 60, "format": "in_person",
         "activity": "giving_back"},
    )  # fmt: skip

    assert response.status_code == 200 and "already has this record" in response.content.decode()
    assert Record.objects.get(pk=other.pk).title == "Other"


def test_a_password_changed_in_the_admin_is_in_the_history_without_the_hash(client: Client, staff, member) -> None:
    response = client.post(
        f"/admin/accounts/person/{member.pk}/password/",
        {"password1": "another-long-password", "password2": "another-long-password", "usable_password": "true"},
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    member.refresh_from_db()
    assert member.check_password("another-long-password")
    entry = HistoryEntry.objects.get(object_type="accounts.person", action="change password")
    assert entry.actor_label == staff.email and "password" not in entry.after


def test_every_admin_of_certcredits_rows_writes_the_history_or_refuses_every_add_change_and_delete(make_person) -> None:
    from django.contrib import admin
    from django.test import RequestFactory

    from certcredit.store.admin_history import HistoryAdmin, ReadOnlyAdmin

    request = RequestFactory().get("/admin/")
    request.user = make_person("root@example.org", "staff")
    request.user.is_superuser = True  # may do anything an admin allows: the read-only ones still refuse
    ours = {model: found for model, found in admin.site._registry.items() if model.__module__.startswith("certcredit.")}
    read_only = [found for found in ours.values() if isinstance(found, ReadOnlyAdmin)]
    expected = {"CandidateAdmin", "MembershipAdmin", "CredentialAdmin", "SubmissionAdmin", "ImportRunAdmin"}
    assert {type(a).__name__ for a in read_only} >= expected | {"HistoryEntryAdmin"}
    assert all(isinstance(found, HistoryAdmin | ReadOnlyAdmin) for found in ours.values())
    for found in read_only:
        assert found.has_view_permission(request), found
        refused = (found.has_add_permission(request), found.has_change_permission(request),
                   found.has_delete_permission(request))  # fmt: skip
        assert refused == (False, False, False), found
