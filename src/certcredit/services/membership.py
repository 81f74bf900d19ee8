"""Membership of the association as dated facts: imported from its member list, asked "current on this day?".

A membership is a period of days, both ends included; a period without an end is still running. A person is a
*current member* on a day inside one of their periods. Only current members may use the CLRM library
(``services.library``).

The member list is a file (CSV, JSON or JSON Lines) with one period a row: ``email``, ``from`` and ``until``
(``YYYY-MM-DD``; ``until`` empty for a running membership; ``member_from``/``member_until`` and
``start``/``end`` are read too). Like the other imports: every bad row is listed with its file, line and reason
and not stored; the good rows are stored; importing the same list again adds nothing (a period is the person
and its first day: the same row again is "already there", a new last day for it is an update, with before and
after in the history); the writing is one transaction, so a failure half-way stores nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from certcredit.io.readers import Row, RowError
from certcredit.services import history
from certcredit.services.access import Forbidden, is_staff
from certcredit.services.imports import ImportReport, Rejection
from certcredit.store.accounts.models import Person
from certcredit.store.library.models import Membership

#: the column names read for each value, first found wins
COLUMNS = {
    "email": ("email", "e-mail", "mail"),
    "from": ("from", "member_from", "start", "starts_on"),
    "until": ("until", "member_until", "end", "ends_on"),
}


@dataclass(slots=True)
class MembershipReport(ImportReport):
    """An import of the member list: ``updated`` counts periods whose last day the list changed."""

    updated: int = 0
    changes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        found = ImportReport.as_dict(self)
        found["updated"] = self.updated
        return found


def check_staff(viewer: Person | None) -> None:
    if viewer is not None and not is_staff(viewer):
        raise Forbidden("only staff may import the member list and see memberships")


def today() -> dt.date:
    return timezone.localdate()


def current_filter(day: dt.date) -> Q:
    """Memberships running on ``day``."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def is_current_member(person: Person | Any, day: dt.date | None = None) -> bool:
    """Whether the person (an account; anonymous visitors never are) is a member on ``day`` (default: today)."""
    if person is None or not getattr(person, "is_authenticated", False) or not getattr(person, "is_active", False):
        return False
    return Membership.objects.filter(current_filter(day or today()), person_id=person.pk).exists()


@dataclass(frozen=True, slots=True)
class Standing:
    """A person's membership on a day: current or not, the period that makes it current, and every period."""

    current: bool
    until: dt.date | None
    periods: list[Membership]

    @property
    def former(self) -> bool:
        return not self.current and any(p.starts_on <= today() for p in self.periods)


def standing(person: Person, day: dt.date | None = None) -> Standing:
    day = day or today()
    periods = list(Membership.objects.filter(person=person).order_by("starts_on"))
    running = [p for p in periods if p.starts_on <= day and (p.ends_on is None or p.ends_on >= day)]
    until = None if not running or any(p.ends_on is None for p in running) else max(p.ends_on for p in running)
    return Standing(bool(running), until, periods)


def memberships(viewer: Person, search: str = "") -> QuerySet[Membership]:
    """Every stored period (staff only), by e-mail, optionally of people whose e-mail or name contains ``search``."""
    check_staff(viewer)
    found = Membership.objects.select_related("person", "recorded_by")
    if search.strip():
        found = found.filter(Q(person__email__icontains=search.strip()) | Q(person__name__icontains=search.strip()))
    return found.order_by("person__email", "starts_on")


# ------------------------------------------------------------------------------------------------ the import


def _value(data: dict[str, Any], key: str) -> str:
    lowered = {str(k).strip().lower(): v for k, v in data.items()}
    for name in COLUMNS[key]:
        if name in lowered and lowered[name] is not None:
            return str(lowered[name]).strip()
    return ""


def _day(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a day (YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class _Period:
    row: Row
    person: Person
    starts_on: dt.date
    ends_on: dt.date | None


def _check_row(row: Row, people: dict[str, Person | None]) -> _Period | str:
    """The row's period, or the reason it cannot be stored."""
    email = _value(row.data, "email")
    if not email:
        return "missing email"
    starts, ends = _value(row.data, "from"), _value(row.data, "until")
    if not starts:
        return "missing from (the first day of membership)"
    try:
        starts_on = _day(starts, "from")
        ends_on = _day(ends, "until") if ends else None
    except ValueError as error:
        return str(error)
    if ends_on is not None and ends_on < starts_on:
        return f"until {ends_on} is before from {starts_on}"
    key = email.lower()
    if key not in people:
        people[key] = Person.objects.filter(email__iexact=email).first()
    person = people[key]
    if person is None:
        return f"no account with the e-mail {email!r}"
    return _Period(row, person, starts_on, ends_on)


def _overlaps(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def import_members(rows: Iterable[Row | RowError], actor: Person | None, file_name: str) -> MembershipReport:
    """Store the member list's periods (staff, or the command line with ``actor`` None); see the module."""
    check_staff(actor)
    report = MembershipReport(kind="membership", file_name=file_name)
    people: dict[str, Person | None] = {}
    periods: list[_Period] = []
    for row in rows:
        report.rows += 1
        if isinstance(row, RowError):
            report.rejected.append(Rejection(row.position, row.where, row.reason))
            continue
        found = _check_row(row, people)
        if isinstance(found, str):
            report.rejected.append(Rejection(row.position, row.where, found))
        else:
            periods.append(found)
    note = f"from the member list {file_name}"
    with transaction.atomic():
        seen: dict[tuple[int, dt.date], _Period] = {}
        for period in periods:
            key = (period.person.pk, period.starts_on)
            earlier = seen.get(key)
            if earlier is not None:  # the same period twice in one file
                if earlier.ends_on == period.ends_on:
                    report.already_present += 1
                else:
                    report.rejected.append(Rejection(
                        period.row.position, period.row.where,
                        f"{period.person.email} from {period.starts_on} is already on {earlier.row.where} "
                        f"with another last day",
                    ))  # fmt: skip
                continue
            seen[key] = period
            _store(period, actor, file_name, note, report)
    report.rejected.sort(key=lambda rejection: rejection.position)  # file order
    return report


def _store(period: _Period, actor: Person | None, file_name: str, note: str, report: MembershipReport) -> None:
    stored = list(Membership.objects.select_for_update().filter(person=period.person).order_by("starts_on"))
    same = next((m for m in stored if m.starts_on == period.starts_on), None)
    others = [m for m in stored if m is not same]
    clash = next((m for m in others if _overlaps(m.starts_on, m.ends_on, period.starts_on, period.ends_on)), None)
    if clash is not None:
        report.rejected.append(Rejection(
            period.row.position, period.row.where,
            f"{period.person.email} from {period.starts_on} overlaps the stored membership from {clash.starts_on} "
            f"to {clash.ends_on or 'now'}",
        ))  # fmt: skip
        return
    if same is not None:
        if same.ends_on == period.ends_on:
            report.already_present += 1
            return
        before = history.snapshot(same)
        same.ends_on = period.ends_on
        same.source_file, same.source_line = file_name[:300], period.row.where[:30]
        same.save(update_fields=["ends_on", "source_file", "source_line"])
        history.record_change(actor, "update", same, before, note=f"membership of {period.person.email} {note}")
        report.updated += 1
        report.changes.append(f"{period.person.email} from {period.starts_on}: until {period.ends_on or 'now'}")
        return
    made = Membership.objects.create(
        person=period.person,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        source_file=file_name[:300],
        source_line=period.row.where[:30],
        recorded_by=actor,
    )
    history.record_change(actor, "create", made, None, note=f"membership of {period.person.email} {note}")
    report.added += 1


__all__ = [
    "MembershipReport",
    "Standing",
    "current_filter",
    "import_members",
    "is_current_member",
    "memberships",
    "standing",
]
