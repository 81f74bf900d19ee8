"""The staff dashboard: each person's standing in the program they pursue, kept as a summary so that the page
filters 10,000 people fast; the re-audit of everyone (a background task); spot-checks of evidence; the reviewers'
queue with its ageing. Only staff may use any of it (docs/staff.md).

Which program a person pursues and their status in it: ``services.standing_of`` (the rules, and the careful path
through the person's full audit). The re-audit of everyone, and the refresh of people whose records changed, take
the batch engine's fast lane for the same answers and write the standings in bulk (``services.reaudit``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from certcredit.io.writers import escape_cell
from certcredit.services import audits, history, reaudit
from certcredit.services import credentials as creds
from certcredit.services.access import Forbidden, is_staff
from certcredit.services.reviews import queue
from certcredit.services.standing_of import APPLICATION as APPLICATION
from certcredit.services.standing_of import RECERTIFICATION as RECERTIFICATION
from certcredit.services.standing_of import Found, assess_inputs, standing_fields
from certcredit.store.accounts.models import Person, Role
from certcredit.store.records.models import Record
from certcredit.store.standings.models import Outdated, Reaudit, SpotCheck, Standing

PAGE_SIZE = 50
#: the dashboard audits at most this many people whose records changed before it answers; more wait for the
#: re-audit (the page says so)
REFRESH_ON_VIEW = 100
SPOT_CHECK_MAX = 50
STATUSES: tuple[str, ...] = tuple(str(value) for value in Standing.Status.values)
#: the status names and how the page says them
STATUS_CHOICES: tuple[tuple[str, str], ...] = tuple(Standing.Status.choices)
VERIFIED, NOT_VERIFIED = str(SpotCheck.Outcome.VERIFIED), str(SpotCheck.Outcome.NOT_VERIFIED)
CSV_COLUMNS = ("name", "email", "program", "status", "counted_hours", "required_hours", "hours_needed",
               "deadline", "records", "as_of", "audited_at")  # fmt: skip


class DashboardInvalid(ValueError):
    """A filter the dashboard cannot use; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_staff(viewer: Person) -> None:
    if not is_staff(viewer):
        raise Forbidden("only staff may see the dashboard")


# ---- one person's standing -------------------------------------------------------------------------------------


def refresh_person(person: Person, today: dt.date | None = None) -> Standing | None:
    """Write the person's standing as it is today (or remove it when they pursue nothing), on the careful path."""
    today = today or timezone.localdate()
    found = assess(person, today)
    with transaction.atomic():
        Outdated.objects.filter(person=person).delete()
        if found is None:
            Standing.objects.filter(person=person).delete()
            return None
        Standing.objects.filter(person=person).exclude(program=found.program).delete()
        values = standing_fields(person.name, person.email, found)
        del values["program"]
        standing, _ = Standing.objects.update_or_create(
            person=person, program=found.program, defaults={**values, "audited_at": timezone.now()}
        )
    return standing


def assess(person: Person, today: dt.date) -> Found | None:
    """The person's standing today on the careful path, or None for someone who pursues nothing."""
    return assess_inputs(audits.read_inputs(person), creds.current_credential(person), today)


def refresh_outdated(limit: int = REFRESH_ON_VIEW, today: dt.date | None = None) -> tuple[int, int]:
    """Audit again up to ``limit`` people whose records changed (in bulk, ``reaudit.refresh_people``); returns
    (refreshed, still waiting)."""
    waiting = list(Outdated.objects.order_by("noted_at").values_list("person_id", flat=True)[: limit + 1])
    if not waiting:
        return 0, 0
    done, _ = reaudit.refresh_people(waiting[:limit], today or timezone.localdate())
    left = Outdated.objects.count() if len(waiting) > limit else 0
    return done, left


# ---- the re-audit of everyone ----------------------------------------------------------------------------------


def everyone() -> QuerySet[Person]:
    """The people the re-audit goes through: members, and anyone with records or a credential."""
    return (
        Person.objects.filter(
            Q(role_grants__role=Role.MEMBER) | Q(pk__in=Record.objects.values("person_id"))
            | Q(credentials__isnull=False)
        )
        .distinct()
        .order_by("pk")
    )  # fmt: skip


def start_reaudit(actor: Person) -> Reaudit:
    """Queue a re-audit of everyone for the worker; in the history with who and when."""
    check_staff(actor)
    running = Reaudit.objects.filter(state__in=(Reaudit.State.WAITING, Reaudit.State.RUNNING)).first()
    if running is not None:
        return running
    run = Reaudit.objects.create(started_by=actor)
    history.record_change(actor, "standings.reaudit", run, None, "re-audit of everyone started")
    transaction.on_commit(lambda: reaudit_everyone.enqueue(run.pk))
    return run


@task()
def reaudit_everyone(run_id: int, today: str | None = None) -> dict[str, Any]:
    """Audit everyone again through the batch engine's fast lane and write their standings in bulk
    (``reaudit.refresh_people``), counting progress on the ``Reaudit`` row after each chunk."""
    run = Reaudit.objects.get(pk=run_id)
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    ids = list(everyone().values_list("pk", flat=True))
    Reaudit.objects.filter(pk=run.pk).update(state=Reaudit.State.RUNNING, total=len(ids))

    def progress(done: int, changed: int) -> None:
        Reaudit.objects.filter(pk=run.pk).update(done=done, changed=changed)

    try:
        done, changed = reaudit.refresh_people(ids, day, progress)
        Standing.objects.exclude(person_id__in=everyone().values("pk")).delete()
    except Exception as error:
        Reaudit.objects.filter(pk=run.pk).update(
            state=Reaudit.State.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    Reaudit.objects.filter(pk=run.pk).update(
        state=Reaudit.State.DONE, done=done, changed=changed, finished_at=timezone.now()
    )
    return {"people": done, "changed": changed}


def latest_reaudit(viewer: Person) -> Reaudit | None:
    check_staff(viewer)
    return Reaudit.objects.select_related("started_by").first()


# ---- the dashboard -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    program: str = ""
    status: str = ""
    q: str = ""

    @classmethod
    def read(cls, given: Any) -> Filters:
        program = (given.get("program") or "").strip()
        status = (given.get("status") or "").strip()
        q = (given.get("q") or "").strip()
        if program and program not in (APPLICATION, RECERTIFICATION):
            raise DashboardInvalid("program", f"unknown program {program[:60]!r}: choose {APPLICATION} or "
                                              f"{RECERTIFICATION}")  # fmt: skip
        if status and status not in STATUSES:
            raise DashboardInvalid("status", f"unknown status {status[:40]!r}: choose one of {', '.join(STATUSES)}")
        if len(q) > 100:
            raise DashboardInvalid("q", "a name search is at most 100 characters")
        return cls(program, status, q)

    def query(self) -> QuerySet[Standing]:
        rows = Standing.objects.all()
        if self.program:
            rows = rows.filter(program=self.program)
        if self.status:
            rows = rows.filter(status=self.status)
        if self.q:
            rows = rows.filter(search__contains=self.q.casefold())
        return rows.order_by("name", "id")


@dataclass(frozen=True, slots=True)
class Dashboard:
    rows: list[Standing]
    total: int
    counts: dict[str, int]
    page: int
    pages: int
    waiting: int


def dashboard(viewer: Person, filters: Filters, page: int = 1) -> Dashboard:
    """One page of standings at the filters, the count of each status (program and search applied), and how many
    changed people still wait for an audit."""
    check_staff(viewer)
    _, waiting = refresh_outdated()
    by_status = Filters(filters.program, "", filters.q).query().order_by()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(dict(by_status.values_list("status").annotate(n=Count("id")).values_list("status", "n")))
    total = counts[filters.status] if filters.status else sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = list(filters.query()[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return Dashboard(rows, total, counts, page, pages, waiting)


def export_csv(viewer: Person, filters: Filters) -> Iterator[str]:
    """Every standing at the filters as CSV lines (a cell that a spreadsheet would run as a formula is quoted with
    a leading apostrophe, as io/writers.py does); in the history with who and which filters."""
    check_staff(viewer)
    history.entry(viewer, "standings.export", viewer, None, None,
                  f"dashboard export: program={filters.program or 'all'} status={filters.status or 'all'} "
                  f"q={filters.q!r}").save()  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(values: Any) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([escape_cell(v) for v in values])
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    fields = ("name", "email", "program", "status", "counted_hours", "required_hours", "hours_needed", "deadline",
              "records", "as_of", "audited_at")  # fmt: skip
    for values in filters.query().values_list(*fields).iterator(chunk_size=2000):
        shown = list(values)
        shown[7] = shown[7].isoformat() if shown[7] else ""
        shown[9] = shown[9].isoformat()
        shown[10] = shown[10].isoformat(timespec="seconds")
        yield line(shown)


# ---- spot-checks of evidence ---------------------------------------------------------------------------------


def draw_spot_checks(actor: Person, count: int, rng: random.Random | None = None) -> list[SpotCheck]:
    """Draw ``count`` records at random (each at most once while its check is open) for staff to verify."""
    check_staff(actor)
    if not 1 <= count <= SPOT_CHECK_MAX:
        raise DashboardInvalid("count", f"draw between 1 and {SPOT_CHECK_MAX} records")
    rng = rng or random.SystemRandom()
    open_ids = set(SpotCheck.objects.filter(outcome=SpotCheck.Outcome.PENDING).values_list("record_id", flat=True))
    bounds = Record.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None or high is None:
        return []
    chosen: list[int] = []
    for _ in range(count * 20):  # ids have gaps (deleted records): try random ids, keep the ones that exist
        if len(chosen) >= count:
            break
        wanted = rng.randint(low, high)
        found = Record.objects.filter(pk__gte=wanted).order_by("pk").values_list("pk", flat=True).first()
        if found is not None and found not in open_ids and found not in chosen:
            chosen.append(found)
    made = []
    for pk in chosen:
        check = SpotCheck.objects.create(record_id=pk, drawn_by=actor)
        history.record_change(actor, "spotcheck.draw", check, None, f"record {pk} drawn for a spot-check")
        made.append(check)
    return made


def spot_checks(viewer: Person) -> QuerySet[SpotCheck]:
    check_staff(viewer)
    return SpotCheck.objects.select_related("record", "record__person", "checked_by", "drawn_by")


def settle_spot_check(actor: Person, check_id: int, outcome: str, note: str = "") -> SpotCheck:
    """Record the outcome of a spot-check, with who and when, in the check and in the history of the record."""
    check_staff(actor)
    if outcome not in (VERIFIED, NOT_VERIFIED):
        raise DashboardInvalid("outcome", "the outcome is verified or not_verified")
    note = note.strip()
    if len(note) > 300:
        raise DashboardInvalid("note", "a note is at most 300 characters")
    if outcome == NOT_VERIFIED and not note:
        raise DashboardInvalid("note", "say why the evidence does not verify the record")
    with transaction.atomic():
        check = SpotCheck.objects.select_for_update().select_related("record").filter(pk=check_id).first()
        if check is None:
            raise LookupError(f"no spot-check {check_id}")
        before = history.snapshot(check)
        check.outcome, check.note = outcome, note
        check.checked_by, check.checked_at = actor, timezone.now()
        check.save()
        history.record_change(actor, "spotcheck.settle", check, before, f"{outcome}: {note}")
        history.entry(actor, "spotcheck", check.record, None, None, f"spot-check {outcome}: {note}").save()
    return check


# ---- the reviewers' queue and its ageing -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waiting:
    session: Any
    since: dt.datetime
    days: int


def review_ageing(viewer: Person, now: dt.datetime | None = None) -> list[Waiting]:
    """The sessions waiting for a reviewer, oldest first, each with the days it has waited."""
    check_staff(viewer)
    now = now or timezone.now()
    return [Waiting(s, s.applying_at, (now - s.applying_at).days) for s in queue(viewer)]
