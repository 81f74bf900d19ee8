"""Reading the store for a viewer: every query takes who asks and returns only what they may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from certcredit.services import decisions
from certcredit.services.access import Forbidden, check_may_see_records_of, is_staff, may_see_records_of
from certcredit.services.people import UnknownPerson, find_person
from certcredit.store.accounts.models import Person
from certcredit.store.catalog.models import Session
from certcredit.store.records.models import ImportRun, Record


def records_of(viewer: Person, email: str | None = None) -> tuple[Person, QuerySet[Record]]:
    """The viewer's own records, or (staff only) another person's, newest first."""
    person = viewer
    if email and email.strip().lower() != viewer.email.lower():
        if not is_staff(viewer):
            raise Forbidden("only staff may see another person's records")
        person = find_person(email)
    check_may_see_records_of(viewer, person)
    return person, Record.objects.filter(person=person).select_related("session").order_by("-date", "title", "id")


def person_seen_by(viewer: Person, email: str | None = None) -> Person:
    """The viewer, or the person with that e-mail if the viewer may see their records (``access``).

    A person the viewer may not see raises ``UnknownPerson`` with the very message a missing one gets, so the
    answer does not tell a member whether another member has an account (the progress page and API: 404).
    """
    if not email or email.strip().lower() == viewer.email.lower():
        return viewer
    person = Person.objects.filter(email__iexact=email.strip()).first()
    if person is None or not may_see_records_of(viewer, person):
        raise UnknownPerson(f"no account with the e-mail {email!r}")
    return person


def record_of(viewer: Person, record_id: int) -> Record:
    """One record, if the viewer may see it; an unknown id and a forbidden one look the same."""
    record = Record.objects.select_related("person").filter(pk=record_id).first()
    if record is None or not (record.person_id == viewer.pk or is_staff(viewer)):
        raise LookupError(f"no record {record_id}")
    return record


def sessions(viewer: Person, search: str = "") -> QuerySet[Session]:
    """The catalogue (every signed-in person may read it; staff also see providers' unpublished sessions),
    optionally searched by title or description; each
    session is annotated with the decision that applies to it (``decisions.with_applying``)."""
    found = Session.objects.select_related("provider").order_by("-date", "title", "id")
    if not is_staff(viewer):
        found = found.filter(in_catalogue())
    if search.strip():
        words = search.strip()
        found = found.filter(Q(title__icontains=words) | Q(description__icontains=words))
    return decisions.with_applying(found)


def in_catalogue() -> Q:
    """A session is in the catalogue unless a provider submitted it and has not published it yet."""
    return Q(submission__isnull=True) | Q(published_at__isnull=False)


def recent_imports(viewer: Person, limit: int = 10) -> QuerySet[ImportRun]:
    """Staff see every import; anyone else only the imports they ran or of their own records."""
    runs = ImportRun.objects.select_related("run_by", "person")
    if not is_staff(viewer):
        runs = runs.filter(Q(run_by=viewer) | Q(person=viewer))
    return runs.order_by("-started_at", "-id")[:limit]


__all__ = [
    "Forbidden",
    "UnknownPerson",
    "in_catalogue",
    "person_seen_by",
    "recent_imports",
    "record_of",
    "records_of",
    "sessions",
]
