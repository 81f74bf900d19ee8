"""Who may see or change what. One place, so the web, the API and the CLI cannot disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from certcredit.store.accounts.models import Person, Role

if TYPE_CHECKING:
    from certcredit.store.catalog.models import Session


class Forbidden(PermissionError):
    """The signed-in person may not see or do this; the message says what was refused."""


def is_staff(person: Person) -> bool:
    """Association staff (or an admin account) may see everyone's records and the import log."""
    return person.is_superuser or person.has_role(Role.STAFF)


def may_see_records_of(viewer: Person, person: Person) -> bool:
    return viewer.pk == person.pk or is_staff(viewer)


def check_may_see_records_of(viewer: Person, person: Person) -> None:
    if not may_see_records_of(viewer, person):
        raise Forbidden("only staff may see another person's records")


def may_review(person: Person) -> bool:
    """Reviewers and staff settle what the evaluator was unsure about (RULES.md: needs_review goes to a person)."""
    return person.has_role(Role.REVIEWER) or is_staff(person)


def check_may_review(person: Person) -> None:
    if not may_review(person):
        raise Forbidden("only reviewers and staff may review sessions")


def check_may_import_sessions(viewer: Person) -> None:
    if not (is_staff(viewer) or viewer.has_role(Role.PROVIDER)):
        raise Forbidden("only staff and providers may import sessions into the catalogue")


def check_may_record_attendance(viewer: Person, session: Session) -> None:
    """Staff, or a provider acting for the session's organization, may record who attended it."""
    if is_staff(viewer):
        return
    if (
        session.provider_id is None
        or not viewer.role_grants.filter(role=Role.PROVIDER, organization_id=session.provider_id).exists()
    ):
        raise Forbidden("only the session's provider and staff may record its attendance")
