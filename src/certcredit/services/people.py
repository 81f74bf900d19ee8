"""People and their roles."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from certcredit.services import history
from certcredit.services.access import Forbidden, is_staff
from certcredit.store.accounts.models import Organization, Person, Role, RoleGrant


class UnknownPerson(LookupError):
    """No account has this e-mail address."""


class PersonHasRecords(ValueError):
    """A person with records is never deleted (their records are evidence): deactivate the account instead."""


def lock_person(person: Person) -> None:
    """Inside a transaction: hold the person's row (``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL) until it
    ends, so writes to one person's records run one after the other. SQLite needs nothing: its IMMEDIATE
    transactions already take the one write lock when they begin."""
    Person.objects.select_for_update(no_key=True).filter(pk=person.pk).values_list("pk", flat=True).first()


def find_person(email: str) -> Person:
    try:
        return Person.objects.get(email__iexact=email.strip())
    except Person.DoesNotExist:
        raise UnknownPerson(f"no account with the e-mail {email!r}") from None


@transaction.atomic
def ensure_person(
    email: str,
    name: str = "",
    password: str | None = None,
    roles: tuple[str, ...] = (Role.MEMBER,),
    organization: Organization | None = None,
) -> tuple[Person, bool]:
    """The person with this e-mail, created when missing (with ``password``); roles are added, never removed."""
    person = Person.objects.filter(email__iexact=email).first()
    created = person is None
    if person is None:
        person = Person.objects.create_user(email, password, name=name)
    for role in roles:
        grant_role(person, role, organization if role == Role.PROVIDER else None)
    return person, created


def grant_role(person: Person, role: str, organization: Organization | None = None) -> None:
    """Give a role; staff also get the admin site."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(Role.values)}")
    RoleGrant.objects.get_or_create(person=person, role=role, organization=organization)
    if role == Role.STAFF:
        if not person.is_staff:
            person.is_staff = True
            person.save(update_fields=["is_staff"])
        person.groups.add(staff_group())


#: The admin permissions staff get: everything on certcredit's own tables (the history admin is read-only).
STAFF_APPS = ("accounts", "catalog", "records", "history", "credentials", "clrm")


def staff_group() -> Group:
    """The admin group for association staff, its permissions brought up to date with the apps' models."""
    group, _ = Group.objects.get_or_create(name="staff")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=STAFF_APPS))
    return group


@transaction.atomic
def delete_person(actor: Person | None, person: Person, note: str = "") -> None:
    """Remove an account that has no records (``actor`` None: the command line), writing to the history the
    person and everything that goes with them (role grants, API tokens, import runs that stored nothing).

    ``PersonHasRecords`` when they have records; the database refuses too (``Record.person`` is PROTECT).
    """
    from certcredit.store.records.models import ImportRun

    if actor is not None and not is_staff(actor):
        raise Forbidden("only staff may delete an account")
    records = person.records.count()
    if records:
        raise PersonHasRecords(
            f"{person.email} has {records} records and is never deleted: deactivate the account instead"
        )
    related = [*person.role_grants.all(), *person.api_tokens.all(), *ImportRun.objects.filter(person=person)]
    for obj in related:
        history.record_change(actor, "delete", obj, history.snapshot(obj), note=f"{note}, with {person.email}")
    history.record_change(actor, "delete", person, history.snapshot(person), note=note)
    person.delete()
